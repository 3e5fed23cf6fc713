"""quality.md P8 for the unit inbox: the same number of SQL statements for conversations in one
plan as in six. Counted at the driver from an empty identity map, as at the start of a request
(tests/work_lists/test_query_budget.py does the same for the work lists)."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from app.consents.schemas import GrantSpec
from app.messages import service as messages
from app.models import GrantMode, PlanPart
from app.threads import service as threads
from app.threads.service import MemberChoice
from tests.consents.world import World, make_world
from tests.support.clock import FrozenClock
from tests.support.logins import citizen, employee
from tests.work_lists.scene import add_plans, let_nurse_in
from tests.work_lists.test_query_budget import _cold_count

WRITE_MESSAGES = GrantSpec(part=PlanPart.MESSAGES, mode=GrantMode.WRITE)


async def _plans_with_a_thread_for_home_care(
    session: AsyncSession, world: World, clock: FrozenClock, count: int, first_serial: int
) -> list[uuid.UUID]:
    started = []
    for plan, owner in await add_plans(session, world, clock, count, first_serial=first_serial):
        await let_nurse_in(session, world, clock, plan.id, owner, WRITE_MESSAGES)
        thread, _first = await messages.start_thread(
            session,
            citizen(owner),
            plan.id,
            topic=f"Til hjemmetjenesten {first_serial}",
            members=[MemberChoice(unit_id=world.home_care.id)],
            first_message="Kan dere komme?",
            clock=clock,
        )
        started.append(thread.id)
    return started


async def test_p8_the_unit_inbox_costs_the_same_for_one_plan_and_six(
    session: AsyncSession, engine: AsyncEngine, clock: FrozenClock
) -> None:
    world = await make_world(session, clock)
    nurse = employee(world.nurse)
    one = await _plans_with_a_thread_for_home_care(session, world, clock, 1, first_serial=10)
    few, inbox = await _cold_count(
        session, engine, lambda: threads.unit_inbox(session, nurse, clock=clock)
    )
    assert [item.thread.id for item in inbox] == one
    more = await _plans_with_a_thread_for_home_care(session, world, clock, 5, first_serial=20)
    many, inbox = await _cold_count(
        session, engine, lambda: threads.unit_inbox(session, nurse, clock=clock)
    )
    assert {item.thread.id for item in inbox} == set(one + more)
    assert all(item.unread == 1 for item in inbox)
    assert len(many) == len(few), "\n".join(many)
