"""R-SAFE-3: a write retried with the same Idempotency-Key is stored once."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from app.access import Actor
from app.db import make_sessionmaker
from app.errors import InvalidInput
from app.goals import service as goals
from app.idempotency import service as idempotency
from app.models import Goal, IdempotentWrite, Realm
from tests.plan_content.plan_world import PlanWorld, count
from tests.support.clock import FrozenClock

REQUEST = "POST /api/plans/x/goals"


class Counted:
    """A write that counts how often it really ran."""

    def __init__(self, result: dict[str, Any] | None = None) -> None:
        self.runs = 0
        self.result = result or {"id": "goal-1"}

    async def __call__(self) -> tuple[int, dict[str, Any]]:
        self.runs += 1
        return 201, self.result


def _someone() -> Actor:
    return Actor(
        realm=Realm.CITIZEN, session_id=uuid.uuid4(), display_name="Test", person_id=uuid.uuid4()
    )


async def test_r_safe_3_the_same_key_three_times_runs_the_write_once(
    session: AsyncSession, clock: FrozenClock
) -> None:
    actor, write = _someone(), Counted()
    outcomes = [
        await idempotency.once(session, actor, "key-1", REQUEST, write, clock=clock)
        for _ in range(3)
    ]
    assert write.runs == 1
    assert [o.replayed for o in outcomes] == [False, True, True]
    assert {(o.status, o.result["id"]) for o in outcomes} == {(201, "goal-1")}
    assert await count(session, IdempotentWrite) == 1


async def test_r_safe_3_a_real_goal_retried_is_stored_once(
    session: AsyncSession, world: PlanWorld, clock: FrozenClock
) -> None:
    async def write() -> tuple[int, dict[str, Any]]:
        goal = await goals.propose_goal(
            session, world.owner, world.plan_id, goals.GoalInput("Gå tur"), clock=clock
        )
        return 201, {"id": str(goal.id)}

    answers = {
        (await idempotency.once(session, world.owner, "k", REQUEST, write, clock=clock)).result[
            "id"
        ]
        for _ in range(3)
    }
    assert len(answers) == 1 and await count(session, Goal) == 1


async def test_r_safe_3_a_refused_write_leaves_nothing_behind_and_its_key_free(
    session: AsyncSession, world: PlanWorld, clock: FrozenClock
) -> None:
    """The pages show a refused form and commit the request's other work: neither a half-done
    write nor a claim that would answer every retry with "still being handled" may stay."""

    async def refused() -> tuple[int, dict[str, Any]]:
        await goals.propose_goal(
            session, world.owner, world.plan_id, goals.GoalInput("Gå tur"), clock=clock
        )
        await goals.propose_goal(
            session, world.owner, world.plan_id, goals.GoalInput(""), clock=clock
        )
        return 201, {}

    with pytest.raises(InvalidInput):
        await idempotency.once(session, world.owner, "k", REQUEST, refused, clock=clock)
    await session.flush()
    assert await count(session, IdempotentWrite) == 0 and await count(session, Goal) == 0
    write = Counted()
    outcome = await idempotency.once(session, world.owner, "k", REQUEST, write, clock=clock)
    assert write.runs == 1 and not outcome.replayed


async def test_r_safe_3_the_same_key_for_another_request_is_refused(
    session: AsyncSession, clock: FrozenClock
) -> None:
    actor, write = _someone(), Counted()
    await idempotency.once(session, actor, "key-1", REQUEST, write, clock=clock)
    with pytest.raises(InvalidInput) as error:
        await idempotency.once(session, actor, "key-1", "POST /api/other", write, clock=clock)
    assert error.value.error_code == "idempotency_key_reused" and error.value.status == 422
    assert write.runs == 1


async def test_r_safe_3_keys_belong_to_one_actor_and_no_key_means_no_memory(
    session: AsyncSession, clock: FrozenClock
) -> None:
    write = Counted()
    for actor in (_someone(), _someone()):
        outcome = await idempotency.once(session, actor, "same", REQUEST, write, clock=clock)
        assert not outcome.replayed
    for _ in range(2):
        await idempotency.once(session, _someone(), None, REQUEST, write, clock=clock)
    assert write.runs == 4 and await count(session, IdempotentWrite) == 2


@pytest.mark.parametrize("key", ["", " padded ", "x" * 101, "tab\there"])
async def test_r_safe_3_a_malformed_key_is_refused(
    session: AsyncSession, clock: FrozenClock, key: str
) -> None:
    write = Counted()
    with pytest.raises(InvalidInput) as error:
        await idempotency.once(session, _someone(), key, REQUEST, write, clock=clock)
    assert error.value.error_code == "bad_idempotency_key" and write.runs == 0


async def test_r_safe_3_keys_are_forgotten_after_two_days(
    session: AsyncSession, clock: FrozenClock
) -> None:
    actor, write = _someone(), Counted()
    await idempotency.once(session, actor, "old", REQUEST, write, clock=clock)
    clock.advance(idempotency.KEEP_FOR)
    await idempotency.once(session, actor, "new", REQUEST, write, clock=clock)
    assert await idempotency.forget_old(session, clock=clock) == 0  # exactly two days: kept
    clock.advance(timedelta(seconds=1))
    assert await idempotency.forget_old(session, clock=clock) == 1
    await idempotency.once(session, actor, "old", REQUEST, write, clock=clock)
    assert write.runs == 3


async def test_r_safe_3_two_transactions_with_the_same_key_store_one_row(
    engine: AsyncEngine, clock: FrozenClock
) -> None:
    """Two requests on separate connections. On PostgreSQL they overlap: the second waits on
    the first's claim, then answers with what the first stored. SQLite lets one writer in at a
    time (a second writer that has read is refused with "database is locked"), so there the
    second connection comes after the first has committed."""
    actor, key = _someone(), f"race-{uuid.uuid4()}"
    sessions = make_sessionmaker(engine)
    overlap = engine.dialect.name == "postgresql"
    first_claimed, release, first_done = asyncio.Event(), asyncio.Event(), asyncio.Event()
    runs = 0

    async def slow_write() -> tuple[int, dict[str, Any]]:
        nonlocal runs
        runs += 1
        first_claimed.set()
        await release.wait()
        return 201, {"id": "only-one"}

    async def first_request() -> idempotency.Outcome:
        try:
            async with sessions.begin() as db:
                return await idempotency.once(db, actor, key, REQUEST, slow_write, clock=clock)
        finally:
            first_done.set()

    async def second_request() -> idempotency.Outcome:
        await (first_claimed if overlap else first_done).wait()
        async with sessions.begin() as db:
            return await idempotency.once(db, actor, key, REQUEST, slow_write, clock=clock)

    async def let_the_first_finish() -> None:
        await first_claimed.wait()
        await asyncio.sleep(0.3)  # on PostgreSQL the second now waits on the first's claim
        release.set()

    try:
        first, second, _ = await asyncio.gather(
            first_request(), second_request(), let_the_first_finish()
        )
        async with sessions() as db:
            rows = await db.scalar(
                select(func.count()).where(
                    IdempotentWrite.actor == idempotency.actor_key(actor),
                    IdempotentWrite.key == key,
                )
            )
    finally:
        async with sessions.begin() as db:
            await db.execute(
                delete(IdempotentWrite).where(IdempotentWrite.actor == idempotency.actor_key(actor))
            )
    assert runs == 1 and rows == 1
    assert (first.replayed, second.replayed) == (False, True)
    assert first.result == second.result == {"id": "only-one"}
