"""Fullmakt in a real browser (R-REP-1): Per registers one, Kari in the coordinating unit
verifies it, the holder can then act for Per, and Per ends it. Pages axe-clean, no JavaScript
needed. The holder is a new person typed by a synthetic number, so the demo people stay as
the other browser tests expect them."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from playwright.async_api import Browser, BrowserContext, FilePayload, Page

from app.people.identity_numbers import make_synthetic_identity_number
from tests.e2e.axe import axe_violations, describe
from tests.support.live_server import LiveServer

pytestmark = pytest.mark.browser

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
HOLDER_NUMBER = make_synthetic_identity_number(date(1984, 4, 12), serial=61)
HOLDER = "Åse Fullmektig"
DOCUMENT = FilePayload(name="fullmakt.pdf", mimeType="application/pdf", buffer=PDF)


async def _assert_accessible(page: Page) -> None:
    violations = await axe_violations(page)
    assert violations == [], describe(violations)


async def _log_in(page: Page, server: LiveServer, realm: str, name: str) -> None:
    await page.goto(f"{server.url}/login")
    await page.locator(f'a[href^="/login/{realm}"]').click()
    await page.wait_for_url(f"**/dev-idp/{realm}/authorize**")
    await page.get_by_role("button", name=name).click()
    await page.wait_for_url(f"{server.url}/")


async def _new_page(browser: Browser) -> tuple[BrowserContext, Page]:
    context = await browser.new_context(viewport={"width": 1280, "height": 900}, locale="nb-NO")
    return context, await context.new_page()


async def test_r_rep_1_register_verify_act_for_and_end_in_the_browser(
    live_server: LiveServer, browser: Browser, context: BrowserContext, screenshot_dir: Path
) -> None:
    server = live_server
    per = await context.new_page()
    await _log_in(per, server, "citizen", "Per Mikkelsen")
    await per.get_by_role("link", name="Fullmakter").click()
    await per.wait_for_url(f"{server.url}/powers-of-attorney")
    await _assert_accessible(per)

    # A first try without the document: the error summary names the field, the number is gone.
    await per.fill("#holder_identity_number", HOLDER_NUMBER)
    await per.fill("#holder_given_name", "Åse")
    await per.fill("#holder_family_name", "Fullmektig")
    await per.check("#parts-all")
    await per.check("#acts-true")
    await per.get_by_role("button", name="Registrer fullmakten").click()
    await per.wait_for_load_state("load")
    summary = per.locator(".ds-error-summary")
    assert "PDF" in await summary.inner_text()
    assert await per.input_value("#holder_identity_number") == ""
    assert await per.input_value("#holder_given_name") == "Åse"
    assert HOLDER_NUMBER not in await per.content()
    await per.screenshot(path=str(screenshot_dir / "fullmakter.error.png"), full_page=True)
    await _assert_accessible(per)
    await summary.get_by_role("link").click()
    assert await per.evaluate("document.activeElement.id") == "document"

    await per.fill("#holder_identity_number", HOLDER_NUMBER)
    await per.set_input_files("#document", files=DOCUMENT)
    await per.get_by_role("button", name="Registrer fullmakten").click()
    await per.wait_for_url("**/powers-of-attorney?done=registered")
    row = per.locator("tr", has_text=HOLDER)
    assert "Venter på koordinerende enhet" in await row.inner_text()
    await per.screenshot(path=str(screenshot_dir / "fullmakter.nb.png"), full_page=True)
    await _assert_accessible(per)

    ke_context, kari = await _new_page(browser)
    try:
        await _log_in(kari, server, "employee", "Kari Nordmann")
        await kari.goto(f"{server.url}/municipality/powers-of-attorney")
        row = kari.locator("tr", has_text=HOLDER)
        assert "Per Mikkelsen" in await row.inner_text()
        await kari.screenshot(path=str(screenshot_dir / "kommune-fullmakter.nb.png"))
        await _assert_accessible(kari)
        async with kari.expect_download() as download:
            await row.get_by_role("link", name="fullmakt.pdf").click()
        assert (await download.value).suggested_filename == "fullmakt.pdf"
        await row.get_by_role("button", name="Godkjenn").click()
        await kari.wait_for_url("**/municipality/powers-of-attorney?done=verified")
        assert await kari.locator("tr", has_text=HOLDER).count() == 0
        await _assert_accessible(kari)
        for language in ("nn", "en"):
            await kari.locator(f'button[name="lang"][value="{language}"]').click()
            await kari.wait_for_load_state("load")
            assert await kari.get_attribute("html", "lang") == language
            await _assert_accessible(kari)
    finally:
        await ke_context.close()

    holder_context, holder = await _new_page(browser)
    try:
        await holder.goto(f"{server.url}/login")
        await holder.locator('a[href^="/login/citizen"]').click()
        await holder.wait_for_url("**/dev-idp/citizen/authorize**")
        await holder.fill("#pid", HOLDER_NUMBER)
        await holder.locator('button[name="use_pid"]').click()
        await holder.wait_for_url("**/acting-for**")
        await holder.get_by_label("Per Mikkelsen").check()
        await holder.get_by_role("button", name="Fortsett").click()
        await holder.wait_for_url(f"{server.url}/")
        header = await holder.locator("header").inner_text()
        assert HOLDER in header and "Per Mikkelsen" in header

        await per.locator("tr", has_text=HOLDER).get_by_role("button").click()
        await per.wait_for_url("**/powers-of-attorney?done=ended")
        assert "Avsluttet" in await per.locator("tr", has_text=HOLDER).inner_text()

        await holder.reload()
        assert "Per Mikkelsen" not in await holder.locator("header").inner_text()
    finally:
        await holder_context.close()

    for language in ("nn", "en"):
        await per.locator(f'button[name="lang"][value="{language}"]').click()
        await per.wait_for_load_state("load")
        assert await per.get_attribute("html", "lang") == language
        await per.screenshot(
            path=str(screenshot_dir / f"fullmakter.{language}.png"), full_page=True
        )
        await _assert_accessible(per)
