"""Steps the conversation browser tests share: logging in, giving the physiotherapist access to
the messages of Per's plan, starting a conversation, posting and waiting for a live message.

Elements are found by ids, names and values (not words), except where the words are the point.
"""

from __future__ import annotations

import re
import uuid

from playwright.async_api import Browser, BrowserContext, Locator, Page

from tests.support.live_server import LiveServer

PER, OLA = "Per Mikkelsen", "Ola Hansen"
PHYSIO_UNIT = "Fysioterapitjenesten"
# A pushed message is on the other page within this (a few seconds on a loaded machine).
LIVE_MS = 5000
DUPLICATE_IDS = """() => {
  const seen = {};
  document.querySelectorAll('[id]').forEach(e => { seen[e.id] = (seen[e.id] || 0) + 1; });
  return Object.keys(seen).filter(id => seen[id] > 1);
}"""


async def new_page(browser: Browser, *, javascript: bool = True) -> tuple[BrowserContext, Page]:
    context = await browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="nb-NO", java_script_enabled=javascript
    )
    return context, await context.new_page()


async def log_in(page: Page, server: LiveServer, realm: str, name: str) -> None:
    """Through the built-in provider; citizens are at level high by default (R-CON-4)."""
    await page.goto(f"{server.url}/login")
    await page.locator(f'a[href^="/login/{realm}"]').click()
    await page.wait_for_url(f"**/dev-idp/{realm}/authorize**")
    await page.get_by_role("button", name=name).click()
    await page.wait_for_load_state("load")


async def plan_url(page: Page, server: LiveServer, owner: str = PER) -> str:
    await page.goto(f"{server.url}/plans")
    href = await page.locator("main h2 a", has_text=owner).get_attribute("href")
    assert href is not None and re.fullmatch(r"/plans/[0-9a-f-]{36}", href), href
    return f"{server.url}{href}"


async def set_language(page: Page, language: str) -> None:
    await page.locator(f'button[name="lang"][value="{language}"]').click()
    await page.wait_for_load_state("load")
    assert await page.get_attribute("html", "lang") == language


def _ola_section(page: Page) -> Locator:
    return page.locator("section.participant", has=page.locator("h3", has_text=OLA))


async def give_ola_messages(page: Page, plan: str) -> None:
    """Per (logged in on `page`) lets his physiotherapist read and write messages; a grant
    already there for messages is replaced, so this holds whatever ran before."""
    await page.goto(f"{plan}/access")
    ola = await page.locator("#give-participant option", has_text=OLA).get_attribute("value")
    assert ola is not None
    await page.locator("#give-participant").select_option(ola)
    await page.locator("#give-part").select_option("messages")
    await page.locator("#give-mode-write").check()
    await page.locator('form[action$="/grants"] button[type="submit"]').click()
    await page.wait_for_url("**/access?done=given")


async def withdraw_button(page: Page, plan: str) -> Locator:
    """On Per's consent page: the button that withdraws the physiotherapist's messages grant."""
    await page.goto(f"{plan}/access")
    assert await page.get_attribute("html", "lang") == "nb"
    grant = _ola_section(page).locator(
        "li[id^=grant-]", has=page.locator("strong", has_text="Meldinger")
    )
    assert await grant.count() == 1
    return grant.locator('form[action$="/withdraw"] button')


async def start_thread(
    page: Page, plan: str, text: str, *, for_unit: str | None = None
) -> tuple[str, str]:
    """Start a conversation with a topic of its own; returns (its address, its id). With
    `for_unit` it is for that service only (it then shows in the service's unit inbox)."""
    topic = f"Samtale {uuid.uuid4().hex[:8]}"
    await page.goto(f"{plan}/threads")
    await page.fill("#start-topic", topic)
    if for_unit is not None:
        await page.locator("#start-audience-chosen").check()
        choice = page.locator(".thread-start__members .ds-field", has_text=for_unit)
        await choice.locator('input[value^="unit:"]').check()
    await page.fill("#start-text", text)
    await page.locator("#start button[type=submit]:not([formaction])").click()
    await page.wait_for_url(re.compile(r".*/threads/[0-9a-f-]{36}\?done=started#message-.*"))
    address = page.url.split("?")[0]
    return address, address.rsplit("/", 1)[1]


def messages_of(page: Page, thread_id: str) -> Locator:
    return page.locator(f"#messages-{thread_id}")


def composer(page: Page, thread_id: str) -> Locator:
    return page.locator(f"#message-text-{thread_id}")


async def wait_live(page: Page) -> None:
    """Until htmx's websocket extension has opened the page's socket."""
    await page.wait_for_function(
        "() => { const el = document.querySelector('[ws-connect]');"
        " const data = el && el['htmx-internal-data'];"
        " const socket = data && data.webSocket && data.webSocket.socket;"
        " return !!socket && socket.readyState === 1; }",
        timeout=LIVE_MS,
    )


async def post(page: Page, thread_id: str, text: str) -> None:
    """Type into the composer and press its Send button; the message is then on the page."""
    await composer(page, thread_id).fill(text)
    await page.locator(f"#composer-{thread_id} button[type=submit]:not([formaction])").click()
    await message(page, thread_id, text).wait_for(timeout=LIVE_MS)


def message(page: Page, thread_id: str, text: str) -> Locator:
    return messages_of(page, thread_id).locator("li.message", has_text=text)


async def unread_on_list(page: Page, plan: str, topic_link: str) -> str:
    """The tags next to a conversation on the plan's list of conversations."""
    await page.goto(f"{plan}/threads")
    item = page.locator(".thread-list__item", has=page.locator(f'a[href="{topic_link}"]'))
    return await item.locator(".thread-list__meta").inner_text()
