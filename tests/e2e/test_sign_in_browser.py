"""Sign-in in a real browser: every demo persona through the real flow; pages axe-clean."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.async_api import BrowserContext, Page

from tests.e2e.axe import axe_violations, describe
from tests.support.live_server import LiveServer

pytestmark = pytest.mark.browser

PERSONAS = {
    "citizen": ["Emma Solberg", "Jonas Vik", "Nora Aasen", "Per Mikkelsen"],
    "employee": ["Ingrid Berg", "Kari Nordmann", "Ola Hansen"],
}
LOGIN_BUTTON = {"citizen": "/login/citizen", "employee": "/login/employee"}


async def _log_in(page: Page, server: LiveServer, realm: str, name: str) -> None:
    await page.goto(f"{server.url}/login")
    await page.locator(f'a[href^="{LOGIN_BUTTON[realm]}"]').click()
    await page.wait_for_url(f"**/dev-idp/{realm}/authorize**")
    await page.get_by_role("button", name=name).click()
    await page.wait_for_url(f"{server.url}/")


async def _assert_accessible(page: Page) -> None:
    violations = await axe_violations(page)
    assert violations == [], describe(violations)


@pytest.mark.parametrize(
    ("realm", "name"), [(realm, name) for realm, names in PERSONAS.items() for name in names]
)
async def test_each_demo_persona_logs_in_through_the_real_flow(
    live_server: LiveServer,
    context: BrowserContext,
    screenshot_dir: Path,
    realm: str,
    name: str,
) -> None:
    page = await context.new_page()
    await _log_in(page, live_server, realm, name)
    header = page.locator("header")
    assert name in await header.inner_text()
    await page.screenshot(path=str(screenshot_dir / f"logged-in.{name.split()[0]}.png"))
    await _assert_accessible(page)


@pytest.mark.parametrize("language", ["nb", "nn", "en"])
async def test_sign_in_pages_are_accessible_in_each_language(
    live_server: LiveServer, context: BrowserContext, screenshot_dir: Path, language: str
) -> None:
    page = await context.new_page()
    await page.goto(f"{live_server.url}/")
    await page.locator(f'button[name="lang"][value="{language}"]').click()
    await page.wait_for_load_state("load")
    for path, name in [("/login", "login"), ("/logged-out", "logged-out")]:
        await page.goto(f"{live_server.url}{path}")
        assert await page.get_attribute("html", "lang") == language
        await page.screenshot(path=str(screenshot_dir / f"{name}.{language}.png"), full_page=True)
        await _assert_accessible(page)
    await page.goto(f"{live_server.url}/login")
    await page.locator('a[href^="/login/citizen"]').click()
    await page.wait_for_url("**/dev-idp/citizen/authorize**")
    assert await page.get_attribute("html", "lang") == language
    await page.screenshot(path=str(screenshot_dir / f"dev-idp.{language}.png"), full_page=True)
    await _assert_accessible(page)
    await page.get_by_role("button", name="Nora Aasen").click()
    await page.wait_for_url(f"{live_server.url}/")
    await page.goto(f"{live_server.url}/sessions")
    await page.screenshot(path=str(screenshot_dir / f"sessions.{language}.png"), full_page=True)
    await _assert_accessible(page)


async def test_a_keyboard_user_logs_in_and_out(
    live_server: LiveServer, context: BrowserContext
) -> None:
    page = await context.new_page()
    await page.goto(f"{live_server.url}/login")

    async def tab_to(selector: str) -> None:
        for _ in range(40):
            await page.keyboard.press("Tab")
            if await page.evaluate(f"document.activeElement.matches({selector!r})"):
                return
        raise AssertionError(f"could not reach {selector} by Tab")

    await tab_to('a[href^="/login/citizen"]')
    await page.keyboard.press("Enter")
    await page.wait_for_url("**/dev-idp/citizen/authorize**")
    await tab_to('button[name="person_id"]')
    await page.keyboard.press("Enter")
    await page.wait_for_url(f"{live_server.url}/")
    await tab_to('form[action="/logout"] button')
    await page.keyboard.press("Enter")
    await page.wait_for_url("**/dev-idp/citizen/logout**")
    await tab_to('a[href*="/logged-out"]')
    await page.keyboard.press("Enter")
    await page.wait_for_url(f"{live_server.url}/logged-out**")
    await page.goto(f"{live_server.url}/")
    assert "/login" in await page.locator("header").inner_html()


async def test_a_representative_chooses_whom_to_act_for_by_keyboard_and_mouse(
    live_server: LiveServer, context: BrowserContext, screenshot_dir: Path
) -> None:
    page = await context.new_page()
    await page.goto(f"{live_server.url}/login")
    await page.locator('a[href^="/login/citizen"]').click()
    await page.wait_for_url("**/dev-idp/citizen/authorize**")
    await page.get_by_role("button", name="Liv Mikkelsen").click()
    await page.wait_for_url("**/acting-for**")
    await page.screenshot(path=str(screenshot_dir / "acting-for.png"), full_page=True)
    await _assert_accessible(page)
    await page.get_by_label("Per Mikkelsen").check()
    await page.keyboard.press("Enter")  # submits the form from the radio, as keyboard users do
    await page.wait_for_url(f"{live_server.url}/")
    header = await page.locator("header").inner_text()
    assert "Liv Mikkelsen" in header and "Per Mikkelsen" in header
    await _assert_accessible(page)
