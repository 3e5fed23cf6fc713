"""Lists of plans: what the actor may see, each logged, in a fixed number of queries."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.access import audit
from app.clock import today_in_oslo
from app.models import AuditEvent
from app.plans import service as plans
from tests.consents.world import born, citizen, employee, make_world
from tests.factories import make_person
from tests.support.clock import FrozenClock


@contextmanager
def counting(session: AsyncSession) -> Iterator[list[str]]:
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(args[2])

    engine = session.bind.engine.sync_engine  # type: ignore[union-attr]
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


async def test_r_log_1_each_listed_plan_is_logged_and_flags_come_in_fixed_queries(
    session: AsyncSession, clock: FrozenClock
) -> None:
    world = await make_world(session, clock)
    today = today_in_oslo(clock)
    for serial in range(10, 40):
        owner = await make_person(
            session, clock=clock, born=born(clock, 50), serial=serial, given_name=f"P{serial}"
        )
        await plans.start_plan(
            session,
            world.municipality,
            owner,
            coordinator=world.coordinator,
            period_start=today,
            period_end=today + timedelta(days=30),
            revision_date=today + timedelta(days=20),
            clock=clock,
        )
    coordinator = employee(world.coordinator)
    with counting(session) as few:
        await plans.visible_plans(session, coordinator, clock=clock)
    found = await plans.visible_plans(session, coordinator, clock=clock)
    assert len(found) == 32
    assert all(item.can_see_group and not item.can_read_access_log for item in found)
    # Who is KE, the list, the owners, the memberships, the grants: never one per plan.
    assert len(few) <= 5, few
    await audit.seal_pending(session)
    listed = await session.scalars(
        select(AuditEvent.plan_id).where(AuditEvent.action == "plan.listed")
    )
    assert len(set(listed)) == 32

    owner = await plans.visible_plans(session, citizen(world.owner), clock=clock)
    assert [(item.can_see_group, item.can_read_access_log) for item in owner] == [(True, True)]
    assert await plans.visible_plans(session, employee(world.nurse), clock=clock) == []
