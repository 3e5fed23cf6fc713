"""The plan page (issue #6) in a real browser: the owner, a guardian, a provider and the
coordinator at work, with htmx and without JavaScript, by mouse and by keyboard. axe-core finds
0 violations on every page and after every htmx swap (quality.md A1-A4).

On the plan page, elements are found by their ids, names and values rather than their words, so
the tests hold when the catalogues change; words are checked where the English page is on
screen. Each test makes what it needs (a proposal, a draft), so they pass in any order on one
server.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from playwright.async_api import Browser, BrowserContext, Locator, Page

from tests.e2e.axe import axe_violations, describe
from tests.support.live_server import LiveServer

pytestmark = pytest.mark.browser

PER, JONAS, MARI = "Per Mikkelsen", "Jonas Vik", "Mari Vik"
OLA, INGRID = "Ola Hansen", "Ingrid Berg"
PHYSIO_PROPOSAL = "Bedre balanse, så jeg ikke faller."
WALK_GOAL = "Jeg vil klare å gå alene til butikken igjen."
SUB_GOAL = "Gå uten stokk inne i huset."
PHYSIO_ACTION = "Gangtrening med fysioterapeut"
HOME_CARE_ACTION = "Vurdere hjelpemidler i hjemmet"
SHIELDED_GOAL = "Snakke med helsesykepleieren om hvordan jeg har det."
# Nothing left of an htmx request: the swap is done and [autofocus] has had its turn.
SWAP_DONE = """() => {
  const content = document.querySelector('#plan-content');
  return content !== null && content.dataset.before !== 'yes'
    && !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling, .htmx-added');
}"""


DUPLICATE_IDS = """() => {
  const seen = {};
  document.querySelectorAll('[id]').forEach(e => { seen[e.id] = (seen[e.id] || 0) + 1; });
  return Object.keys(seen).filter(id => seen[id] > 1);
}"""


async def _assert_accessible(page: Page) -> None:
    violations = await axe_violations(page)
    assert violations == [], describe(violations)
    # axe's WCAG tags leave duplicate ids out; a label pointing at the wrong element is no less
    # broken (an open action form once shared its title field's id with the card's heading).
    assert await page.evaluate(DUPLICATE_IDS) == []


async def _new_page(
    browser: Browser, *, javascript: bool = True, width: int = 1280
) -> tuple[BrowserContext, Page]:
    context = await browser.new_context(
        viewport={"width": width, "height": 900}, locale="nb-NO", java_script_enabled=javascript
    )
    page = await context.new_page()
    return context, page


async def _log_in(page: Page, server: LiveServer, realm: str, name: str) -> None:
    await page.goto(f"{server.url}/login")
    await page.locator(f'a[href^="/login/{realm}"]').click()
    await page.wait_for_url(f"**/dev-idp/{realm}/authorize**")
    await page.get_by_role("button", name=name).click()
    await page.wait_for_load_state("load")


async def _act_for(page: Page, child: str) -> None:
    await page.wait_for_url("**/acting-for**")
    await page.get_by_label(child, exact=False).check()
    await page.get_by_role("button", name="Fortsett").click()
    await page.wait_for_load_state("load")


async def _open_plan(page: Page, server: LiveServer, owner: str) -> str:
    """From the list of plans, by the link in the plan's heading; returns the plan's address."""
    await page.goto(f"{server.url}/plans")
    await page.locator("main h2 a", has_text=owner).click()
    await page.wait_for_url(re.compile(r".*/plans/[0-9a-f-]{36}$"))
    assert owner in await page.locator("h1").inner_text()
    return page.url


async def _swap(page: Page, *, action: Locator | None = None, key: str | None = None) -> None:
    """Click (or press a key) and wait until htmx has swapped #plan-content."""
    await page.evaluate("document.querySelector('#plan-content').dataset.before = 'yes'")
    if key is not None:
        await page.keyboard.press(key)
    else:
        assert action is not None
        await action.click()
    await page.wait_for_function(SWAP_DONE)


def _goal(page: Page, text: str) -> Locator:
    """The goal card whose own heading (not a sub-goal's) has this text."""
    heading = page.locator(
        "article.goal-card > h3, article.goal-card > h4, article.goal-card > h5", has_text=text
    )
    return heading.locator("xpath=..")


def _action(page: Page, title: str) -> Locator:
    heading = page.locator(
        "article.action-card > h4, article.action-card > h5, article.action-card > h6",
        has_text=title,
    )
    return heading.locator("xpath=..")


async def _focused(page: Page) -> dict[str, str]:
    return dict(
        await page.evaluate(
            "() => ({tag: document.activeElement.tagName.toLowerCase(),"
            " id: document.activeElement.id || '', name: document.activeElement.name || ''})"
        )
    )


async def _tab_to(page: Page, condition: str, *, limit: int = 250) -> None:
    """Press Tab until `condition` (a JS expression about `el`, the focused element) holds."""
    for _ in range(limit):
        await page.keyboard.press("Tab")
        if await page.evaluate(
            f"(() => {{ const el = document.activeElement; return {condition}; }})()"
        ):
            return
    raise AssertionError(f"Tab never reached an element where {condition}")


async def _propose_as_ola(browser: Browser, server: LiveServer, text: str) -> None:
    """Ola Hansen (physiotherapist, write grant) proposes a goal in Per's plan."""
    context, page = await _new_page(browser)
    try:
        await _log_in(page, server, "employee", OLA)
        await _open_plan(page, server, PER)
        await page.locator("#goals > details.add-details > summary").click()
        await page.fill("#goal-new-text", text)
        await _swap(page, action=page.locator('#goals > details.add-details button[type="submit"]'))
        assert "done=proposed" in page.url
    finally:
        await context.close()


# 1. The owner, by mouse -------------------------------------------------------------------


async def test_r_plan_3_r_plan_4_the_owner_accepts_a_proposal_writes_and_comments(
    live_server: LiveServer, context: BrowserContext, screenshot_dir: Path
) -> None:
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    await _log_in(page, live_server, "citizen", PER)
    await _open_plan(page, live_server, PER)
    await _assert_accessible(page)

    # R-PLAN-3: the physiotherapist's goal waits among the proposals until Per accepts it.
    proposal = page.locator(".proposals").locator("article.goal-card", has_text=PHYSIO_PROPOSAL)
    assert await proposal.count() == 1
    await _swap(page, action=proposal.locator('button[name="status"][value="accepted"]'))
    assert await page.locator(".proposals", has_text=PHYSIO_PROPOSAL).count() == 0
    accepted = _goal(page, PHYSIO_PROPOSAL)
    # The button is gone with the swap; focus goes to the goal, not back to the top.
    assert await accepted.evaluate("card => document.activeElement === card")
    assert await accepted.count() == 1
    assert await accepted.locator('button[value="accepted"]').count() == 0
    assert await page.locator('.ds-alert[role="status"]').count() == 1
    await _assert_accessible(page)

    # His own words: the link opens the form in place, saving shows the text.
    await _swap(page, action=page.locator('#own-words a[href*="edit=life_situation"]'))
    assert "edit=life_situation" in page.url
    await _assert_accessible(page)
    words = "Å gå til butikken alene, og å ha kaffe med Liv på søndager."
    await page.fill("#life_situation-what_matters", words)
    await _swap(page, action=page.locator('#own-words button[type="submit"]'))
    assert words in await page.locator("#own-words .own-words").inner_text()
    assert await page.locator("#own-words form").count() == 0
    await _assert_accessible(page)

    # R-PLAN-4: on the home care action Per may comment, not set the status or change it.
    home_care = _action(page, HOME_CARE_ACTION)
    assert await home_care.locator('select[name="status"]').count() == 0
    assert await home_care.locator('a[href*="edit=action:"]').count() == 0
    await home_care.locator("details.add-details > summary").click()
    comment = "Hjemmebesøket passer best på formiddagen."
    await home_care.locator("textarea").fill(comment)
    await _assert_accessible(page)
    await _swap(page, action=home_care.locator('details button[type="submit"]'))
    home_care = _action(page, HOME_CARE_ACTION)
    assert comment in await home_care.locator(".note-list").inner_text()
    assert await home_care.evaluate("card => document.activeElement === card")
    assert await home_care.locator('select[name="status"]').count() == 0
    await _assert_accessible(page)
    await page.screenshot(path=str(screenshot_dir / "plan.owner.nb.png"), full_page=True)
    assert errors == []


# 2. The same by keyboard alone ------------------------------------------------------------


async def test_a2_the_owner_does_the_same_by_keyboard_alone(
    live_server: LiveServer, browser: Browser, context: BrowserContext
) -> None:
    proposal_text = "Lage middag selv to dager i uka."
    await _propose_as_ola(browser, live_server, proposal_text)
    page = await context.new_page()
    await _log_in(page, live_server, "citizen", PER)
    await page.goto(f"{live_server.url}/plans")
    await _tab_to(page, "/\\/plans\\/[0-9a-f-]{36}$/.test(el.getAttribute('href') || '')")
    await page.keyboard.press("Enter")
    await page.wait_for_url(re.compile(r".*/plans/[0-9a-f-]{36}$"))

    # Accept the new proposal with Space on its button.
    await _tab_to(
        page,
        f"el.value === 'accepted' && el.closest('article').textContent.includes({proposal_text!r})",
    )
    await _swap(page, key="Space")
    assert await page.locator(".proposals", has_text=proposal_text).count() == 0
    assert await _goal(page, proposal_text).count() == 1

    # Open the own words form with Enter: focus moves into the form, not back to <body>.
    await _tab_to(page, "(el.getAttribute('href') || '').includes('edit=life_situation')")
    await _swap(page, key="Enter")
    assert await _focused(page) == {
        "tag": "textarea",
        "id": "life_situation-what_matters",
        "name": "what_matters",
    }
    await _assert_accessible(page)
    await page.keyboard.press("Control+A")
    await page.keyboard.type("Turer langs fjorden, helst hver dag.")
    await _tab_to(page, "el.type === 'submit' && el.closest('#own-words') !== null")
    await _swap(page, key="Enter")
    assert "Turer langs fjorden" in await page.locator("#own-words").inner_text()
    # After saving, focus is back on the link that opened the form.
    assert (await _focused(page))["id"] == "life_situation-open"
    await _assert_accessible(page)

    # A comment on the physiotherapy action: Enter opens the <details>, Tab reaches the field.
    await _tab_to(
        page,
        "el.tagName === 'SUMMARY' && el.closest('article').querySelector('h4, h5, h6')"
        f".textContent.includes({PHYSIO_ACTION!r})",
    )
    await page.keyboard.press("Enter")
    await page.keyboard.press("Tab")
    assert (await _focused(page))["tag"] == "textarea"
    await page.keyboard.type("Øvelsene går lettere nå.")
    await page.keyboard.press("Tab")
    assert (await _focused(page))["tag"] == "button"
    await _swap(page, key="Enter")
    assert "Øvelsene går lettere nå." in await _action(page, PHYSIO_ACTION).inner_text()
    await _assert_accessible(page)


# 3. Without JavaScript --------------------------------------------------------------------


async def test_without_javascript_the_plan_is_read_edited_and_saved(
    live_server: LiveServer, browser: Browser, screenshot_dir: Path
) -> None:
    context, page = await _new_page(browser, javascript=False)
    try:
        await _log_in(page, live_server, "citizen", PER)
        plan_url = await _open_plan(page, live_server, PER)
        assert await _goal(page, SUB_GOAL).count() == 1
        assert await _goal(page, WALK_GOAL).count() == 1
        assert await _action(page, PHYSIO_ACTION).count() == 1

        await page.locator('#own-words a[href*="edit=life_situation"]').click()
        await page.wait_for_url("**?edit=life_situation#own-words")
        needs = "Hjelp til å trene, og noen å gå tur med."
        await page.fill("#life_situation-needs", needs)
        await page.locator('#own-words button[type="submit"]').click()
        await page.wait_for_url(f"{plan_url}?done=saved&at=own-words#own-words")
        assert await page.locator('.ds-alert[role="status"]').count() == 1
        assert needs in await page.locator("#own-words").inner_text()
        # (No axe here: it is a script, and scripts are off. The same page is checked above.)
        await page.screenshot(path=str(screenshot_dir / "plan.no-js.png"), full_page=True)
    finally:
        await context.close()


# 4. A guardian of a 14-year-old -----------------------------------------------------------


async def test_r_age_2_the_guardian_sees_no_shielded_goal_anywhere(
    live_server: LiveServer, browser: Browser, screenshot_dir: Path
) -> None:
    # Jonas himself sees the goal he keeps to himself...
    context, jonas = await _new_page(browser)
    try:
        await _log_in(jonas, live_server, "citizen", JONAS)
        await _open_plan(jonas, live_server, JONAS)
        assert SHIELDED_GOAL in await jonas.locator("main").inner_text()
    finally:
        await context.close()

    # ...his mother, acting for him, sees it nowhere, and is told that something is not shown.
    context, page = await _new_page(browser)
    try:
        await _log_in(page, live_server, "citizen", MARI)
        await _act_for(page, JONAS)
        plan_url = await _open_plan(page, live_server, JONAS)
        assert SHIELDED_GOAL not in await page.content()
        assert await page.locator("#shielded-note").count() == 1
        await page.screenshot(path=str(screenshot_dir / "plan.guardian.nb.png"), full_page=True)
        await _assert_accessible(page)

        await page.locator(f'a[href$="{plan_url.removeprefix(live_server.url)}/timeline"]').click()
        await page.wait_for_url("**/timeline")
        assert await page.locator(".timeline__entry").count() > 0
        assert SHIELDED_GOAL not in await page.content()
        assert await page.locator("#shielded-note").count() == 1
        await _assert_accessible(page)

        await page.goto(f"{plan_url}/print")
        assert "Trives på skolen" in await page.locator("body").inner_text()
        assert SHIELDED_GOAL not in await page.content()
        assert await page.locator("#shielded-note").count() == 1
        await _assert_accessible(page)
    finally:
        await context.close()


# 5. A provider ----------------------------------------------------------------------------


async def test_r_plan_4_the_physiotherapist_updates_his_action_only_and_proposes_a_goal(
    live_server: LiveServer, browser: Browser, screenshot_dir: Path
) -> None:
    """Per's demo consent lets Ola read the notes as well as write on his action."""
    ola_context, page = await _new_page(browser)
    try:
        await _log_in(page, live_server, "employee", OLA)
        await _open_plan(page, live_server, PER)
        await _assert_accessible(page)

        # The home care action is another unit's: no status control, no change link.
        home_care = _action(page, HOME_CARE_ACTION)
        assert await home_care.count() == 1
        assert await home_care.locator('select[name="status"]').count() == 0
        assert await home_care.locator('a[href*="edit=action:"]').count() == 0

        physio = _action(page, PHYSIO_ACTION)
        await physio.locator("details.add-details > summary").click()
        note = "Per gikk 700 meter i dag. Neste mål er butikken."
        await physio.locator("details textarea").fill(note)
        await _swap(page, action=physio.locator('details button[type="submit"]'))
        physio = _action(page, PHYSIO_ACTION)
        assert note in await physio.locator(".note-list").inner_text()
        assert OLA in await physio.locator(".note", has_text=note).inner_text()
        await _assert_accessible(page)

        await physio.locator('select[name="status"]').select_option("paused")
        await _swap(page, action=physio.locator('.inline-form button[type="submit"]'))
        physio = _action(page, PHYSIO_ACTION)
        assert await physio.locator('select[name="status"]').input_value() == "paused"
        await _assert_accessible(page)

        await page.locator("#goals > details.add-details > summary").click()
        await page.fill("#goal-new-text", "Klare trappen til andre etasje.")
        await _swap(page, action=page.locator('#goals > details.add-details button[type="submit"]'))
        assert "done=proposed" in page.url
        assert await page.locator('.ds-alert[role="status"]').count() == 1
        proposals = page.locator(".proposals")
        assert "Klare trappen til andre etasje." in await proposals.inner_text()
        # Only Per decides about a proposal.
        assert await proposals.locator('button[value="accepted"]').count() == 0
        await page.screenshot(path=str(screenshot_dir / "plan.provider.nb.png"), full_page=True)
        await _assert_accessible(page)
    finally:
        await ola_context.close()


# 6. The coordinator -----------------------------------------------------------------------


async def test_r_safe_1_the_coordinator_adds_an_action_and_sets_the_dates(
    live_server: LiveServer, context: BrowserContext, screenshot_dir: Path
) -> None:
    page = await context.new_page()
    await _log_in(page, live_server, "employee", INGRID)
    await _open_plan(page, live_server, PER)

    adding = page.locator("#actions > details.add-details")
    await adding.locator("summary").click()
    title = "Samtale med lærings- og mestringssenteret"
    await page.fill("#action-new-title", title)
    await page.fill("#action-new-extent", "Ett kurs, fire kvelder")
    await page.locator("#action-new-responsible_unit_id").select_option(label="Hjemmetjenesten")
    await page.fill("#action-new-start_date", "2027-01-10")
    await page.fill("#action-new-deadline", "2027-01-05")  # before the start
    await _swap(page, action=adding.locator('button[type="submit"]'))

    # The error stands next to the deadline, which has focus; everything typed is still there.
    deadline = page.locator("#action-new-deadline")
    assert await deadline.get_attribute("aria-invalid") == "true"
    assert "action-new-deadline-error" in (await deadline.get_attribute("aria-describedby") or "")
    assert await page.locator("#action-new-deadline-error").is_visible()
    assert (await _focused(page))["id"] == "action-new-deadline"
    assert await page.input_value("#action-new-title") == title
    assert await page.input_value("#action-new-extent") == "Ett kurs, fire kvelder"
    assert await deadline.input_value() == "2027-01-05"
    assert await page.locator("#action-new-start_date").input_value() == "2027-01-10"
    await adding.screenshot(path=str(screenshot_dir / "plan.action-error.nb.png"))
    await _assert_accessible(page)

    await deadline.fill("2027-03-01")
    await _swap(page, action=adding.locator('button[type="submit"]'))
    added = _action(page, title)
    assert await added.count() == 1
    assert "Hjemmetjenesten" in await added.inner_text()
    await _assert_accessible(page)

    # Changing it: the form opens in the card with focus on the title; Cancel closes it.
    await _swap(page, action=added.locator('a[href*="edit=action:"]'))
    action_id = (await _action(page, title).get_attribute("id") or "").removeprefix("action-")
    assert (await _focused(page))["id"] == f"action-{action_id}-title"
    await _assert_accessible(page)
    await _swap(page, action=page.locator(f"#action-{action_id} > form a[href]"))
    assert await page.locator(f"#action-{action_id} > form").count() == 0

    # The plan's dates: the form opens in place, with focus on its first field.
    await _swap(page, action=page.locator('#frame a[href*="edit=dates"]'))
    assert (await _focused(page))["id"] == "dates-period_start"
    await _assert_accessible(page)
    end = date.fromisoformat(await page.input_value("#dates-period_end"))
    revision = (end - timedelta(days=40)).isoformat()
    await page.fill("#dates-revision_date", revision)
    await _swap(page, action=page.locator('#frame > form button[type="submit"]'))
    assert await page.locator("#frame > form").count() == 0
    assert (await _focused(page))["id"] == "dates-open"
    await _assert_accessible(page)


# 7. Two people change the same goal -------------------------------------------------------


async def test_r_safe_2_the_second_save_shows_a_conflict_and_keeps_what_was_typed(
    live_server: LiveServer, browser: Browser, context: BrowserContext, screenshot_dir: Path
) -> None:
    first = await context.new_page()
    await _log_in(first, live_server, "citizen", PER)
    plan_url = await _open_plan(first, live_server, PER)
    # A goal of Per's own (accepted at once), so no other test's goal changes under it.
    await first.locator("#goals > details.add-details > summary").click()
    await first.fill("#goal-new-text", "Sykle til hytta i sommer.")
    await _swap(first, action=first.locator('#goals > details.add-details button[type="submit"]'))
    goal_id = (await _goal(first, "Sykle til hytta").get_attribute("id") or "").removeprefix(
        "goal-"
    )
    edit_url = f"{plan_url}?edit=goal:{goal_id}"
    field = f"#goal-{goal_id}-text"
    save = f"#goal-{goal_id} > form button[type=submit]"

    other, second = await _new_page(browser)
    try:
        await _log_in(second, live_server, "citizen", PER)
        await first.goto(edit_url)
        await second.goto(edit_url)
        theirs = "Sykle til hytta i juli, med el-sykkel."
        mine = "Sykle til hytta og hjem igjen i sommer."
        await first.fill(field, theirs)
        await _swap(first, action=first.locator(save))
        assert theirs in await _goal(first, theirs).inner_text()

        await second.fill(field, mine)
        async with second.expect_response(lambda r: r.request.method == "POST") as answer:
            await _swap(second, action=second.locator(save))
        assert (await answer.value).status == 409
        conflict = second.locator(f"#goal-{goal_id} .conflict")
        assert await conflict.is_visible()
        assert theirs in await conflict.locator(".conflict__theirs").inner_text()
        assert await second.input_value(field) == mine
        await second.locator(f"#goal-{goal_id}").screenshot(
            path=str(screenshot_dir / "plan.conflict.nb.png")
        )
        await _assert_accessible(second)

        await _swap(second, action=second.locator(save))
        assert await second.locator(".conflict").count() == 0
        assert await _goal(second, mine).count() == 1

        # Nothing is lost: the first version is on the timeline.
        await second.goto(f"{plan_url}/timeline")
        assert theirs in (await second.locator("#timeline-entries").text_content() or "")
    finally:
        await other.close()


# 8. Drafts --------------------------------------------------------------------------------


async def test_r_safe_1_a_draft_is_kept_and_restored_after_a_reload(
    live_server: LiveServer, context: BrowserContext, screenshot_dir: Path
) -> None:
    page = await context.new_page()
    await _log_in(page, live_server, "citizen", PER)
    plan_url = await _open_plan(page, live_server, PER)

    # A comment not yet saved, in a folded form: the form comes back open with the text.
    physio = _action(page, PHYSIO_ACTION)
    await physio.locator("details.add-details > summary").click()
    draft = "Jeg har vondt i kneet etter trappen, kan vi"
    await physio.locator("details textarea").fill(draft)
    status = physio.locator("details .draft-status")
    await status.locator("#draft-saved").wait_for(timeout=5000)
    await page.reload()
    physio = _action(page, PHYSIO_ACTION)
    assert await physio.locator("details.add-details").get_attribute("open") is not None
    assert await physio.locator("details textarea").input_value() == draft
    assert await physio.locator("details .draft-status").inner_text() != ""
    await physio.screenshot(path=str(screenshot_dir / "plan.draft.nb.png"))
    await _assert_accessible(page)

    # An edit form opened with ?edit=: the same after the reload, and the draft can go.
    await page.goto(f"{plan_url}?edit=life_situation#own-words")
    await page.fill("#life_situation-situation", "Et utkast om situasjonen min")
    await page.locator("#life_situation-draft #draft-saved").wait_for(timeout=5000)
    await page.reload()
    assert await page.input_value("#life_situation-situation") == "Et utkast om situasjonen min"
    await _assert_accessible(page)
    await _swap(page, action=page.locator('#own-words button[formaction$="/discard"]'))
    assert "done=draft_discarded" in page.url
    await page.goto(f"{plan_url}?edit=life_situation")
    assert await page.input_value("#life_situation-situation") != "Et utkast om situasjonen min"


# 9. The timeline --------------------------------------------------------------------------


async def _write_own_words_many_times(page: Page, plan_url: str, times: int) -> None:
    """Many saves of the own words form, as posts of the page's own form (fast, no clicks)."""
    await page.goto(f"{plan_url}?edit=life_situation")
    form = page.locator("#own-words form")
    token = await form.locator('input[name="csrf_token"]').input_value()
    version = int(await form.locator('input[name="version"]').input_value())
    fields = {
        name: await page.input_value(f"#life_situation-{name}")
        for name in ("what_matters", "situation", "resources", "needs")
    }
    for number in range(times):
        answer = await page.request.post(
            f"{plan_url}/own-words",
            form={
                **fields,
                "csrf_token": token,
                "version": str(version + number),
                "what_matters": f"Turer langs fjorden ({number + 1}).",
            },
            max_redirects=0,
        )
        assert answer.status == 303, await answer.text()


async def test_the_timeline_filters_by_kind_and_pages_back(
    live_server: LiveServer, context: BrowserContext, screenshot_dir: Path
) -> None:
    page = await context.new_page()
    await _log_in(page, live_server, "citizen", PER)
    plan_url = await _open_plan(page, live_server, PER)
    await page.locator('button[name="lang"][value="en"]').click()
    await page.wait_for_load_state("load")
    # More than one page of changes (30): as many saves of his own words as are missing.
    await page.goto(f"{plan_url}/timeline")
    shown = await page.locator("#timeline-entries > li").count()
    if await page.locator('a[href*="before="]').count() == 0:
        await _write_own_words_many_times(page, plan_url, 31 - shown)

    await page.goto(plan_url)
    await page.locator(f'a[href$="{plan_url.removeprefix(live_server.url)}/timeline"]').click()
    await page.wait_for_url("**/timeline")
    entries = page.locator("#timeline-entries > li")
    assert await entries.count() == 30
    await _assert_accessible(page)

    await page.get_by_role("link", name="Older changes").click()
    await page.wait_for_url("**before=*")
    assert await entries.count() > 0
    assert await page.get_by_role("link", name="Back to the newest").count() == 1
    await _assert_accessible(page)

    await page.goto(f"{plan_url}/timeline")
    await page.locator("#filter-kind-notes").check()
    await page.get_by_role("button", name="Show changes").click()
    await page.wait_for_url("**kind=notes**")
    assert await page.locator("#filter-kind-notes").is_checked()
    texts = await page.locator("#timeline-entries .timeline__what").all_inner_texts()
    assert texts
    assert all(
        re.search(r"progress note|commented on an action|corrected a note", t) for t in texts
    )
    await _assert_accessible(page)

    await page.locator("#filter-kind-notes").uncheck()
    await page.locator("#filter-kind-goals").check()
    await page.get_by_role("button", name="Show changes").click()
    await page.wait_for_url("**kind=goals**")
    texts = await page.locator("#timeline-entries .timeline__what").all_inner_texts()
    assert texts
    assert all(re.search(r"goal|review", t) for t in texts)
    await page.screenshot(path=str(screenshot_dir / "plan.timeline.en.png"), full_page=True)
    await _assert_accessible(page)


# 10. Languages, 320 px and 200 % ----------------------------------------------------------


async def test_a1_a3_the_plan_page_in_bokmal_nynorsk_and_english(
    live_server: LiveServer, context: BrowserContext, screenshot_dir: Path
) -> None:
    page = await context.new_page()
    await _log_in(page, live_server, "citizen", PER)
    await _open_plan(page, live_server, PER)
    for language in ("nb", "nn", "en"):
        await page.locator(f'button[name="lang"][value="{language}"]').click()
        await page.wait_for_load_state("load")
        assert await page.get_attribute("html", "lang") == language
        assert await page.locator("#plan-content").count() == 1
        await page.screenshot(path=str(screenshot_dir / f"plan.{language}.png"), full_page=True)
        await _assert_accessible(page)


async def _horizontal_overflow(page: Page) -> int:
    return int(
        await page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
    )


async def test_a4_the_plan_page_fits_320_px_and_200_percent_text(
    live_server: LiveServer, browser: Browser, screenshot_dir: Path
) -> None:
    narrow, page = await _new_page(browser, width=320)
    try:
        await _log_in(page, live_server, "citizen", PER)
        plan_url = await _open_plan(page, live_server, PER)
        assert await _horizontal_overflow(page) <= 0, "the plan scrolls sideways at 320 px"
        await page.screenshot(path=str(screenshot_dir / "plan.320px.png"), full_page=True)
        goal_id = (await _goal(page, WALK_GOAL).get_attribute("id") or "").removeprefix("goal-")
        await page.goto(f"{plan_url}?edit=goal:{goal_id}")
        assert await _horizontal_overflow(page) <= 0, "an open form scrolls sideways at 320 px"
        await page.goto(f"{plan_url}/timeline")
        assert await _horizontal_overflow(page) <= 0, "the timeline scrolls sideways at 320 px"
    finally:
        await narrow.close()

    # 200 % text on a 1280 px window is a 640 CSS px viewport with twice the device pixels.
    zoomed = await browser.new_context(
        viewport={"width": 640, "height": 450}, device_scale_factor=2, locale="nb-NO"
    )
    try:
        page = await zoomed.new_page()
        await _log_in(page, live_server, "citizen", PER)
        await _open_plan(page, live_server, PER)
        assert await _horizontal_overflow(page) <= 0
        await page.screenshot(path=str(screenshot_dir / "plan.200pct.png"))
    finally:
        await zoomed.close()


# 11. Print and PDF ------------------------------------------------------------------------


async def test_the_print_view_is_accessible_and_the_pdf_is_a_pdf(
    live_server: LiveServer, context: BrowserContext, screenshot_dir: Path
) -> None:
    page = await context.new_page()
    await _log_in(page, live_server, "citizen", PER)
    plan_url = await _open_plan(page, live_server, PER)
    await page.locator(f'a[href$="{plan_url.removeprefix(live_server.url)}/print"]').click()
    await page.wait_for_url("**/print")
    assert PER in await page.locator("h1").inner_text()
    await page.screenshot(path=str(screenshot_dir / "plan.print.nb.png"), full_page=True)
    await _assert_accessible(page)

    pdf_link = page.locator('a[href$="/plan.pdf"]').first
    answer = await page.request.get(f"{live_server.url}{await pdf_link.get_attribute('href')}")
    assert answer.status == 200
    assert answer.headers["content-type"] == "application/pdf"
    assert (await answer.body()).startswith(b"%PDF")
