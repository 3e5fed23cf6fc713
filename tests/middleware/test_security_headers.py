"""quality.md S3: security headers on every response, scored by the Observatory's rules."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession

from app.db import get_session
from app.main import create_app
from app.settings import Environment, Settings
from tests.support.clock import FrozenClock
from tests.support.observatory import score

RESPONSES = [
    "/",
    "/about",
    "/accessibility",
    "/finnes-ikke",
    "/healthz",
    "/api/v1/meta",
    "/api/v1/nope",
    "/static/samplan.css",
]


@pytest.fixture
async def https_client(
    settings: Settings, data_dir: Path, session: AsyncSession, clock: FrozenClock
) -> AsyncIterator[httpx.AsyncClient]:
    deployed = settings.model_copy(
        update={"env": Environment.TEST, "base_url": "https://samplan.example"}
    )
    app: FastAPI = create_app(deployed, clock=clock)

    async def shared_session() -> AsyncIterator[AsyncSession]:
        yield session

    app.dependency_overrides[get_session] = shared_session
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="https://samplan.example") as client:
        yield client


@pytest.mark.parametrize("path", RESPONSES)
async def test_every_response_scores_at_least_100_by_observatory_rules(
    https_client: httpx.AsyncClient, path: str
) -> None:
    response = await https_client.get(path)
    total, reasons = score(response)
    assert total >= 100, reasons


async def test_script_src_never_allows_inline_or_eval(https_client: httpx.AsyncClient) -> None:
    policy = (await https_client.get("/")).headers["content-security-policy"]
    script_src = next(part for part in policy.split(";") if part.strip().startswith("script-src"))
    assert "unsafe-inline" not in script_src and "unsafe-eval" not in script_src
    assert "frame-ancestors 'none'" in policy


async def test_permissions_policy_turns_off_powerful_features(
    https_client: httpx.AsyncClient,
) -> None:
    policy = (await https_client.get("/")).headers["permissions-policy"]
    for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()"):
        assert feature in policy


async def test_cookies_use_the_host_prefix_and_are_secure_on_https(
    https_client: httpx.AsyncClient,
) -> None:
    cookie = (await https_client.get("/")).headers["set-cookie"]
    assert cookie.startswith("__Host-samplan_csrf=")
    for attribute in ("Secure", "HttpOnly", "SameSite=lax", "Path=/"):
        assert attribute in cookie
    assert "Domain" not in cookie


async def test_hsts_is_sent_outside_development(https_client: httpx.AsyncClient) -> None:
    assert "max-age=63072000" in (await https_client.get("/")).headers["strict-transport-security"]


async def test_development_over_plain_http_sends_no_hsts(
    settings: Settings, clock: FrozenClock
) -> None:
    development = settings.model_copy(update={"env": Environment.DEVELOPMENT})
    transport = httpx.ASGITransport(app=create_app(development, clock=clock))
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
        response = await client.get("/healthz")
    assert "strict-transport-security" not in response.headers
    assert response.headers["x-content-type-options"] == "nosniff"


async def test_a_500_carries_the_same_security_headers(
    https_client: httpx.AsyncClient,
) -> None:
    response = await https_client.get("/api/v1/nope")
    assert response.headers["x-content-type-options"] == "nosniff"
