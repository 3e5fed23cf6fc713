"""R-NOTE-1, R-NOTE-2: a new message puts a content-free notice in the outbox for everyone who
may read the conversation, apart from the writer; old idempotency keys are forgotten."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta
from typing import Any

from fastapi import FastAPI
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.consents import service as consents
from app.consents.schemas import GrantSpec
from app.housekeeping import Housekeeping
from app.idempotency import service as idempotency
from app.messages import service as messages
from app.messaging.notices import NewMessageNotices
from app.models import AuditEvent, GrantMode, IdempotentWrite, NotificationOutbox, PlanPart
from app.threads import service as threads
from app.threads.events import MessagePosted
from tests.consents.world import make_world
from tests.support.clock import FrozenClock
from tests.support.logins import citizen, employee


class _SameSession:
    """A sessionmaker stand-in that hands out the test's session (inside its transaction)."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def __call__(self) -> _SameSession:
        return self

    async def __aenter__(self) -> AsyncSession:
        return self.session

    async def __aexit__(self, *_exc: Any) -> None:
        return None

    def begin(self) -> _SameSession:
        return self


async def test_r_note_1_readers_of_the_conversation_are_told_the_writer_is_not(
    app: FastAPI, session: AsyncSession, clock: FrozenClock
) -> None:
    world = await make_world(session, clock, vault=app.state.pid_vault)
    owner, coordinator = citizen(world.owner), employee(world.coordinator)
    nurse_in = await consents.add_employee(
        session, coordinator, world.plan.id, world.nurse.id, world.home_care.id, clock=clock
    )
    await consents.give_grant(
        session,
        owner,
        world.plan.id,
        nurse_in.id,
        GrantSpec(part=PlanPart.MESSAGES, mode=GrantMode.WRITE),
        clock=clock,
    )
    thread, first = await messages.start_thread(
        session,
        owner,
        world.plan.id,
        topic="Hei",
        members=None,
        first_message="Hei alle",
        clock=clock,
    )
    audited = await session.scalar(select(func.count(AuditEvent.id)))
    readers = await threads.readers_to_tell(
        session,
        thread.id,
        register=app.state.population_register,
        clock=clock,
        besides=f"person:{world.owner.id}",
    )
    assert set(readers) == {f"employee:{world.coordinator.id}", f"employee:{world.nurse.id}"}
    # Asking who may read is the system's question, not theirs: nothing in their name.
    assert await session.scalar(select(func.count(AuditEvent.id))) == audited
    app.state.sessionmaker = _SameSession(session)
    notices = NewMessageNotices(app)
    await notices.tell(
        MessagePosted(world.plan.id, thread.id, first.seq, first.id, f"person:{world.owner.id}")
    )
    rows = list((await session.scalars(select(NotificationOutbox))).all())
    # Employees are told by e-mail at their work address unless they chose otherwise.
    assert {row.recipient for row in rows} <= set(readers)
    assert all("Hei" not in row.address for row in rows)


async def test_r_safe_3_idempotency_keys_are_forgotten_after_two_days(
    session: AsyncSession, clock: FrozenClock, app: FastAPI
) -> None:
    world = await make_world(session, clock, vault=app.state.pid_vault)

    async def write() -> tuple[int, dict[str, Any]]:
        return 201, {"ok": True}

    await idempotency.once(session, citizen(world.owner), "k-1", "POST /x", write, clock=clock)
    keeper = Housekeeping(_SameSession(session), clock)  # type: ignore[arg-type]
    assert await keeper.run_once() == 0
    clock.advance(timedelta(days=3))
    assert await keeper.run_once() == 1
    assert await session.scalar(select(func.count(IdempotentWrite.id))) == 0


class _CountedNotices(NewMessageNotices):
    """The real scheduling, with each round held until the test lets it finish."""

    def __init__(self) -> None:
        super().__init__(FastAPI())
        self.rounds: list[tuple[str, int]] = []
        self.round_pause = 0.01
        self.go_on = asyncio.Event()

    async def tell(self, posted: MessagePosted) -> None:
        self.rounds.append((posted.author_key, posted.seq))
        await self.go_on.wait()


async def test_p4_notices_for_a_busy_thread_come_in_rounds_and_none_is_missed() -> None:
    notices = _CountedNotices()
    thread = uuid.uuid4()

    def post(author: str, seq: int) -> None:
        notices._on_message(MessagePosted(uuid.uuid4(), thread, seq, uuid.uuid4(), author))

    post("person:a", 1)
    await asyncio.sleep(0)
    for seq in range(2, 20):
        post("person:a", seq)  # while the first round runs: one more round after it
    post("employee:b", 20)  # another writer tells other people (the first writer among them)
    notices.go_on.set()
    await notices.stop()
    assert sorted(notices.rounds) == [("employee:b", 20), ("person:a", 1), ("person:a", 19)]
    assert notices._rounds == {}
