"""app/work_lists/service.py: "my actions" for providers, "my plans" for coordinators and the KE."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.access import audit
from app.actions import service as actions
from app.errors import Forbidden
from app.goals import service as goals
from app.models import ActionStatus, AuditEvent
from app.plan_frame import service as plan_frame
from app.work_lists import service as work_lists
from tests.consents.world import World, citizen, employee, make_world
from tests.support.clock import FrozenClock
from tests.work_lists.scene import add_action, add_plans, days, let_nurse_in


@pytest.fixture
async def world(session: AsyncSession, clock: FrozenClock) -> World:
    return await make_world(session, clock)


async def _set_revision(
    session: AsyncSession, world: World, clock: FrozenClock, plan_id: uuid.UUID, in_days: int
) -> None:
    await plan_frame.set_dates(
        session,
        employee(world.coordinator),
        plan_id,
        plan_frame.PlanDates(days(clock, 0), days(clock, 365), days(clock, in_days)),
        seen_version=None,
        clock=clock,
    )


async def test_my_actions_groups_overdue_due_soon_and_recently_changed(
    session: AsyncSession, world: World, clock: FrozenClock
) -> None:
    await let_nurse_in(session, world, clock, world.plan.id, world.owner)
    plan_id = world.plan.id
    await add_action(session, world, clock, plan_id, "Skifte bandasje", deadline=days(clock, 5))
    rounds = await add_action(
        session, world, clock, plan_id, "Medisinrunde", deadline=days(clock, 20), person=world.nurse
    )
    await add_action(session, world, clock, plan_id, "Årskontroll", deadline=days(clock, 60))
    aids = await add_action(
        session, world, clock, plan_id, "Kartlegge hjelpemidler", deadline=days(clock, 30)
    )
    await add_action(
        session, world, clock, plan_id, "Møte i KE", deadline=days(clock, 1), unit=world.ke_unit
    )
    clock.advance(timedelta(days=8))
    await actions.set_action_status(
        session,
        employee(world.coordinator),
        plan_id,
        aids.id,
        ActionStatus.DONE,
        seen_version=aids.version,
        clock=clock,
    )

    found = await work_lists.my_actions(session, employee(world.nurse), clock=clock)

    assert [item.title for item in found.overdue] == ["Skifte bandasje"]
    assert [item.title for item in found.due_soon] == ["Medisinrunde"]
    assert [item.title for item in found.recently_changed] == ["Kartlegge hjelpemidler"]
    [item] = found.due_soon
    assert (item.plan_id, item.action_id) == (plan_id, rounds.id)
    assert item.owner_name == world.owner.display_name
    assert item.unit_name == "Hjemmetjenesten"
    assert item.deadline == days(clock, 12) and item.status is ActionStatus.PLANNED
    assert item.yours and not found.overdue[0].yours


async def test_my_actions_lists_what_changed_this_week_even_without_a_deadline(
    session: AsyncSession, world: World, clock: FrozenClock
) -> None:
    await let_nurse_in(session, world, clock, world.plan.id, world.owner)
    await add_action(session, world, clock, world.plan.id, "Turvenn", deadline=None)
    found = await work_lists.my_actions(session, employee(world.nurse), clock=clock)
    assert [item.title for item in found.recently_changed] == ["Turvenn"]
    assert found.overdue == [] and found.due_soon == []
    clock.advance(timedelta(days=8))
    assert (await work_lists.my_actions(session, employee(world.nurse), clock=clock)).empty


async def test_my_actions_leaves_out_closed_plans(
    session: AsyncSession, world: World, clock: FrozenClock
) -> None:
    await let_nurse_in(session, world, clock, world.plan.id, world.owner)
    await add_action(session, world, clock, world.plan.id, "Dusjhjelp", deadline=days(clock, 2))
    await plan_frame.close_plan(
        session, employee(world.ke), world.plan.id, seen_version=None, clock=clock
    )
    assert (await work_lists.my_actions(session, employee(world.nurse), clock=clock)).empty


async def test_r_plan_6_coordinator_sees_revisions_due_within_30_days_first(
    session: AsyncSession, world: World, clock: FrozenClock
) -> None:
    [(late_plan, late_owner)] = await add_plans(session, world, clock, 1)
    await _set_revision(session, world, clock, late_plan.id, 2)
    await _set_revision(session, world, clock, world.plan.id, 25)
    clock.advance(timedelta(days=5))  # late_plan's revision is now 3 days past

    found = await work_lists.my_plans(session, employee(world.coordinator), clock=clock)

    assert not found.whole_municipality
    assert [item.plan_id for item in found.plans] == [
        late_plan.id,
        world.plan.id,
        world.child_plan.id,
    ]
    late, soon, later = found.plans
    assert late.owner_name == late_owner.display_name
    assert late.revision_overdue and late.revision_due and late.needs_attention
    assert soon.revision_due and not soon.revision_overdue
    assert not later.revision_due and not later.needs_attention
    assert later.revision_date == days(clock, 175)


async def test_r_plan_6_the_coordinating_unit_sees_every_open_plan_of_the_municipality(
    session: AsyncSession, world: World, clock: FrozenClock
) -> None:
    await _set_revision(session, world, clock, world.child_plan.id, 10)
    found = await work_lists.my_plans(session, employee(world.ke), clock=clock)
    assert found.whole_municipality
    assert [item.plan_id for item in found.plans] == [world.child_plan.id, world.plan.id]
    assert {item.coordinator_name for item in found.plans} == {world.coordinator.name}
    nobody = await work_lists.my_plans(session, employee(world.nurse), clock=clock)
    assert nobody.plans == [] and not nobody.whole_municipality


async def test_my_plans_counts_proposed_goals_for_those_who_may_read_goals(
    session: AsyncSession, world: World, clock: FrozenClock
) -> None:
    coordinator = employee(world.coordinator)
    await goals.propose_goal(
        session, coordinator, world.plan.id, goals.GoalInput("Trene"), clock=clock
    )
    await goals.propose_goal(
        session, coordinator, world.plan.id, goals.GoalInput("Lese"), clock=clock
    )
    await goals.propose_goal(
        session, citizen(world.owner), world.plan.id, goals.GoalInput("Gå tur"), clock=clock
    )  # the owner's own goal is accepted at once
    mine = await work_lists.my_plans(session, coordinator, clock=clock)
    by_plan = {item.plan_id: item for item in mine.plans}
    assert by_plan[world.plan.id].proposed_goals == 2
    assert by_plan[world.child_plan.id].proposed_goals == 0
    assert mine.plans[0].plan_id == world.plan.id  # waiting proposals come before calm plans
    ke = await work_lists.my_plans(session, employee(world.ke), clock=clock)
    assert {item.proposed_goals for item in ke.plans} == {None}  # goals are case-only for the KE


async def test_my_plans_flags_plans_without_activity_for_60_days(
    session: AsyncSession, world: World, clock: FrozenClock
) -> None:
    coordinator = employee(world.coordinator)
    found = await work_lists.my_plans(session, coordinator, clock=clock)
    assert not any(item.inactive for item in found.plans)  # new plans count from their start
    clock.advance(timedelta(days=61))
    await goals.propose_goal(
        session, coordinator, world.child_plan.id, goals.GoalInput("Svømme"), clock=clock
    )
    found = await work_lists.my_plans(session, coordinator, clock=clock)
    by_plan = {item.plan_id: item for item in found.plans}
    assert by_plan[world.plan.id].inactive
    assert not by_plan[world.child_plan.id].inactive
    assert by_plan[world.child_plan.id].last_activity == clock.now()


async def test_my_plans_shows_a_request_to_close_before_calm_plans(
    session: AsyncSession, world: World, clock: FrozenClock
) -> None:
    await plan_frame.request_close(session, citizen(world.owner), world.plan.id, clock=clock)
    found = await work_lists.my_plans(session, employee(world.ke), clock=clock)
    assert found.plans[0].plan_id == world.plan.id and found.plans[0].close_requested
    assert not found.plans[1].close_requested


async def test_r_log_1_each_listed_plan_is_logged_as_read(
    session: AsyncSession, world: World, clock: FrozenClock
) -> None:
    await let_nurse_in(session, world, clock, world.plan.id, world.owner)
    await add_action(session, world, clock, world.plan.id, "Hjemmebesøk", deadline=days(clock, 3))
    await work_lists.my_actions(session, employee(world.nurse), clock=clock)
    await work_lists.my_plans(session, employee(world.coordinator), clock=clock)
    await audit.seal_pending(session)
    rows = (
        await session.execute(
            select(AuditEvent.actor_employee_id, AuditEvent.plan_id).where(
                AuditEvent.action == work_lists.READ_ACTION, AuditEvent.outcome == "allowed"
            )
        )
    ).all()
    assert sorted(rows) == sorted(
        [
            (world.nurse.id, world.plan.id),
            (world.coordinator.id, world.plan.id),
            (world.coordinator.id, world.child_plan.id),
        ]
    )


async def test_work_lists_are_not_for_citizens(
    session: AsyncSession, world: World, clock: FrozenClock
) -> None:
    for person in (world.owner, world.parent):
        with pytest.raises(Forbidden):
            await work_lists.my_actions(session, citizen(person), clock=clock)
        with pytest.raises(Forbidden):
            await work_lists.my_plans(session, citizen(person), clock=clock)
