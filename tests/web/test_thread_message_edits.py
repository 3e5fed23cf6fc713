"""Changing a message on the thread page, as a browser without JavaScript does it: only the
author, only while the conversation is open, the earlier text kept and shown (no silent edits),
a change saved meanwhile a conflict that keeps what was typed (R-SAFE-2), errors next to the
field with nothing lost (R-SAFE-1); and the live fragment showing the same."""

from __future__ import annotations

from datetime import timedelta
from typing import cast

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.websockets import WebSocket

from app.i18n import Language
from app.messages import service as messages
from app.messaging import frames
from app.messaging.connection import Connection
from app.models import Audience, Message, MessageRevision
from app.settings import Settings
from app.threads import service as threads
from app.threads.service import MemberChoice
from tests.support.clock import FrozenClock
from tests.support.logins import citizen, employee, log_in
from tests.web.thread_world import Conversation, csrf, make_conversation


@pytest.fixture
async def talk(session: AsyncSession, clock: FrozenClock, app: FastAPI) -> Conversation:
    return await make_conversation(session, clock, app.state.pid_vault)


@pytest.fixture(autouse=True)
def in_english(client: httpx.AsyncClient) -> None:
    client.headers["Accept-Language"] = "en"


def _edit_url(talk: Conversation, message: Message) -> str:
    return f"{talk.page}/messages/{message.id}/edit"


async def _stored(session: AsyncSession, message: Message) -> Message:
    session.expunge_all()
    found = await session.get(Message, message.id)
    assert found is not None
    return found


async def test_the_author_changes_a_message_on_the_page_and_the_earlier_text_is_kept(
    client: httpx.AsyncClient,
    session: AsyncSession,
    settings: Settings,
    clock: FrozenClock,
    talk: Conversation,
) -> None:
    first = talk.first
    await log_in(client, session, settings, clock, person=talk.world.owner)
    page = await client.get(talk.page)
    assert f'href="{talk.page}?edit={first.id}#message-{first.id}-editing"' in page.text
    # With htmx the answer's item replaces this one only; the live connection stays open.
    swap = f'hx-select="#message-{first.id}, #message-{first.id}-editing"'
    assert f'hx-target="closest li.message" {swap}' in page.text
    opened = await client.get(f"{talk.page}?edit={first.id}")
    # While open, a change pushed live does not replace the form (and what is typed in it).
    assert f'<li id="message-{first.id}-editing"' in opened.text
    assert f'data-message="{first.id}"' in opened.text
    assert f'action="{_edit_url(talk, first)}"' in opened.text
    assert 'name="version" value="1"' in opened.text
    assert f'id="message-edit-{first.id}"' in opened.text and "Change your message" in opened.text
    assert "Kan dere komme på tirsdag?</textarea>" in opened.text
    clock.advance(timedelta(minutes=5))
    saved = await client.post(
        _edit_url(talk, first),
        data={"csrf_token": csrf(opened.text), "version": "1", "text": "Kan dere komme onsdag?"},
    )
    assert saved.status_code == 303
    assert saved.headers["location"].endswith(f"?done=message_changed#message-{first.id}")
    after = await client.get(saved.headers["location"])
    assert "Your message is changed. The earlier text is kept." in after.text
    assert "Kan dere komme onsdag?" in after.text
    # The mark, and the earlier text with the time it was replaced.
    assert "Edited: see earlier versions" in after.text
    assert '<ol class="plain-list message__revisions">' in after.text
    assert "Kan dere komme på tirsdag?" in after.text
    stored = await _stored(session, first)
    assert stored.text == "Kan dere komme onsdag?" and stored.edited_at is not None
    revisions = (
        await session.scalars(select(MessageRevision).where(MessageRevision.message_id == first.id))
    ).all()
    assert [r.text for r in revisions] == ["Kan dere komme på tirsdag?"]


async def test_someone_elses_message_has_no_change_link_and_is_refused(
    client: httpx.AsyncClient,
    session: AsyncSession,
    settings: Settings,
    clock: FrozenClock,
    talk: Conversation,
) -> None:
    first = talk.first
    await log_in(client, session, settings, clock, staff=talk.physio)
    page = await client.get(talk.page)
    assert page.status_code == 200 and "Kan dere komme på tirsdag?" in page.text
    assert f"?edit={first.id}" not in page.text
    # Asking for the form by hand opens nothing.
    opened = await client.get(f"{talk.page}?edit={first.id}")
    assert f'id="message-edit-{first.id}"' not in opened.text
    refused = await client.post(
        _edit_url(talk, first),
        data={"csrf_token": csrf(page.text), "version": "1", "text": "Endret av andre"},
    )
    assert refused.status_code == 403
    assert (await _stored(session, first)).text == "Kan dere komme på tirsdag?"


async def test_a_conversation_someone_may_not_read_is_not_found_when_changing(
    client: httpx.AsyncClient,
    session: AsyncSession,
    settings: Settings,
    clock: FrozenClock,
    talk: Conversation,
) -> None:
    world = talk.world
    private, message = await messages.start_thread(
        session,
        citizen(world.owner),
        world.plan.id,
        topic="Bare for sykepleier",
        members=[MemberChoice(employee_id=world.nurse.id)],
        first_message="Privat",
        clock=clock,
    )
    await session.commit()
    assert private.audience is Audience.CHOSEN
    await log_in(client, session, settings, clock, staff=talk.physio)
    page = await client.get(talk.page)
    refused = await client.post(
        f"/plans/{world.plan.id}/threads/{private.id}/messages/{message.id}/edit",
        data={"csrf_token": csrf(page.text), "version": "1", "text": "Hei"},
    )
    assert refused.status_code == 404


async def test_r_safe_2_a_change_saved_meanwhile_is_a_conflict_that_keeps_the_typed_text(
    client: httpx.AsyncClient,
    session: AsyncSession,
    settings: Settings,
    clock: FrozenClock,
    talk: Conversation,
) -> None:
    first, world = talk.first, talk.world
    await log_in(client, session, settings, clock, person=world.owner)
    opened = await client.get(f"{talk.page}?edit={first.id}")
    # Saved in another window after this form was opened.
    await messages.edit_message(
        session,
        citizen(world.owner),
        world.plan.id,
        talk.thread.id,
        first.id,
        "Fra det andre vinduet",
        seen_version=1,
        clock=clock,
    )
    await session.commit()
    stale = await client.post(
        _edit_url(talk, first),
        data={"csrf_token": csrf(opened.text), "version": "1", "text": "Min versjon"},
    )
    assert stale.status_code == 409
    assert "The message was changed after you opened it" in stale.text
    assert "Min versjon</textarea>" in stale.text  # what was typed
    assert "Fra det andre vinduet" in stale.text  # what is saved now
    assert 'name="version" value="2"' in stale.text  # saving again replaces it knowingly
    assert (await _stored(session, first)).text == "Fra det andre vinduet"
    # A form without its version is refused the same way, never saved blind.
    blind = await client.post(
        _edit_url(talk, first), data={"csrf_token": csrf(opened.text), "text": "Uten versjon"}
    )
    assert blind.status_code == 409 and "Uten versjon</textarea>" in blind.text
    again = await client.post(
        _edit_url(talk, first),
        data={"csrf_token": csrf(stale.text), "version": "2", "text": "Min versjon"},
    )
    assert again.status_code == 303
    assert (await _stored(session, first)).text == "Min versjon"


async def test_r_safe_1_an_empty_or_too_long_change_is_refused_next_to_the_field(
    client: httpx.AsyncClient,
    session: AsyncSession,
    settings: Settings,
    clock: FrozenClock,
    talk: Conversation,
) -> None:
    first = talk.first
    await log_in(client, session, settings, clock, person=talk.world.owner)
    opened = await client.get(f"{talk.page}?edit={first.id}")
    token = csrf(opened.text)
    empty = await client.post(
        _edit_url(talk, first), data={"csrf_token": token, "version": "1", "text": "   "}
    )
    assert empty.status_code == 422
    assert f'id="message-edit-{first.id}-error"' in empty.text
    assert 'aria-invalid="true"' in empty.text
    long_text = "Lang tekst " + "x" * 4000
    too_long = await client.post(
        _edit_url(talk, first), data={"csrf_token": token, "version": "1", "text": long_text}
    )
    assert too_long.status_code == 422
    assert f"{long_text}</textarea>" in too_long.text
    assert f'id="message-edit-{first.id}-error"' in too_long.text
    assert (await _stored(session, first)).text == "Kan dere komme på tirsdag?"


async def test_a_closed_conversation_refuses_the_change_and_keeps_the_text(
    client: httpx.AsyncClient,
    session: AsyncSession,
    settings: Settings,
    clock: FrozenClock,
    talk: Conversation,
) -> None:
    first, world = talk.first, talk.world
    await log_in(client, session, settings, clock, person=world.owner)
    opened = await client.get(f"{talk.page}?edit={first.id}")
    await threads.set_closed(
        session,
        employee(world.coordinator),
        world.plan.id,
        talk.thread.id,
        closed=True,
        clock=clock,
    )
    await session.commit()
    closed_page = await client.get(talk.page)
    assert f"?edit={first.id}" not in closed_page.text
    refused = await client.post(
        _edit_url(talk, first),
        data={"csrf_token": csrf(opened.text), "version": "1", "text": "For sent endret"},
    )
    assert refused.status_code == 409
    assert "This conversation is closed. Start a new one if you need to." in refused.text
    assert '<p class="ds-paragraph kept-text">For sent endret</p>' in refused.text
    assert f'id="message-edit-{first.id}"' not in refused.text
    assert (await _stored(session, first)).text == "Kan dere komme på tirsdag?"


async def test_the_live_fragment_shows_the_edited_mark_and_the_earlier_text(
    app: FastAPI, session: AsyncSession, clock: FrozenClock, talk: Conversation
) -> None:
    world, first = talk.world, talk.first
    await messages.edit_message(
        session,
        citizen(world.owner),
        world.plan.id,
        talk.thread.id,
        first.id,
        "Rettet",
        seen_version=1,
        clock=clock,
    )
    await session.commit()
    session.expunge_all()
    delivery = await messages.for_delivery(session, talk.thread.id, seq=first.seq)
    owner = Connection(cast(WebSocket, None), citizen(world.owner), Language.EN, html=True)
    physio = Connection(cast(WebSocket, None), employee(talk.physio), Language.NB, html=True)
    for connection in (owner, physio):
        frames.send_message(app, connection, delivery.messages[0], "Olav", None, None)
    own, other = owner.queue.get_nowait(), physio.queue.get_nowait()
    assert own is not None and other is not None
    assert 'hx-swap-oob="outerHTML"' in own and "Rettet" in own
    assert "Edited: see earlier versions" in own and "Kan dere komme på tirsdag?" in own
    assert f"?edit={first.id}" in own  # the author's own message
    assert "Redigert: se tidligere versjoner" in other and f"?edit={first.id}" not in other
