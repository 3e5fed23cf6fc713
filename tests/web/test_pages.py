"""The public pages in Bokmål, Nynorsk and English; the language choice is remembered."""

from __future__ import annotations

import re

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import make_municipality
from tests.support.clock import FrozenClock

PAGES = ["/", "/about", "/accessibility"]
H1_BY_LANGUAGE = {
    "/about": {
        "nb": "Om individuell plan og koordinator",
        "nn": "Om individuell plan og koordinator",
        "en": "About individual plans and coordinators",
    },
}


def _csrf_token(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([0-9a-f]+)"', html)
    assert match, "every page with a form carries a CSRF token"
    return match.group(1)


@pytest.mark.parametrize("path", PAGES)
@pytest.mark.parametrize("language", ["nb", "nn", "en"])
async def test_every_public_page_exists_in_three_languages(
    client: httpx.AsyncClient, path: str, language: str
) -> None:
    response = await client.get(path, headers={"Accept-Language": language})
    assert response.status_code == 200
    assert f'<html lang="{language}"' in response.text
    assert response.text.count("<h1") == 1
    assert 'id="main"' in response.text and 'href="#main"' in response.text
    assert "<script>" not in response.text  # no inline script: the CSP forbids it


async def test_about_page_covers_what_people_need_to_know(client: httpx.AsyncClient) -> None:
    text = (await client.get("/about", headers={"Accept-Language": "en"})).text
    for topic in ("right to", "coordinator", "free", "apply", "appeal", "four weeks"):
        assert topic in text


async def test_start_page_lists_the_municipalities_served(
    client: httpx.AsyncClient, session: AsyncSession, clock: FrozenClock
) -> None:
    await make_municipality(session, clock=clock, name="Testvik kommune")
    response = await client.get("/")
    assert "Testvik kommune" in response.text


async def test_a_bad_accept_language_header_falls_back_to_bokmal(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("/", headers={"Accept-Language": ";;q=abc,,*-;q=,\x7f"})
    assert response.status_code == 200
    assert '<html lang="nb"' in response.text


async def test_language_choice_is_remembered_in_a_cookie(client: httpx.AsyncClient) -> None:
    page = await client.get("/about")
    response = await client.post(
        "/language", data={"lang": "nn", "next": "/about", "csrf_token": _csrf_token(page.text)}
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/about"
    cookie = response.headers["set-cookie"]
    assert "samplan_lang=nn" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    again = await client.get("/about", headers={"Accept-Language": "en"})
    assert '<html lang="nn"' in again.text


async def test_an_unknown_language_code_gets_a_clear_4xx(client: httpx.AsyncClient) -> None:
    page = await client.get("/", headers={"Accept-Language": "en"})
    response = await client.post(
        "/language",
        data={"lang": "xx", "next": "/", "csrf_token": _csrf_token(page.text)},
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 422
    assert "Choose Bokmål, Nynorsk or English" in response.text
    assert "text/html" in response.headers["content-type"]


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example", "/\\evil", "javascript:x"]
)
async def test_language_switch_never_redirects_away_from_samplan(
    client: httpx.AsyncClient, target: str
) -> None:
    page = await client.get("/")
    response = await client.post(
        "/language", data={"lang": "en", "next": target, "csrf_token": _csrf_token(page.text)}
    )
    assert response.headers["location"] == "/"


async def test_a_form_post_without_the_csrf_token_is_refused(client: httpx.AsyncClient) -> None:
    await client.get("/")
    response = await client.post("/language", data={"lang": "en", "next": "/"})
    assert response.status_code == 403
    assert "samplan_lang" not in response.headers.get("set-cookie", "")


async def test_a_csrf_token_from_another_browser_is_refused(
    client: httpx.AsyncClient, app: object
) -> None:
    page = await client.get("/")
    token = _csrf_token(page.text)
    client.cookies.clear()
    await client.get("/")  # a fresh browser gets its own cookie
    response = await client.post("/language", data={"lang": "en", "csrf_token": token})
    assert response.status_code == 403


async def test_htmx_requests_may_send_the_token_in_a_header(client: httpx.AsyncClient) -> None:
    page = await client.get("/")
    response = await client.post(
        "/language",
        data={"lang": "en"},
        headers={"X-CSRF-Token": _csrf_token(page.text), "HX-Request": "true"},
    )
    assert response.status_code == 303


async def test_an_unknown_page_is_a_404_page_in_the_persons_language(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("/finnes-ikke", headers={"Accept-Language": "nn"})
    assert response.status_code == 404
    assert "text/html" in response.headers["content-type"]
    assert "Vi fann ikkje sida" in response.text


async def test_an_oversized_form_is_a_413_page(client: httpx.AsyncClient, app: object) -> None:
    await client.get("/")
    response = await client.post(
        "/language",
        content=b"lang=" + b"x" * 2_000_000,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 413
    assert "text/html" in response.headers["content-type"]
