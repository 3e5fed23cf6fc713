"""A first pass through conversations: start, post, retry, read, edit, close."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from app.errors import Conflict, NotFound
from app.messages import service as messages
from app.threads import service as threads
from tests.consents.world import make_world
from tests.support.clock import FrozenClock
from tests.support.logins import citizen, employee


async def test_start_post_retry_read_edit_close(session: AsyncSession, clock: FrozenClock) -> None:
    world = await make_world(session, clock)
    owner, coordinator = citizen(world.owner), employee(world.coordinator)
    thread, first = await messages.start_thread(
        session,
        owner,
        world.plan.id,
        topic="Hjemmebesøk",
        members=None,
        first_message="Kan dere komme på tirsdag?",
        clock=clock,
    )
    assert first.seq == 1
    second = await messages.post_message(
        session,
        coordinator,
        world.plan.id,
        thread.id,
        "Ja, klokka ti.",
        clock=clock,
        client_id="c-1",
    )
    again = await messages.post_message(
        session,
        coordinator,
        world.plan.id,
        thread.id,
        "Ja, klokka ti.",
        clock=clock,
        client_id="c-1",
    )
    assert second.id == again.id and second.seq == 2
    found, views = await messages.messages_after(
        session, owner, world.plan.id, thread.id, 0, clock=clock
    )
    assert [v.message.seq for v in views] == [1, 2]
    opened, summaries = await threads.threads_of_plan(session, owner, world.plan.id, clock=clock)
    assert summaries[0].unread == 1
    page = await messages.thread_page(session, owner, world.plan.id, thread.id, clock=clock)
    assert [v.message.text for v in page.messages] == [
        "Kan dere komme på tirsdag?",
        "Ja, klokka ti.",
    ]
    edited = await messages.edit_message(
        session,
        owner,
        world.plan.id,
        thread.id,
        first.id,
        "Kan dere komme på onsdag?",
        seen_version=1,
        clock=clock,
    )
    assert edited.edited_at is not None
    await threads.set_closed(
        session, coordinator, world.plan.id, thread.id, closed=True, clock=clock
    )
    with pytest.raises(Conflict):
        await messages.post_message(session, owner, world.plan.id, thread.id, "Hei", clock=clock)
    with pytest.raises(NotFound):
        await messages.thread_page(
            session, citizen(world.stranger), world.plan.id, thread.id, clock=clock
        )
