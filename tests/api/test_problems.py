"""Bad input gets a clear 4xx as RFC 9457 problem details, never a 500 (R-SAFE-1)."""

from __future__ import annotations

import httpx
import pytest
from fastapi import APIRouter, FastAPI
from pydantic import BaseModel

from app.api.problems import PROBLEM_MEDIA_TYPE


def _assert_problem(response: httpx.Response, status: int) -> dict[str, object]:
    assert response.status_code == status
    assert response.headers["content-type"] == PROBLEM_MEDIA_TYPE
    body = response.json()
    assert body["status"] == status
    assert isinstance(body["title"], str) and body["title"]
    assert "type" in body
    return dict(body)


class Echo(BaseModel):
    name: str


@pytest.fixture
def echo_app(app: FastAPI) -> FastAPI:
    router = APIRouter(prefix="/api/v1")

    @router.post("/echo")
    async def echo(data: Echo) -> Echo:
        return data

    @router.get("/boom")
    async def boom() -> None:
        raise RuntimeError("kaboom 01018012345")  # must not reach the client or the log as-is

    app.include_router(router)
    return app


async def test_unknown_api_path_is_a_404_problem(client: httpx.AsyncClient) -> None:
    _assert_problem(await client.get("/api/v1/does-not-exist"), 404)


async def test_wrong_method_is_a_405_problem(client: httpx.AsyncClient) -> None:
    body = _assert_problem(await client.delete("/api/v1/meta"), 405)
    assert body["type"] == "about:blank"


async def test_problem_title_follows_the_persons_language(client: httpx.AsyncClient) -> None:
    nb = _assert_problem(await client.get("/api/v1/x", headers={"Accept-Language": "nb"}), 404)
    nn = _assert_problem(await client.get("/api/v1/x", headers={"Accept-Language": "nn"}), 404)
    en = _assert_problem(await client.get("/api/v1/x", headers={"Accept-Language": "en"}), 404)
    assert (nb["title"], nn["title"], en["title"]) == (
        "Vi fant ikke siden",
        "Vi fann ikkje sida",
        "We could not find the page",
    )


async def test_a_body_that_is_not_json_is_a_422_problem(
    echo_app: FastAPI, client: httpx.AsyncClient
) -> None:
    response = await client.post(
        "/api/v1/echo", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    body = _assert_problem(response, 422)
    assert body["type"] == "urn:samplan:problem:invalid_input"


async def test_validation_errors_name_the_field_but_never_echo_the_value(
    echo_app: FastAPI, client: httpx.AsyncClient
) -> None:
    response = await client.post("/api/v1/echo", json={"name": ["01018012345"]})
    body = _assert_problem(response, 422)
    assert body["errors"] and body["errors"][0]["loc"] == ["body", "name"]  # type: ignore[index]
    assert "01018012345" not in response.text


async def test_an_oversized_body_is_a_413_problem(
    echo_app: FastAPI, client: httpx.AsyncClient, app: FastAPI
) -> None:
    limit = app.state.settings.max_body_bytes
    response = await client.post(
        "/api/v1/echo",
        content=b'{"name": "' + b"x" * (limit + 10) + b'"}',
        headers={"Content-Type": "application/json"},
    )
    body = _assert_problem(response, 413)
    assert body["type"] == "urn:samplan:problem:too_large"


async def test_an_upload_may_be_larger_than_a_form_but_not_unbounded(
    echo_app: FastAPI, client: httpx.AsyncClient, app: FastAPI
) -> None:
    settings = app.state.settings
    pdf = b"%PDF-1.7\n" + b"x" * (settings.max_body_bytes + 10) + b"\n%%EOF\n"
    allowed = await client.post("/api/v1/echo", files={"file": ("a.pdf", pdf, "application/pdf")})
    assert allowed.status_code != 413  # past the body limit, to the route (which wants JSON)
    huge = b"x" * (settings.max_upload_bytes + 10)
    refused = await client.post("/api/v1/echo", files={"file": ("a.pdf", huge, "application/pdf")})
    _assert_problem(refused, 413)


async def test_a_streamed_oversized_body_without_length_is_a_413_problem(
    echo_app: FastAPI, client: httpx.AsyncClient, app: FastAPI
) -> None:
    limit = app.state.settings.max_body_bytes

    async def chunks() -> object:
        for _ in range(limit // 1000 + 2):
            yield b"x" * 1000

    response = await client.post(
        "/api/v1/echo", content=chunks(), headers={"Content-Type": "application/json"}
    )
    _assert_problem(response, 413)


async def test_an_unexpected_error_is_a_500_with_a_reference_and_no_trace(
    echo_app: FastAPI, client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    response = await client.get("/api/v1/boom")
    body = _assert_problem(response, 500)
    assert body["ref"] == response.headers["X-Request-Id"]
    assert "kaboom" not in response.text and "Traceback" not in response.text
    assert "01018012345" not in caplog.text
