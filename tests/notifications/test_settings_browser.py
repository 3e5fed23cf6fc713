"""/settings/notifications in a real browser, in nb, nn and en: axe-clean at WCAG 2.1 AA with
the defaults, with errors and after saving; the error summary leads to the field; no JavaScript
needed. A live server of its own, so the e2e suite's demo people are left as they are."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, async_playwright

from app.i18n import Language, translations
from app.notifications.addresses import BAD_EMAIL
from app.notifications.service import PHONE_NEEDED
from tests.conftest import LIVE_SERVER_LOGS
from tests.e2e.axe import axe_violations, describe
from tests.support import databases
from tests.support.browser import launch_chromium
from tests.support.live_server import LiveServer, start_live_server

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots" / databases.backend()
LOCALES = {"nb": "nb-NO", "nn": "nn-NO", "en": "en-GB"}


@pytest.fixture(scope="module")
async def server(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[LiveServer]:
    data_dir = tmp_path_factory.mktemp("notifications-live")
    name = f"samplan_notifications_{databases.worker_suffix()}"
    url = await databases.fresh_database(name, data_dir)
    live = start_live_server(
        database_url=url, data_dir=data_dir, extra_env={"SAMPLAN_LOGIN_RATE_PER_MINUTE": "100000"}
    )
    LIVE_SERVER_LOGS.append(live.log_path)
    yield live
    live.stop()
    await databases.drop_database(name)


@pytest.fixture(scope="module")
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        chromium = await launch_chromium(playwright)
        yield chromium
        await chromium.close()


async def _assert_accessible(page: Page) -> None:
    violations = await axe_violations(page)
    assert violations == [], describe(violations)


async def _log_in_as_per(page: Page, server: LiveServer) -> None:
    await page.goto(f"{server.url}/login")
    await page.locator('a[href^="/login/citizen"]').click()
    await page.wait_for_url("**/dev-idp/citizen/authorize**")
    await page.get_by_role("button", name="Per Mikkelsen").click()
    await page.wait_for_url(f"{server.url}/")


@pytest.mark.parametrize("language", ["nb", "nn", "en"])
async def test_r_note_2_choosing_notifications_in_the_browser(
    server: LiveServer, browser: Browser, language: str
) -> None:
    gettext = translations(Language(language)).gettext
    context = await browser.new_context(
        viewport={"width": 1280, "height": 900}, locale=LOCALES[language]
    )
    page = await context.new_page()
    try:
        await _log_in_as_per(page, server)
        await page.goto(f"{server.url}/settings/notifications")
        assert await page.locator("html").get_attribute("lang") == language
        assert await page.is_checked("#channel-none")
        await _assert_accessible(page)

        await page.check("#channel-sms")
        await page.check("#frequency-daily")
        await page.fill("#email", "per@")
        await page.fill("#phone", "")
        await page.get_by_role("button", name=gettext("Save")).click()
        await page.wait_for_load_state("load")
        summary = page.locator(".ds-error-summary")
        assert gettext(BAD_EMAIL) in await summary.inner_text()
        assert gettext(PHONE_NEEDED) in await summary.inner_text()
        assert await page.input_value("#email") == "per@"
        assert await page.is_checked("#channel-sms") and await page.is_checked("#frequency-daily")
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        await page.screenshot(
            path=str(SCREENSHOTS / f"notifications.error.{language}.png"), full_page=True
        )
        await _assert_accessible(page)
        await summary.get_by_role("link").first.click()
        assert await page.evaluate("document.activeElement.id") == "email"

        await page.fill("#email", "per@example.test")
        await page.fill("#phone", "912 34 567")
        await page.get_by_role("button", name=gettext("Save")).click()
        await page.wait_for_url("**/settings/notifications?done=saved")
        assert (
            gettext("Your choices are saved.") in await page.locator("[role=status]").inner_text()
        )
        assert await page.input_value("#phone") == "+4791234567"
        await page.screenshot(
            path=str(SCREENSHOTS / f"notifications.{language}.png"), full_page=True
        )
        await _assert_accessible(page)

        # Back to no notices, which leaves Per as the next language's run expects him.
        await page.check("#channel-none")
        await page.get_by_role("button", name=gettext("Save")).click()
        await page.wait_for_url("**/settings/notifications?done=saved")
        assert await page.is_checked("#channel-none")
    finally:
        await context.close()
