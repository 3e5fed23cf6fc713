"""R-PLAN-4: every action has one responsible unit of the plan's municipality; its staff (with a
write grant) and the coordinator change it; the owner's side comments."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from app.actions import service as actions
from app.consents.schemas import GrantSpec
from app.errors import Forbidden, InvalidInput
from app.goals import service as goals
from app.models import Action, ActionGoal, ActionStatus, GoalStatus, GrantMode, NoteKind, PlanPart
from app.plan_view import service as plan_view
from tests.plan_content.plan_world import (
    PlanWorld,
    count,
    give_employee_grants,
    home_visit,
    nurse_may_write,
    teacher_may_write,
    timeline_rows,
)
from tests.support.clock import FrozenClock


@pytest.mark.parametrize("unit", ["none", "unknown", "other_municipality"])
async def test_r_plan_4_an_action_needs_a_unit_of_the_plans_municipality(
    session: AsyncSession, world: PlanWorld, clock: FrozenClock, unit: str
) -> None:
    unit_id = {"none": None, "unknown": uuid.uuid4(), "other_municipality": world.elsewhere.id}
    entries = len(await timeline_rows(session, world.plan_id))
    with pytest.raises(InvalidInput) as error:
        await actions.create_action(
            session,
            world.coordinator,
            world.plan_id,
            home_visit(world, responsible_unit_id=unit_id[unit]),
            clock=clock,
        )
    assert error.value.field == "responsible_unit_id"
    assert error.value.error_code == ("no_unit" if unit == "none" else "unknown_unit")
    assert await count(session, Action) == 0
    assert len(await timeline_rows(session, world.plan_id)) == entries


async def test_r_plan_4_the_responsible_person_must_work_in_the_responsible_unit(
    session: AsyncSession, world: PlanWorld, clock: FrozenClock
) -> None:
    for outsider in (world.teacher.id, world.base.ke.id, uuid.uuid4()):
        with pytest.raises(InvalidInput) as error:
            await actions.create_action(
                session,
                world.coordinator,
                world.plan_id,
                home_visit(world, responsible_employee_id=outsider),
                clock=clock,
            )
        assert error.value.error_code == "not_in_unit"
        assert error.value.field == "responsible_employee_id"
    action = await actions.create_action(
        session,
        world.coordinator,
        world.plan_id,
        home_visit(world, responsible_employee_id=world.base.nurse.id),
        clock=clock,
    )
    assert action.responsible_employee_id == world.base.nurse.id
    with pytest.raises(InvalidInput):  # moving the action keeps the rule
        await actions.change_action(
            session,
            world.coordinator,
            world.plan_id,
            action.id,
            home_visit(
                world,
                responsible_unit_id=world.school.id,
                responsible_employee_id=world.base.nurse.id,
            ),
            seen_version=action.version,
            clock=clock,
        )


async def test_r_plan_4_a_provider_creates_and_updates_own_units_actions(
    session: AsyncSession, world: PlanWorld, clock: FrozenClock
) -> None:
    await nurse_may_write(session, world, clock)
    action = await actions.create_action(
        session, world.nurse, world.plan_id, home_visit(world), clock=clock
    )
    assert action.created_by_employee_id == world.base.nurse.id
    action = await actions.change_action(
        session,
        world.nurse,
        world.plan_id,
        action.id,
        home_visit(world, extent="Kvar dag", responsible_employee_id=world.base.nurse.id),
        seen_version=action.version,
        clock=clock,
    )
    action = await actions.set_action_status(
        session,
        world.nurse,
        world.plan_id,
        action.id,
        ActionStatus.ONGOING,
        seen_version=action.version,
        clock=clock,
    )
    assert (action.extent, action.status, action.version) == ("Kvar dag", ActionStatus.ONGOING, 3)
    note = await actions.add_note(
        session, world.nurse, world.plan_id, action.id, "Første besøk gjort", clock=clock
    )
    assert note.kind is NoteKind.PROGRESS and note.author_unit_id == world.base.home_care.id
    [entry] = [e for e in await timeline_rows(session, world.plan_id) if e.item_id == note.id]
    assert entry.actor_unit_id == world.base.home_care.id and entry.kind == "note.progress"


async def test_r_plan_4_a_provider_may_not_touch_another_units_actions(
    session: AsyncSession, world: PlanWorld, clock: FrozenClock
) -> None:
    await nurse_may_write(session, world, clock)
    await teacher_may_write(session, world, clock)
    school = home_visit(world, title="Leksehjelp", responsible_unit_id=world.school.id)
    with pytest.raises(Forbidden):
        await actions.create_action(session, world.nurse, world.plan_id, school, clock=clock)
    lessons = await actions.create_action(
        session, world.teacher_actor, world.plan_id, school, clock=clock
    )
    with pytest.raises(Forbidden):
        await actions.change_action(
            session,
            world.nurse,
            world.plan_id,
            lessons.id,
            school,
            seen_version=lessons.version,
            clock=clock,
        )
    with pytest.raises(Forbidden):
        await actions.set_action_status(
            session,
            world.nurse,
            world.plan_id,
            lessons.id,
            ActionStatus.DONE,
            seen_version=lessons.version,
            clock=clock,
        )
    with pytest.raises(Forbidden):
        await actions.add_note(session, world.nurse, world.plan_id, lessons.id, "Hei", clock=clock)
    # Moving one's own action to a unit one does not take part for is refused, too.
    visit = await actions.create_action(
        session, world.nurse, world.plan_id, home_visit(world), clock=clock
    )
    with pytest.raises(Forbidden):
        await actions.change_action(
            session,
            world.nurse,
            world.plan_id,
            visit.id,
            home_visit(world, responsible_unit_id=world.school.id),
            seen_version=visit.version,
            clock=clock,
        )
    assert visit.responsible_unit_id == world.base.home_care.id and visit.version == 1
    assert lessons.status is ActionStatus.PLANNED and lessons.version == 1


async def test_r_plan_4_a_provider_with_a_read_grant_only_reads(
    session: AsyncSession, world: PlanWorld, clock: FrozenClock
) -> None:
    read = GrantSpec(part=PlanPart.GOALS_ACTIONS, mode=GrantMode.READ)
    await give_employee_grants(
        session, world, world.base.nurse, world.base.home_care, read, clock=clock
    )
    with pytest.raises(Forbidden):
        await actions.create_action(
            session, world.nurse, world.plan_id, home_visit(world), clock=clock
        )
    visit = await actions.create_action(
        session, world.coordinator, world.plan_id, home_visit(world), clock=clock
    )
    with pytest.raises(Forbidden):
        await actions.set_action_status(
            session,
            world.nurse,
            world.plan_id,
            visit.id,
            ActionStatus.DONE,
            seen_version=visit.version,
            clock=clock,
        )
    view = await plan_view.plan_view(session, world.nurse, world.plan_id, clock=clock)
    [shown] = view.loose_actions
    assert not shown.can_update and not shown.can_comment and view.units == []


async def test_r_plan_4_the_owner_only_comments(
    session: AsyncSession, world: PlanWorld, clock: FrozenClock
) -> None:
    with pytest.raises(Forbidden):
        await actions.create_action(
            session, world.owner, world.plan_id, home_visit(world), clock=clock
        )
    visit = await actions.create_action(
        session, world.coordinator, world.plan_id, home_visit(world), clock=clock
    )
    with pytest.raises(Forbidden):
        await actions.set_action_status(
            session,
            world.owner,
            world.plan_id,
            visit.id,
            ActionStatus.DONE,
            seen_version=visit.version,
            clock=clock,
        )
    with pytest.raises(Forbidden):
        await actions.change_action(
            session,
            world.owner,
            world.plan_id,
            visit.id,
            home_visit(world, title="Anna"),
            seen_version=visit.version,
            clock=clock,
        )
    note = await actions.add_note(
        session, world.owner, world.plan_id, visit.id, "Takk for hjelpa", clock=clock
    )
    assert note.kind is NoteKind.COMMENT and note.author_unit_id is None
    assert visit.status is ActionStatus.PLANNED and visit.title == "Hjemmebesøk"
    view = await plan_view.plan_view(session, world.owner, world.plan_id, clock=clock)
    [shown] = view.loose_actions
    assert shown.can_comment and not shown.can_update and shown.notes[0].can_edit


async def test_r_plan_4_the_coordinator_does_everything(
    session: AsyncSession, world: PlanWorld, clock: FrozenClock
) -> None:
    visit = await actions.create_action(
        session, world.coordinator, world.plan_id, home_visit(world), clock=clock
    )
    moved = await actions.change_action(
        session,
        world.coordinator,
        world.plan_id,
        visit.id,
        home_visit(
            world, responsible_unit_id=world.school.id, responsible_employee_id=world.teacher.id
        ),
        seen_version=visit.version,
        clock=clock,
    )
    assert moved.responsible_unit_id == world.school.id
    done = await actions.set_action_status(
        session,
        world.coordinator,
        world.plan_id,
        visit.id,
        ActionStatus.DONE,
        seen_version=moved.version,
        clock=clock,
    )
    assert done.status is ActionStatus.DONE
    note = await actions.add_note(
        session, world.coordinator, world.plan_id, visit.id, "Avslutta", clock=clock
    )
    assert note.kind is NoteKind.PROGRESS
    view = await plan_view.plan_view(session, world.coordinator, world.plan_id, clock=clock)
    assert {unit.id for unit in view.units} == {
        world.base.ke_unit.id,
        world.base.home_care.id,
        world.school.id,
    }
    assert world.elsewhere.id not in {unit.id for unit in view.units}


async def test_r_plan_4_actions_work_towards_goals_of_the_plan_that_are_not_declined(
    session: AsyncSession, world: PlanWorld, clock: FrozenClock
) -> None:
    walk = await goals.propose_goal(
        session, world.owner, world.plan_id, goals.GoalInput("Gå tur"), clock=clock
    )
    cook = await goals.propose_goal(
        session, world.owner, world.plan_id, goals.GoalInput("Lage mat"), clock=clock
    )
    refused = await goals.propose_goal(
        session, world.coordinator, world.plan_id, goals.GoalInput("Trene"), clock=clock
    )
    await goals.set_goal_status(
        session,
        world.owner,
        world.plan_id,
        refused.id,
        GoalStatus.DECLINED,
        seen_version=refused.version,
        clock=clock,
    )
    elsewhere = await goals.propose_goal(
        session,
        world.small_child_parent,
        world.small_child_plan.id,
        goals.GoalInput("Leike"),
        clock=clock,
    )
    for bad in (refused.id, elsewhere.id, uuid.uuid4()):
        with pytest.raises(InvalidInput) as error:
            await actions.create_action(
                session,
                world.coordinator,
                world.plan_id,
                home_visit(world, goal_ids=(walk.id, bad)),
                clock=clock,
            )
        assert error.value.field == "goal_ids"
    visit = await actions.create_action(
        session,
        world.coordinator,
        world.plan_id,
        home_visit(world, goal_ids=(walk.id,)),
        clock=clock,
    )
    # Keep one link and add another, in the same session that made the first.
    visit = await actions.change_action(
        session,
        world.coordinator,
        world.plan_id,
        visit.id,
        home_visit(world, goal_ids=(walk.id, cook.id)),
        seen_version=visit.version,
        clock=clock,
    )
    assert await count(session, ActionGoal) == 2
    visit = await actions.change_action(
        session,
        world.coordinator,
        world.plan_id,
        visit.id,
        home_visit(world, goal_ids=(cook.id,)),
        seen_version=visit.version,
        clock=clock,
    )
    view = await plan_view.plan_view(session, world.owner, world.plan_id, clock=clock)
    by_goal = {g.goal.id: [a.action.id for a in g.actions] for g in view.goals}
    assert by_goal == {walk.id: [], cook.id: [visit.id]}
    last = (await timeline_rows(session, world.plan_id))[-1]
    assert last.changes == {"goal_ids": [sorted([str(walk.id), str(cook.id)]), [str(cook.id)]]}
