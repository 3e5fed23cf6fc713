"""Conversations through HTTP, as a browser without JavaScript uses them: the list, starting one,
posting (once, even when sent twice), errors that keep the text, closed threads, who may not
see a thread, the unit inbox; and the fragments the websocket pushes to a page."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.i18n import Language
from app.messages import service as messages
from app.models import (
    Audience,
    Employee,
    Message,
    Thread,
    ThreadMember,
)
from app.settings import Settings
from app.threads.service import MemberChoice
from tests.consents.world import World, log_in
from tests.support.clock import FrozenClock
from tests.support.logins import citizen
from tests.web.thread_world import csrf, make_group

EMERGENCY = "Not for emergencies: call 113, or the emergency clinic (legevakt) on 116 117."


@dataclass
class Group:
    """The world, with the nurse (home care) and a physiotherapist in the group, both allowed
    to write messages."""

    world: World
    physio: Employee


@pytest.fixture
async def group(session: AsyncSession, clock: FrozenClock, app: FastAPI) -> Group:
    world, physio, _grants = await make_group(session, clock, app.state.pid_vault)
    await session.commit()
    return Group(world, physio)


@pytest.fixture(autouse=True)
def in_english(client: httpx.AsyncClient) -> None:
    """The assertions read the English text (the three languages have their own test)."""
    client.headers["Accept-Language"] = "en"


def _hidden(html: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]+)"', html)
    assert match, name
    return match.group(1)


async def _thread(
    session: AsyncSession,
    clock: FrozenClock,
    world: World,
    *,
    members: list[MemberChoice] | None = None,
    topic: str = "Hjemmebesøk",
) -> Thread:
    thread, _first = await messages.start_thread(
        session,
        citizen(world.owner),
        world.plan.id,
        topic=topic,
        members=members,
        first_message="Kan dere komme på tirsdag?\nGjerne før lunsj.",
        clock=clock,
    )
    await session.commit()
    return thread


async def test_the_list_starts_a_conversation_for_the_whole_group(
    client: httpx.AsyncClient,
    session: AsyncSession,
    settings: Settings,
    clock: FrozenClock,
    group: Group,
) -> None:
    world = group.world
    await log_in(client, session, settings, clock, person=world.owner)
    listing = await client.get(f"/plans/{world.plan.id}/threads")
    assert listing.status_code == 200
    assert EMERGENCY in listing.text
    assert 'value="chosen"' in listing.text and "Fia Fysio" in listing.text
    form = {
        "csrf_token": csrf(listing.text),
        "request_key": _hidden(listing.text, "request_key"),
        "topic": "Ny rullestol",
        "audience": "group",
        "text": "Hvem søker om rullestol?",
    }
    started = await client.post(f"/plans/{world.plan.id}/threads", data=form)
    again = await client.post(f"/plans/{world.plan.id}/threads", data=form)
    assert started.status_code == again.status_code == 303
    assert started.headers["location"] == again.headers["location"]  # started once (R-SAFE-3)
    assert await session.scalar(select(func.count(Thread.id))) == 1
    page = await client.get(started.headers["location"])
    assert page.status_code == 200
    assert "Ny rullestol" in page.text and "Hvem søker om rullestol?" in page.text
    assert "The conversation is started." in page.text
    after = await client.get(f"/plans/{world.plan.id}/threads")
    assert "Ny rullestol" in after.text


async def test_a_conversation_for_chosen_members_is_hidden_from_others(
    client: httpx.AsyncClient,
    session: AsyncSession,
    settings: Settings,
    clock: FrozenClock,
    group: Group,
) -> None:
    world = group.world
    await log_in(client, session, settings, clock, person=world.owner)
    listing = await client.get(f"/plans/{world.plan.id}/threads")
    started = await client.post(
        f"/plans/{world.plan.id}/threads",
        data={
            "csrf_token": csrf(listing.text),
            "request_key": _hidden(listing.text, "request_key"),
            "topic": "Trening",
            "audience": "chosen",
            "members": f"employee:{group.physio.id}",
            "text": "Kan vi flytte timen?",
        },
    )
    assert started.status_code == 303
    thread = await session.scalar(select(Thread))
    assert thread is not None and thread.audience is Audience.CHOSEN
    members = (await session.scalars(select(ThreadMember.employee_id))).all()
    assert set(members) == {group.physio.id, None}  # the physiotherapist, and the owner
    await log_in(client, session, settings, clock, staff=group.physio)
    assert (await client.get(f"/plans/{world.plan.id}/threads/{thread.id}")).status_code == 200
    await log_in(client, session, settings, clock, staff=world.nurse)
    hidden = await client.get(f"/plans/{world.plan.id}/threads/{thread.id}")
    assert hidden.status_code == 404 and "Trening" not in hidden.text
    assert "Trening" not in (await client.get(f"/plans/{world.plan.id}/threads")).text


async def test_choosing_nobody_keeps_what_was_typed(
    client: httpx.AsyncClient,
    session: AsyncSession,
    settings: Settings,
    clock: FrozenClock,
    group: Group,
) -> None:
    world = group.world
    await log_in(client, session, settings, clock, person=world.owner)
    listing = await client.get(f"/plans/{world.plan.id}/threads")
    refused = await client.post(
        f"/plans/{world.plan.id}/threads",
        data={
            "csrf_token": csrf(listing.text),
            "request_key": _hidden(listing.text, "request_key"),
            "topic": "Trening",
            "audience": "chosen",
            "text": "Teksten min",
        },
    )
    assert refused.status_code == 422
    assert 'id="start-members-error"' in refused.text
    assert "Teksten min</textarea>" in refused.text and 'value="Trening"' in refused.text
    assert await session.scalar(select(func.count(Thread.id))) == 0


async def test_posting_without_javascript_stores_the_message_once(
    client: httpx.AsyncClient,
    session: AsyncSession,
    settings: Settings,
    clock: FrozenClock,
    group: Group,
) -> None:
    world = group.world
    thread = await _thread(session, clock, world)
    await log_in(client, session, settings, clock, staff=world.nurse)
    page = await client.get(f"/plans/{world.plan.id}/threads/{thread.id}")
    assert page.status_code == 200
    # Line breaks are kept by CSS; the text is escaped, never markup.
    assert "Kan dere komme på tirsdag?\nGjerne før lunsj." in page.text
    form = {
        "csrf_token": csrf(page.text),
        "client_id": _hidden(page.text, "client_id"),
        "text": "Ja, klokka ti. <b>Hilsen</b> Nils",
    }
    first = await client.post(f"/plans/{world.plan.id}/threads/{thread.id}/messages", data=form)
    second = await client.post(f"/plans/{world.plan.id}/threads/{thread.id}/messages", data=form)
    assert first.status_code == second.status_code == 303
    assert first.headers["location"] == second.headers["location"]
    stored = (await session.scalars(select(Message).order_by(Message.seq))).all()
    assert len(stored) == 2
    assert first.headers["location"].endswith(f"#message-{stored[1].id}")
    shown = await client.get(first.headers["location"])
    assert "&lt;b&gt;Hilsen&lt;/b&gt;" in shown.text and "<b>Hilsen</b>" not in shown.text
    assert "(Hjemmetjenesten)" in shown.text  # the author's unit


async def test_an_empty_or_too_long_message_is_refused_with_the_text_kept(
    client: httpx.AsyncClient,
    session: AsyncSession,
    settings: Settings,
    clock: FrozenClock,
    group: Group,
) -> None:
    world = group.world
    thread = await _thread(session, clock, world)
    await log_in(client, session, settings, clock, person=world.owner)
    page = await client.get(f"/plans/{world.plan.id}/threads/{thread.id}")
    url = f"/plans/{world.plan.id}/threads/{thread.id}/messages"
    token = csrf(page.text)
    empty = await client.post(url, data={"csrf_token": token, "client_id": "a", "text": "  "})
    assert empty.status_code == 422
    assert f'id="message-text-{thread.id}-error"' in empty.text
    long_text = "Lang tekst " + "x" * 4000
    too_long = await client.post(
        url, data={"csrf_token": token, "client_id": "b", "text": long_text}
    )
    assert too_long.status_code == 422
    assert long_text in too_long.text and 'aria-invalid="true"' in too_long.text
    assert "4000" in too_long.text  # the limit is stated
    assert await session.scalar(select(func.count(Message.id))) == 1


async def test_a_closed_conversation_refuses_new_messages_and_keeps_the_text(
    client: httpx.AsyncClient,
    session: AsyncSession,
    settings: Settings,
    clock: FrozenClock,
    group: Group,
) -> None:
    world = group.world
    thread = await _thread(session, clock, world)
    await log_in(client, session, settings, clock, staff=world.coordinator)
    page = await client.get(f"/plans/{world.plan.id}/threads/{thread.id}")
    assert "Close the conversation" in page.text
    closed = await client.post(
        f"/plans/{world.plan.id}/threads/{thread.id}/closed",
        data={"csrf_token": csrf(page.text), "closed": "1"},
    )
    assert closed.status_code == 303 and "done=closed" in closed.headers["location"]
    twice = await client.post(
        f"/plans/{world.plan.id}/threads/{thread.id}/closed",
        data={"csrf_token": csrf(page.text), "closed": "1"},
    )
    assert twice.status_code == 409 and "The conversation is already closed." in twice.text
    await log_in(client, session, settings, clock, person=world.owner)
    owner_page = await client.get(f"/plans/{world.plan.id}/threads/{thread.id}")
    assert "This conversation is closed. It can be read, not written in." in owner_page.text
    assert f'id="composer-{thread.id}"' not in owner_page.text
    # A form from before it was closed, sent afterwards.
    refused = await client.post(
        f"/plans/{world.plan.id}/threads/{thread.id}/messages",
        data={
            "csrf_token": csrf(owner_page.text),
            "client_id": "late",
            "text": "Et svar for sent",
        },
    )
    assert refused.status_code == 409
    assert "This conversation is closed. Start a new one if you need to." in refused.text
    assert "Et svar for sent" in refused.text
    assert f'id="composer-{thread.id}"' not in refused.text
    await log_in(client, session, settings, clock, staff=world.coordinator)
    page = await client.get(f"/plans/{world.plan.id}/threads/{thread.id}")
    assert "Open the conversation again" in page.text
    reopened = await client.post(
        f"/plans/{world.plan.id}/threads/{thread.id}/closed",
        data={"csrf_token": csrf(page.text), "closed": "0"},
    )
    assert reopened.status_code == 303
    assert (
        "The conversation is open again." in (await client.get(reopened.headers["location"])).text
    )


async def test_strangers_and_other_plans_get_not_found(
    client: httpx.AsyncClient,
    session: AsyncSession,
    settings: Settings,
    clock: FrozenClock,
    group: Group,
) -> None:
    world = group.world
    thread = await _thread(session, clock, world)
    await log_in(client, session, settings, clock, person=world.stranger)
    assert (await client.get(f"/plans/{world.plan.id}/threads/{thread.id}")).status_code == 404
    assert (await client.get(f"/plans/{world.plan.id}/threads")).status_code == 404
    await log_in(client, session, settings, clock, person=world.owner)
    elsewhere = await client.get(f"/plans/{world.child_plan.id}/threads/{thread.id}")
    assert elsewhere.status_code == 404
    missing = await client.get(f"/plans/{world.plan.id}/threads/{uuid.uuid4()}")
    assert missing.status_code == 404


async def test_the_coordinator_adds_a_member_to_a_chosen_conversation(
    client: httpx.AsyncClient,
    session: AsyncSession,
    settings: Settings,
    clock: FrozenClock,
    group: Group,
) -> None:
    world = group.world
    thread = await _thread(
        session, clock, world, members=[MemberChoice(employee_id=group.physio.id)]
    )
    await log_in(client, session, settings, clock, staff=world.coordinator)
    page = await client.get(f"/plans/{world.plan.id}/threads/{thread.id}")
    assert f'value="employee:{world.nurse.id}"' in page.text
    assert f'value="employee:{group.physio.id}"' not in page.text  # already in it
    bad = await client.post(
        f"/plans/{world.plan.id}/threads/{thread.id}/members",
        data={"csrf_token": csrf(page.text), "member": "someone"},
    )
    assert bad.status_code == 422 and 'id="add-member-error"' in bad.text
    added = await client.post(
        f"/plans/{world.plan.id}/threads/{thread.id}/members",
        data={"csrf_token": csrf(page.text), "member": f"employee:{world.nurse.id}"},
    )
    assert added.status_code == 303
    await log_in(client, session, settings, clock, staff=world.nurse)
    assert (await client.get(f"/plans/{world.plan.id}/threads/{thread.id}")).status_code == 200


async def test_the_unit_inbox_shows_conversations_for_the_unit_to_employees_only(
    client: httpx.AsyncClient,
    session: AsyncSession,
    settings: Settings,
    clock: FrozenClock,
    group: Group,
) -> None:
    world = group.world
    thread = await _thread(
        session,
        clock,
        world,
        members=[MemberChoice(unit_id=world.home_care.id)],
        topic="Til hjemmetjenesten",
    )
    await log_in(client, session, settings, clock, staff=world.nurse)
    inbox = await client.get("/inbox")
    assert inbox.status_code == 200
    assert "Til hjemmetjenesten" in inbox.text and "Unread: 1" in inbox.text
    assert f"/plans/{world.plan.id}/threads/{thread.id}" in inbox.text
    await log_in(client, session, settings, clock, person=world.owner)
    refused = await client.get("/inbox")
    assert refused.status_code == 403 and "The unit inbox is for employees." in refused.text


async def test_the_draft_comes_back_and_goes_when_the_message_is_sent(
    client: httpx.AsyncClient,
    session: AsyncSession,
    settings: Settings,
    clock: FrozenClock,
    group: Group,
) -> None:
    world = group.world
    thread = await _thread(session, clock, world)
    await log_in(client, session, settings, clock, person=world.owner)
    page = await client.get(f"/plans/{world.plan.id}/threads/{thread.id}")
    token = csrf(page.text)
    saved = await client.post(
        f"/plans/{world.plan.id}/drafts/message:{thread.id}",
        data={"csrf_token": token, "text": "Halvskrevet svar"},
        headers={"HX-Request": "true"},
    )
    assert saved.status_code == 200
    again = await client.get(f"/plans/{world.plan.id}/threads/{thread.id}")
    assert "Halvskrevet svar</textarea>" in again.text
    assert "Throw away the unsaved text" in again.text
    sent = await client.post(
        f"/plans/{world.plan.id}/threads/{thread.id}/messages",
        data={"csrf_token": token, "client_id": "c-1", "text": "Halvskrevet svar, ferdig"},
    )
    assert sent.status_code == 303
    after = await client.get(f"/plans/{world.plan.id}/threads/{thread.id}")
    assert "Halvskrevet svar</textarea>" not in after.text


@pytest.mark.parametrize("language", ["nb", "nn", "en"])
async def test_the_thread_page_has_the_emergency_notice_in_three_languages(
    client: httpx.AsyncClient,
    session: AsyncSession,
    settings: Settings,
    clock: FrozenClock,
    group: Group,
    language: str,
) -> None:
    world = group.world
    thread = await _thread(session, clock, world)
    await log_in(client, session, settings, clock, person=world.owner)
    page = await client.get(
        f"/plans/{world.plan.id}/threads/{thread.id}", headers={"Accept-Language": language}
    )
    assert page.status_code == 200 and f'<html lang="{language}"' in page.text
    assert 'class="ds-alert emergency-notice"' in page.text
    assert "113" in page.text and "116 117" in page.text
    if language == "en":
        assert EMERGENCY in page.text
    # The live list: polite, still a list (role="log" would hide its items' list role from
    # assistive technology, axe's listitem rule), and the subscribe form.
    assert f'<ol id="messages-{thread.id}" class="message-list" aria-live="polite"' in page.text
    assert 'ws-connect="/ws?format=html"' in page.text
    assert 'src="/static/vendor/htmx/htmx-ext-ws-2.0.4.min.js"' in page.text
    assert f'id="live-after-{thread.id}" name="after" type="hidden" value="1"' in page.text
    assert f'id="composer-{thread.id}"' in page.text and "ws-send" in page.text


async def test_older_messages_are_a_page_back(
    client: httpx.AsyncClient,
    session: AsyncSession,
    settings: Settings,
    clock: FrozenClock,
    group: Group,
) -> None:
    world = group.world
    thread = await _thread(session, clock, world)
    for number in range(2, 53):
        await messages.post_message(
            session,
            citizen(world.owner),
            world.plan.id,
            thread.id,
            f"Melding {number}",
            clock=clock,
        )
    await session.commit()
    await log_in(client, session, settings, clock, person=world.owner)
    newest = await client.get(f"/plans/{world.plan.id}/threads/{thread.id}")
    assert "Melding 52" in newest.text and "tirsdag" not in newest.text
    assert "?before=3" in newest.text
    older = await client.get(f"/plans/{world.plan.id}/threads/{thread.id}?before=3")
    assert "tirsdag" in older.text and "Melding 52" not in older.text
    assert "ws-connect" not in older.text  # an older page is not live


async def test_the_live_fragments_are_out_of_band_swaps(
    app: FastAPI, session: AsyncSession, clock: FrozenClock, group: Group
) -> None:
    world = group.world
    thread = await _thread(session, clock, world)
    message = await session.scalar(select(Message))
    assert message is not None
    render = app.state.renderer.render_fragment
    context = {
        "m": message,
        "author": "Olav <Person>",
        "unit": None,
        "on_behalf_of": None,
        "own": False,
        "thread_id": thread.id,
    }
    new = render(app, Language.NB, "threads/_live_message.html", context)
    assert f'hx-swap-oob="beforeend:#messages-{thread.id}"' in new
    assert f'<li id="message-{message.id}"' in new and "Olav &lt;Person&gt;" in new
    assert (
        f'<input id="live-after-{thread.id}" name="after" type="hidden" value="1" '
        'hx-swap-oob="true">'
    ) in new
    await messages.edit_message(
        session,
        citizen(world.owner),
        world.plan.id,
        thread.id,
        message.id,
        "Rettet tekst",
        seen_version=1,
        clock=clock,
    )
    edited = render(app, Language.EN, "threads/_live_message.html", context)
    assert (
        f'<li id="message-{message.id}" class="message" data-seq="1" '
        f'data-message="{message.id}" hx-swap-oob="outerHTML">' in edited
    )
    assert f"beforeend:#messages-{thread.id}:not(:has([data-message='{message.id}']))" in edited
    assert "live-after" not in edited  # an edit may be older than what the page has
    assert "Edited" in edited and "Rettet tekst" in edited
    composer = render(
        app,
        Language.NN,
        "threads/_composer.html",
        {"thread_id": thread.id, "plan_id": world.plan.id, "client_id": "fresh-id"},
    )
    assert f'<form id="composer-{thread.id}"' in composer and 'hx-swap-oob="true"' in composer
    assert 'name="client_id" value="fresh-id"' in composer and "></textarea>" in composer
    assert "autofocus" in composer
    for kind, expected in (
        ("error", 'role="alert"'),
        ("revoked", "You no longer have access to this conversation."),
        ("posted", "Your message is sent."),
    ):
        notice = render(
            app,
            Language.EN,
            "threads/_live_notice.html",
            {"kind": kind, "detail": "Slow down and try again.", "thread_id": thread.id},
        )
        assert f'<p id="live-status-{thread.id}" hx-swap-oob="innerHTML">' in notice
        assert expected in notice
    revoked = render(
        app,
        Language.EN,
        "threads/_live_notice.html",
        {"kind": "revoked", "detail": None, "thread_id": thread.id},
    )
    assert f'<div id="composer-{thread.id}" hx-swap-oob="true" hidden></div>' in revoked
