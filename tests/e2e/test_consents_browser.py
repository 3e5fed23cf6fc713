"""Who can see the plan, in a real browser: owners, a guardian, a young person at 16; axe-clean."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.async_api import Browser, BrowserContext, Page

from tests.e2e.axe import axe_violations, describe
from tests.support.live_server import LiveServer

pytestmark = pytest.mark.browser


async def _log_in(page: Page, server: LiveServer, name: str) -> None:
    await page.goto(f"{server.url}/login")
    await page.locator('a[href^="/login/citizen"]').click()
    await page.wait_for_url("**/dev-idp/citizen/authorize**")
    await page.get_by_role("button", name=name).click()
    await page.wait_for_load_state("load")


async def _assert_accessible(page: Page) -> None:
    violations = await axe_violations(page)
    assert violations == [], describe(violations)


async def _open_access_page(page: Page, server: LiveServer) -> None:
    await page.goto(f"{server.url}/plans")
    await page.get_by_role("link", name="Hvem kan se planen").first.click()
    await page.wait_for_url("**/access")


async def test_per_sees_who_can_see_his_plan_and_makes_an_invitation_link(
    live_server: LiveServer, context: BrowserContext, screenshot_dir: Path
) -> None:
    page = await context.new_page()
    await _log_in(page, live_server, "Per Mikkelsen")
    await _open_access_page(page, live_server)
    text = await page.locator("main").inner_text()
    assert "Ola Hansen" in text and "Ingrid Berg" in text and "Liv Mikkelsen" in text
    await page.screenshot(path=str(screenshot_dir / "access.per.nb.png"), full_page=True)
    await _assert_accessible(page)

    await page.locator("#link-goals_actions").check()
    await page.get_by_role("button", name="Lag invitasjonslenke").click()
    await page.wait_for_load_state("load")
    link = await page.locator("#new-link").input_value()
    assert "/invitations/" in link
    await _assert_accessible(page)

    assert context.browser is not None
    other = await context.browser.new_context(locale="nb-NO")
    guest = await other.new_page()
    await guest.goto(link)
    assert "Logg inn" in await guest.locator("main").inner_text()
    await _assert_accessible(guest)
    await other.close()


@pytest.mark.parametrize("language", ["nn", "en"])
async def test_the_access_page_in_nynorsk_and_english(
    live_server: LiveServer, context: BrowserContext, screenshot_dir: Path, language: str
) -> None:
    page = await context.new_page()
    await _log_in(page, live_server, "Per Mikkelsen")
    await _open_access_page(page, live_server)
    await page.locator(f'button[name="lang"][value="{language}"]').click()
    await page.wait_for_load_state("load")
    assert await page.get_attribute("html", "lang") == language
    await page.screenshot(path=str(screenshot_dir / f"access.per.{language}.png"), full_page=True)
    await _assert_accessible(page)


async def test_a_guardian_sees_the_young_persons_own_access_at_320_px(
    live_server: LiveServer, browser: Browser, screenshot_dir: Path
) -> None:
    narrow = await browser.new_context(viewport={"width": 320, "height": 640}, locale="nb-NO")
    page = await narrow.new_page()
    await _log_in(page, live_server, "Mari Vik")
    await page.wait_for_url("**/acting-for**")
    await page.get_by_label("Jonas Vik", exact=False).check()
    await page.get_by_role("button", name="Fortsett").click()
    await _open_access_page(page, live_server)
    main = await page.locator("main").inner_text()
    assert "Sara Lie" in main and "Stopp ungdommens tilgang" in main
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= 320, "the page scrolls sideways at 320 px"
    await page.screenshot(path=str(screenshot_dir / "access.guardian.320.png"), full_page=True)
    await _assert_accessible(page)
    await narrow.close()


async def test_r_age_4_nora_is_welcomed_as_in_charge_at_16(
    live_server: LiveServer, context: BrowserContext, screenshot_dir: Path
) -> None:
    page = await context.new_page()
    await _log_in(page, live_server, "Nora Aasen")
    await page.goto(f"{live_server.url}/plans")
    await page.wait_for_url("**/welcome")
    assert "Nå bestemmer du over planen din" in await page.locator("h1").inner_text()
    await page.screenshot(path=str(screenshot_dir / "welcome.nora.png"), full_page=True)
    await _assert_accessible(page)
    await page.get_by_role("button", name="Behold dem som de er").click()
    await page.wait_for_url("**/plans")
    await page.goto(f"{live_server.url}/plans")
    assert page.url.endswith("/plans")  # nothing left to confirm
