"""The test-login and logout pages in a real browser: axe-core, keyboard, no JavaScript needed."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from playwright.async_api import Browser, BrowserContext, Page, Route

from tests.dev_idp.support import SYNTHETIC_PID, IdpServer, new_login
from tests.e2e.axe import axe_violations, describe

pytestmark = pytest.mark.browser
LANGUAGES = ["nb", "nn", "en"]


@pytest.fixture
async def context(chromium: Browser) -> AsyncIterator[BrowserContext]:
    context = await chromium.new_context(viewport={"width": 1280, "height": 900})
    yield context
    await context.close()


def _watch(page: Page, server: IdpServer, path: str) -> list[str]:
    """Note each request to the portal's address; redirect targets cannot be stubbed."""
    seen: list[str] = []
    prefix = f"{server.url}{path}"
    page.on(
        "request",
        lambda request: seen.append(request.url) if request.url.startswith(prefix) else None,
    )
    return seen


async def _stub(page: Page, server: IdpServer, path: str) -> list[str]:
    """Answer the portal's side with a plain page, and note what was asked of it."""
    seen: list[str] = []

    async def answer(route: Route) -> None:
        seen.append(route.request.url)
        await route.fulfill(status=200, content_type="text/html", body="<title>stub</title>")

    await page.route(f"{server.url}{path}*", answer)
    return seen


def _authorize_url(server: IdpServer, realm: str = "citizen", **params: str) -> str:
    login = new_login(server, realm, acr_values="idporten-loa-substantial", **params)
    if realm != "citizen":
        login = new_login(server, realm, **params)
    return f"{server.url}/dev-idp/{realm}/authorize?{urlencode(login.params)}"


async def _assert_accessible(
    page: Page, shot: Path, *, ignore: frozenset[str] = frozenset()
) -> None:
    await page.screenshot(path=str(shot), full_page=True)
    violations = [item for item in await axe_violations(page) if item["id"] not in ignore]
    assert violations == [], describe(violations)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("realm", ["citizen", "employee"])
async def test_the_login_page_has_no_axe_violations(
    idp_server: IdpServer, context: BrowserContext, screenshot_dir: Path, realm: str, language: str
) -> None:
    page = await context.new_page()
    errors: list[str] = []
    page.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else None
    )
    response = await page.goto(_authorize_url(idp_server, realm, ui_locales=language))
    assert response is not None and response.status == 200
    assert await page.get_attribute("html", "lang") == language
    assert await page.locator("h1").count() == 1
    assert await page.locator(".ds-alert[data-color=info]").count() == 1
    await _assert_accessible(page, screenshot_dir / f"login-{realm}.{language}.png")
    assert errors == []  # a CSP violation would show here


@pytest.mark.parametrize("language", LANGUAGES)
async def test_the_typed_number_error_state_has_no_axe_violations(
    idp_server: IdpServer, context: BrowserContext, screenshot_dir: Path, language: str
) -> None:
    page = await context.new_page()
    await page.goto(_authorize_url(idp_server, ui_locales=language))
    await page.locator("#pid").fill("12345678901")
    await page.locator("#pid").press("Enter")
    await page.wait_for_load_state("load")
    error = page.locator("#pid-error")
    assert await error.is_visible()
    assert await page.locator("#pid").get_attribute("aria-invalid") == "true"
    assert await page.locator("#pid").input_value() == ""  # the number is not echoed back
    await _assert_accessible(page, screenshot_dir / f"login-citizen-error.{language}.png")


async def test_switching_language_keeps_the_login_request(
    idp_server: IdpServer, context: BrowserContext
) -> None:
    page = await context.new_page()
    url = _authorize_url(idp_server, ui_locales="nb")
    await page.goto(url)
    await page.locator('button[name="lang"][value="nn"]').click()
    await page.wait_for_load_state("load")
    assert page.url == url  # the same authorization request, now in Nynorsk
    assert await page.get_attribute("html", "lang") == "nn"
    assert await page.locator("#pid").count() == 1


async def test_enter_in_the_number_field_logs_in_with_that_number_by_keyboard(
    idp_server: IdpServer, context: BrowserContext
) -> None:
    page = await context.new_page()
    callbacks = _watch(page, idp_server, "/auth/citizen/callback")
    await page.goto(_authorize_url(idp_server))
    await page.locator("#acr-substantial").focus()
    await page.keyboard.press("Space")
    await page.keyboard.press("Tab")  # from the level group to the number field
    assert await page.evaluate("document.activeElement.id") == "pid"
    await page.keyboard.type(SYNTHETIC_PID)
    await page.keyboard.press("Enter")
    await page.wait_for_url(f"{idp_server.url}/auth/citizen/callback*")
    query = parse_qs(urlsplit(callbacks[0]).query)
    assert set(query) == {"code", "state", "iss"}
    assert query["iss"] == [idp_server.issuer("citizen")]


async def test_clicking_a_person_goes_back_to_the_portal_with_a_code(
    idp_server: IdpServer, context: BrowserContext
) -> None:
    page = await context.new_page()
    callbacks = _watch(page, idp_server, "/auth/citizen/callback")
    await page.goto(_authorize_url(idp_server, ui_locales="en"))
    await page.get_by_role("button", name="Emma Solberg, age 9").click()
    await page.wait_for_url(f"{idp_server.url}/auth/citizen/callback*")
    assert "code" in parse_qs(urlsplit(callbacks[0]).query)


async def test_logout_page_loads_the_front_channel_and_links_back(
    idp_server: IdpServer, context: BrowserContext, screenshot_dir: Path
) -> None:
    page = await context.new_page()
    frontchannel = await _stub(page, idp_server, "/auth/citizen/frontchannel-logout")
    returned = await _stub(page, idp_server, "/logged-out")
    await page.goto(_authorize_url(idp_server))
    await page.locator("#pid").fill(SYNTHETIC_PID)
    await page.locator("#pid").press("Enter")
    await page.wait_for_url(f"{idp_server.url}/auth/citizen/callback*")

    params = {
        "client_id": "samplan",
        "post_logout_redirect_uri": f"{idp_server.url}/logged-out",
        "state": "back-here",
        "ui_locales": "en",
    }
    errors: list[str] = []
    page.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else None
    )
    await page.goto(f"{idp_server.url}/dev-idp/citizen/logout?{urlencode(params)}")
    await page.wait_for_load_state("load")
    assert len(frontchannel) == 1  # the hidden iframe was loaded, with iss and sid
    assert set(parse_qs(urlsplit(frontchannel[0]).query)) == {"iss", "sid"}
    await _assert_accessible(page, screenshot_dir / "logout.en.png")
    assert errors == []
    await page.get_by_role("link", name="Go back to Samplan").click()
    await page.wait_for_url(f"{idp_server.url}/logged-out?state=back-here", timeout=5000)
    assert returned == [f"{idp_server.url}/logged-out?state=back-here"]


async def test_the_login_page_works_without_javascript(
    idp_server: IdpServer, chromium: Browser
) -> None:
    context = await chromium.new_context(java_script_enabled=False)
    page = await context.new_page()
    callbacks = _watch(page, idp_server, "/auth/employee/callback")
    await page.goto(_authorize_url(idp_server, "employee", ui_locales="en"))
    await page.get_by_role("button", name="Kari Nordmann, Leder").click()
    await page.wait_for_url(f"{idp_server.url}/auth/employee/callback*")
    assert "code" in parse_qs(urlsplit(callbacks[0]).query)
    await context.close()
