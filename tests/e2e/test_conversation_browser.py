"""Conversations (issue #7) in a real browser: Per Mikkelsen and his physiotherapist Ola Hansen
write to each other live over /ws?format=html, by mouse, by keyboard and without JavaScript;
a withdrawn consent cuts the open page at once (R-CON-3); axe-core finds 0 violations on every
conversation page in Bokmål and English, also after a live message (quality.md A1-A4).

Each test gives Ola the messages grant it needs and starts a conversation of its own, so the
tests pass in any order on the shared server. Steps are in tests/e2e/conversation_steps.py.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page

from tests.e2e.axe import axe_violations, describe
from tests.e2e.conversation_steps import (
    DUPLICATE_IDS,
    LIVE_MS,
    OLA,
    PER,
    PHYSIO_UNIT,
    composer,
    give_ola_messages,
    log_in,
    message,
    messages_of,
    new_page,
    plan_url,
    post,
    set_language,
    start_thread,
    unread_on_list,
    wait_live,
    withdraw_button,
)
from tests.support.live_server import LiveServer

pytestmark = pytest.mark.browser

# Set on a page before a live message is awaited; still there afterwards = no reload.
MARK = "window.samplanNoReload = 'yes'"
STILL_MARKED = "window.samplanNoReload === 'yes'"


async def _assert_accessible(page: Page) -> None:
    violations = await axe_violations(page)
    assert violations == [], describe(violations)
    assert await page.evaluate(DUPLICATE_IDS) == []


async def _focused(page: Page) -> dict[str, str]:
    return dict(
        await page.evaluate(
            "() => { const el = document.activeElement; return {tag: el.tagName.toLowerCase(),"
            " id: el.id || '', type: el.type || '', form: el.form ? el.form.id : ''}; }"
        )
    )


async def nothing_unread(page: Page, plan: str, topic_link: str) -> None:
    """The list shows nothing unread for the conversation, once the page's read frame is in."""
    for _ in range(20):
        if "Uleste" not in await unread_on_list(page, plan, topic_link):
            return
        await page.wait_for_timeout(100)
    raise AssertionError("the list still counts a message the page showed as unread")


# 1. Two people, live -----------------------------------------------------------------------


async def test_the_owner_and_the_physiotherapist_write_to_each_other_live(
    live_server: LiveServer, browser: Browser
) -> None:
    per_context, per = await new_page(browser)
    ola_context, ola = await new_page(browser)
    try:
        await log_in(per, live_server, "citizen", PER)
        plan = await plan_url(per, live_server)
        await give_ola_messages(per, plan)
        thread, thread_id = await start_thread(per, plan, "Hei Ola, når passer det å trene?")
        await wait_live(per)
        await log_in(ola, live_server, "employee", OLA)
        # Ola has not opened the conversation yet: its first message counts as unread.
        ola_list = await ola_context.new_page()
        topic_link = thread.removeprefix(live_server.url)
        assert "Uleste: 1" in await unread_on_list(ola_list, plan, topic_link)
        await ola.goto(thread)
        await wait_live(ola)
        await ola.evaluate(MARK)

        # Per writes and presses Send: the field is empty again, Ola's page has it at once.
        question = "Kan vi flytte timen til torsdag?"
        await post(per, thread_id, question)
        assert await composer(per, thread_id).input_value() == ""
        assert "message--own" in (
            await message(per, thread_id, question).get_attribute("class") or ""
        )
        await message(ola, thread_id, question).wait_for(timeout=LIVE_MS)
        assert PER in await message(ola, thread_id, question).inner_text()
        assert await ola.evaluate(STILL_MARKED)
        # It arrived on the page he has open, so it is read: his list has nothing unread.
        await nothing_unread(ola_list, plan, topic_link)

        # ...and the other way.
        await per.evaluate(MARK)
        answer = "Torsdag klokka ti passer fint."
        await post(ola, thread_id, answer)
        assert await composer(ola, thread_id).input_value() == ""
        await message(per, thread_id, answer).wait_for(timeout=LIVE_MS)
        assert OLA in await message(per, thread_id, answer).inner_text()
        assert await per.evaluate(STILL_MARKED)
        assert await messages_of(per, thread_id).locator("li.message").count() == 3
        # Per had the page open too: the answer is read, and so is everything before it.
        await nothing_unread(await per_context.new_page(), plan, topic_link)
        await nothing_unread(ola_list, plan, topic_link)
    finally:
        await per_context.close()
        await ola_context.close()


# 2. axe on every conversation page, in Bokmål and English, and after a live message ---------


async def test_a1_a3_the_conversation_pages_are_accessible_in_bokmal_and_english(
    live_server: LiveServer, browser: Browser, screenshot_dir: Path
) -> None:
    per_context, per = await new_page(browser)
    ola_context, ola = await new_page(browser)
    try:
        await log_in(per, live_server, "citizen", PER)
        plan = await plan_url(per, live_server)
        await give_ola_messages(per, plan)
        thread, thread_id = await start_thread(
            per, plan, "Til fysioterapien: øvelsene for kneet.", for_unit=PHYSIO_UNIT
        )
        await log_in(ola, live_server, "employee", OLA)
        for language in ("nb", "en"):
            await set_language(per, language)
            await per.goto(f"{plan}/threads")
            await _assert_accessible(per)
            await per.goto(thread)
            await wait_live(per)
            await per.screenshot(
                path=str(screenshot_dir / f"conversation.{language}.png"), full_page=True
            )
            await _assert_accessible(per)
            await per.goto(f"{live_server.url}/settings/notifications")
            await _assert_accessible(per)

            await set_language(ola, language)
            await ola.goto(f"{live_server.url}/inbox")
            link = ola.locator(f'.thread-list a[href="{thread.removeprefix(live_server.url)}"]')
            assert await link.count() == 1, "the conversation for his service is in his inbox"
            await _assert_accessible(ola)

        # A live message lands inside the list, which screen readers announce politely.
        await ola.goto(thread)
        await wait_live(ola)
        await per.goto(thread)
        text = "Husk å gjøre øvelsene før frokost."
        await post(per, thread_id, text)
        arrived = message(ola, thread_id, text)
        await arrived.wait_for(timeout=LIVE_MS)
        region = await arrived.evaluate(
            "el => { const r = el.closest('[aria-live]');"
            " return r && {live: r.getAttribute('aria-live'), list: r.contains(el.parentNode)}; }"
        )
        assert region == {"live": "polite", "list": True}, "a new message is not announced"
        await ola.screenshot(path=str(screenshot_dir / "conversation.live.en.png"), full_page=True)
        await _assert_accessible(ola)
    finally:
        await per_context.close()
        await ola_context.close()


# 3. By keyboard alone -----------------------------------------------------------------------


async def test_a2_a_message_is_written_and_sent_by_keyboard_alone(
    live_server: LiveServer, browser: Browser
) -> None:
    context, page = await new_page(browser)
    try:
        await log_in(page, live_server, "citizen", PER)
        plan = await plan_url(page, live_server)
        thread, thread_id = await start_thread(page, plan, "Et spørsmål om neste møte.")
        await page.goto(thread)
        await wait_live(page)
        field = f"message-text-{thread_id}"
        for _ in range(60):
            await page.keyboard.press("Tab")
            if (await _focused(page))["id"] == field:
                break
        else:
            raise AssertionError("Tab from the top never reached the message field")
        text = "Jeg kommer, men litt seinere."
        await page.keyboard.type(text)
        await page.keyboard.press("Tab")  # the optional file field comes next, then Send
        assert (await _focused(page))["id"] == f"message-files-{thread_id}"
        await page.keyboard.press("Tab")
        assert await _focused(page) == {
            "tag": "button",
            "id": "",
            "type": "submit",
            "form": f"composer-{thread_id}",
        }
        await page.keyboard.press("Enter")
        await message(page, thread_id, text).wait_for(timeout=LIVE_MS)
        # The form is fresh and empty, and focus is back in its field, visibly, to write again.
        await page.wait_for_function(f"document.activeElement.id === {field!r}", timeout=LIVE_MS)
        assert await composer(page, thread_id).input_value() == ""
        assert await page.evaluate("document.activeElement.matches(':focus-visible')")
        outline = await page.evaluate(
            "() => { const s = getComputedStyle(document.activeElement);"
            " return s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0"
            " || s.boxShadow !== 'none'; }"
        )
        assert outline, "the focused message field shows no focus indicator"
        await _assert_accessible(page)
    finally:
        await context.close()


# 4. Without JavaScript -----------------------------------------------------------------------


async def test_without_javascript_a_conversation_is_read_and_written(
    live_server: LiveServer, browser: Browser, screenshot_dir: Path
) -> None:
    per_context, per = await new_page(browser)
    ola_context, ola = await new_page(browser, javascript=False)
    try:
        await log_in(per, live_server, "citizen", PER)
        plan = await plan_url(per, live_server)
        await give_ola_messages(per, plan)
        first = "Ola, kan du se på øvelsesprogrammet?"
        thread, thread_id = await start_thread(per, plan, first)

        await log_in(ola, live_server, "employee", OLA)
        await ola.goto(thread)
        assert await message(ola, thread_id, first).count() == 1
        answer = "Ja, jeg tar det med på torsdag."
        await composer(ola, thread_id).fill(answer)
        await ola.locator(f"#composer-{thread_id} button[type=submit]:not([formaction])").click()
        await ola.wait_for_url(f"{thread}#message-*")
        assert await message(ola, thread_id, answer).count() == 1
        assert await composer(ola, thread_id).input_value() == ""
        await ola.screenshot(path=str(screenshot_dir / "conversation.no-js.png"), full_page=True)
        # (No axe here: it is a script, and scripts are off. The same page is checked above.)
        await per.goto(thread)
        assert await message(per, thread_id, answer).count() == 1
    finally:
        await per_context.close()
        await ola_context.close()


# 5. A withdrawn consent cuts the open page (R-CON-3) ----------------------------------------


async def test_r_con_3_withdrawn_consent_cuts_the_open_conversation_page(
    live_server: LiveServer, browser: Browser, screenshot_dir: Path
) -> None:
    per_context, per = await new_page(browser)
    ola_context, ola = await new_page(browser)
    try:
        await log_in(per, live_server, "citizen", PER)
        plan = await plan_url(per, live_server)
        await give_ola_messages(per, plan)
        thread, thread_id = await start_thread(per, plan, "Om treningen denne uka.")
        await log_in(ola, live_server, "employee", OLA)
        await ola.goto(thread)
        await wait_live(ola)
        # A message that arrives proves Ola's page is subscribed before consent is withdrawn.
        await post(per, thread_id, "Jeg var ute og gikk i går.")
        await message(ola, thread_id, "Jeg var ute og gikk i går.").wait_for(timeout=LIVE_MS)

        consent_page = await per_context.new_page()
        withdraw = await withdraw_button(consent_page, plan)
        started = time.monotonic()
        await withdraw.click()
        status = ola.locator(f"#live-status-{thread_id} [role=alert]")
        await status.wait_for(timeout=2000)
        elapsed = time.monotonic() - started
        assert elapsed < 1.5, f"the open page was told after {elapsed:.1f} s"
        await consent_page.wait_for_url("**/access?done=withdrawn")
        assert await ola.locator(f"#live-status-{thread_id}").get_attribute("role") == "status"
        assert "ikke lenger tilgang" in await status.inner_text()
        assert await ola.locator(f"#composer-{thread_id}").is_hidden()
        assert await composer(ola, thread_id).count() == 0
        # No heading is left over the form that went: only "Messages" in this section.
        assert await ola.locator(".thread-messages h2:visible").count() == 1
        await ola.screenshot(path=str(screenshot_dir / "conversation.revoked.nb.png"))
        await _assert_accessible(ola)

        # What Per writes now does not reach Ola's page, which stays as it was.
        after = "Dette skal ikke fysioterapeuten se."
        await post(per, thread_id, after)
        await ola.wait_for_timeout(1000)
        assert await message(ola, thread_id, after).count() == 0
        assert await messages_of(ola, thread_id).locator("li.message").count() == 2
        # ...and a reload does not show the conversation either.
        answer = await ola.reload()
        assert answer is not None and answer.status in (403, 404)
        assert after not in await ola.content()
    finally:
        await per_context.close()
        await ola_context.close()


# 6. A draft survives a reload ----------------------------------------------------------------


async def test_r_safe_1_a_message_draft_is_kept_across_a_reload(
    live_server: LiveServer, browser: Browser
) -> None:
    context, page = await new_page(browser)
    try:
        await log_in(page, live_server, "citizen", PER)
        plan = await plan_url(page, live_server)
        thread, thread_id = await start_thread(page, plan, "Om hjelpemidler i badet.")
        await page.goto(thread)
        draft = "Jeg lurer på om jeg kan få en dusjkrakk, og"
        await composer(page, thread_id).fill(draft)
        await page.locator(f"#message-text-{thread_id}-draft #draft-saved").wait_for(
            timeout=LIVE_MS
        )
        await page.reload()
        assert await composer(page, thread_id).input_value() == draft
        assert await page.locator(f"#message-text-{thread_id}-draft").inner_text() != ""
        await _assert_accessible(page)

        # Sending it throws the draft away: after a reload the field is empty.
        await wait_live(page)
        await page.locator(f"#composer-{thread_id} button[type=submit]:not([formaction])").click()
        await message(page, thread_id, draft).wait_for(timeout=LIVE_MS)
        await page.reload()
        assert await composer(page, thread_id).input_value() == ""
    finally:
        await context.close()
