"""Work lists show nothing an actor may not read: other municipalities, plans without a grant,
grants that do not cover goals and actions (access.md)."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.access import audit
from app.models import AuditEvent
from app.work_lists import service as work_lists
from tests.consents.world import World, employee, make_world
from tests.support.clock import FrozenClock
from tests.work_lists.scene import (
    READ_LIFE,
    add_action,
    add_plans,
    days,
    employee_elsewhere,
    let_nurse_in,
)


@pytest.fixture
async def world(session: AsyncSession, clock: FrozenClock) -> World:
    world = await make_world(session, clock)
    for plan in (world.plan, world.child_plan):
        await add_action(session, world, clock, plan.id, "Hjemmebesøk", deadline=days(clock, 3))
    return world


async def _logged_reads(session: AsyncSession, world: World) -> list[object]:
    await audit.seal_pending(session)
    return list(
        (
            await session.scalars(
                select(AuditEvent.plan_id).where(
                    AuditEvent.action == work_lists.READ_ACTION,
                    AuditEvent.actor_employee_id == world.nurse.id,
                )
            )
        ).all()
    )


async def test_staff_of_another_municipality_see_nothing(
    session: AsyncSession, world: World, clock: FrozenClock
) -> None:
    siv = employee(await employee_elsewhere(session, clock))
    assert (await work_lists.my_actions(session, siv, clock=clock)).empty
    found = await work_lists.my_plans(session, siv, clock=clock)
    assert found.whole_municipality and found.plans == []


async def test_a_provider_without_a_grant_sees_no_actions_of_their_unit(
    session: AsyncSession, world: World, clock: FrozenClock
) -> None:
    nurse = employee(world.nurse)
    assert (await work_lists.my_actions(session, nurse, clock=clock)).empty
    assert (await work_lists.my_plans(session, nurse, clock=clock)).plans == []
    assert await _logged_reads(session, world) == []


async def test_a_provider_whose_grant_lacks_goals_and_actions_sees_no_actions(
    session: AsyncSession, world: World, clock: FrozenClock
) -> None:
    await let_nurse_in(session, world, clock, world.plan.id, world.owner, READ_LIFE)
    assert (await work_lists.my_actions(session, employee(world.nurse), clock=clock)).empty
    assert await _logged_reads(session, world) == []


async def test_a_provider_sees_actions_only_of_the_plans_granted_to_them(
    session: AsyncSession, world: World, clock: FrozenClock
) -> None:
    [(other_plan, _owner)] = await add_plans(session, world, clock, 1)
    await add_action(session, world, clock, other_plan.id, "Ikke din", deadline=days(clock, 3))
    await let_nurse_in(session, world, clock, world.plan.id, world.owner)
    found = await work_lists.my_actions(session, employee(world.nurse), clock=clock)
    assert {item.plan_id for item in found.due_soon} == {world.plan.id}
    assert await _logged_reads(session, world) == [world.plan.id]
