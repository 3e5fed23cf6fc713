"""Actions (tiltak) and their progress notes (R-PLAN-4).

Every action has exactly one responsible unit, of the plan's municipality, and may name a person
who works there. Providers create and change only their own units' actions; the owner's side
comments. Notes are corrected by their authors only, and the earlier words stay on the timeline.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from app import access
from app.access import Actor, ItemFacts, Permission, PlanAccess
from app.access.decisions import ITEM_NOT_FOUND
from app.clock import Clock
from app.errors import InvalidInput, NotFound
from app.i18n import gettext_noop
from app.models import (
    Action,
    ActionGoal,
    ActionStatus,
    Employee,
    Goal,
    GoalStatus,
    NoteKind,
    PlanStatus,
    ProgressNote,
    Unit,
    UnitMembership,
)
from app.plan_items import texts, versions
from app.plan_items.writing import ensure_open, stamp_new
from app.timeline import service as timeline

ACTION_FIELDS = (
    "title",
    "extent",
    "method",
    "responsible_unit_id",
    "responsible_employee_id",
    "start_date",
    "deadline",
    "status",
)
NO_UNIT = gettext_noop("Choose the service responsible for the action.")
UNKNOWN_UNIT = gettext_noop("That service does not exist in this municipality.")
NOT_IN_UNIT = gettext_noop("The person responsible must work in the responsible service.")
BAD_GOAL = gettext_noop("An action can only work towards goals of this plan that are not declined.")


@dataclass(frozen=True)
class ActionInput:
    title: str
    responsible_unit_id: uuid.UUID | None
    extent: str = ""
    method: str = ""
    responsible_employee_id: uuid.UUID | None = None
    start_date: date | None = None
    deadline: date | None = None
    status: ActionStatus = ActionStatus.PLANNED
    goal_ids: tuple[uuid.UUID, ...] = field(default_factory=tuple)


def action_item(action: Action) -> ItemFacts:
    return ItemFacts(type="action", id=action.id, responsible_unit_id=action.responsible_unit_id)


async def _action(session: AsyncSession, opened: PlanAccess, action_id: uuid.UUID) -> Action:
    action = await session.get(Action, action_id)
    if action is None or action.plan_id != opened.plan.id:
        raise NotFound(ITEM_NOT_FOUND, code="item_not_found")
    return action


async def _checked_input(
    session: AsyncSession, opened: PlanAccess, data: ActionInput
) -> tuple[str, str, str]:
    """Refuse what breaks R-PLAN-4 or the limits, before anything is stored."""
    title = texts.clean(data.title, field="title", limit=texts.SHORT)
    extent = texts.clean(data.extent, field="extent", limit=texts.EXTENT, required=False)
    method = texts.clean(data.method, field="method", limit=texts.LONG, required=False)
    texts.check_order(data.start_date, data.deadline, field="deadline")
    if data.responsible_unit_id is None:
        raise InvalidInput(NO_UNIT, code="no_unit", field="responsible_unit_id")
    unit = await session.get(Unit, data.responsible_unit_id)
    if unit is None or unit.municipality_id != opened.plan.municipality_id:
        raise InvalidInput(UNKNOWN_UNIT, code="unknown_unit", field="responsible_unit_id")
    if data.responsible_employee_id is not None:
        works_there = await session.scalar(
            select(UnitMembership.id).where(
                UnitMembership.unit_id == unit.id,
                UnitMembership.employee_id == data.responsible_employee_id,
            )
        )
        if works_there is None:
            raise InvalidInput(NOT_IN_UNIT, code="not_in_unit", field="responsible_employee_id")
    if data.goal_ids:
        found = (
            await session.scalars(
                select(Goal.id).where(
                    Goal.id.in_(data.goal_ids),
                    Goal.plan_id == opened.plan.id,
                    Goal.status != GoalStatus.DECLINED,
                )
            )
        ).all()
        if len(set(found)) != len(set(data.goal_ids)) or any(
            opened.hides("goal", goal_id) for goal_id in found
        ):
            raise InvalidInput(BAD_GOAL, code="bad_goal", field="goal_ids")
    return title, extent, method


def _snapshot(action: Action, goal_ids: list[uuid.UUID]) -> dict[str, object]:
    return {**versions.snapshot(action, ACTION_FIELDS), "goal_ids": versions.plain(goal_ids)}


async def _goal_ids(session: AsyncSession, action_id: uuid.UUID) -> list[uuid.UUID]:
    rows = await session.scalars(
        select(ActionGoal.goal_id).where(ActionGoal.action_id == action_id)
    )
    return list(rows.all())


async def create_action(
    session: AsyncSession, actor: Actor, plan_id: uuid.UUID, data: ActionInput, *, clock: Clock
) -> Action:
    opened = await access.open_plan(session, actor, plan_id, clock=clock)
    planned = ItemFacts(type="action", responsible_unit_id=data.responsible_unit_id)
    await access.check(session, actor, opened, Permission.CREATE_ACTION, item=planned, clock=clock)
    ensure_open(opened.plan)
    title, extent, method = await _checked_input(session, opened, data)
    action = Action(
        id=uuid.uuid4(),
        plan_id=plan_id,
        title=title,
        extent=extent,
        method=method,
        responsible_unit_id=data.responsible_unit_id,
        responsible_employee_id=data.responsible_employee_id,
        start_date=data.start_date,
        deadline=data.deadline,
        status=data.status,
    )
    stamp_new(action, actor, clock)
    session.add(action)
    await session.flush()
    session.add_all(ActionGoal(action_id=action.id, goal_id=g) for g in set(data.goal_ids))
    await session.flush()
    await timeline.record(
        session,
        actor,
        opened.plan,
        kind="action.added",
        item_type="action",
        item_id=action.id,
        item_version=action.version,
        changes=versions.created(_snapshot(action, list(set(data.goal_ids)))),
        unit_id=opened.unit_for(data.responsible_unit_id),
        clock=clock,
    )
    return action


async def change_action(
    session: AsyncSession,
    actor: Actor,
    plan_id: uuid.UUID,
    action_id: uuid.UUID,
    data: ActionInput,
    *,
    seen_version: int | None,
    clock: Clock,
) -> Action:
    """Change what an action is. Moving it to another unit needs the right to both."""
    opened = await access.open_plan(session, actor, plan_id, clock=clock)
    action = await _action(session, opened, action_id)
    await access.check(
        session, actor, opened, Permission.UPDATE_ACTION, item=action_item(action), clock=clock
    )
    if data.responsible_unit_id != action.responsible_unit_id:
        moved = ItemFacts(type="action", id=action.id, responsible_unit_id=data.responsible_unit_id)
        await access.check(
            session, actor, opened, Permission.UPDATE_ACTION, item=moved, clock=clock
        )
    ensure_open(opened.plan)
    versions.expect(action, seen_version, item_type="action")
    title, extent, method = await _checked_input(session, opened, data)
    old_goals = await _goal_ids(session, action.id)
    before = _snapshot(action, old_goals)
    action.title, action.extent, action.method = title, extent, method
    action.responsible_unit_id = data.responsible_unit_id  # type: ignore[assignment]
    action.responsible_employee_id = data.responsible_employee_id
    action.start_date, action.deadline, action.status = data.start_date, data.deadline, data.status
    new_goals = sorted(set(data.goal_ids))
    if set(new_goals) != set(old_goals):
        await session.execute(delete(ActionGoal).where(ActionGoal.action_id == action.id))
        session.add_all(ActionGoal(action_id=action.id, goal_id=g) for g in new_goals)
    return await _saved(session, actor, opened, action, before, new_goals, "action.changed", clock)


async def set_action_status(
    session: AsyncSession,
    actor: Actor,
    plan_id: uuid.UUID,
    action_id: uuid.UUID,
    status: ActionStatus,
    *,
    seen_version: int | None,
    clock: Clock,
) -> Action:
    opened = await access.open_plan(session, actor, plan_id, clock=clock)
    action = await _action(session, opened, action_id)
    await access.check(
        session, actor, opened, Permission.UPDATE_ACTION, item=action_item(action), clock=clock
    )
    ensure_open(opened.plan)
    versions.expect(action, seen_version, item_type="action")
    goals = await _goal_ids(session, action.id)
    before = _snapshot(action, goals)
    action.status = status
    return await _saved(session, actor, opened, action, before, goals, "action.status", clock)


async def _saved(
    session: AsyncSession,
    actor: Actor,
    opened: PlanAccess,
    action: Action,
    before: dict[str, object],
    goal_ids: list[uuid.UUID],
    kind: str,
    clock: Clock,
) -> Action:
    action.updated_at = clock.now()
    await session.flush()
    await timeline.record(
        session,
        actor,
        opened.plan,
        kind=kind,
        item_type="action",
        item_id=action.id,
        item_version=action.version,
        changes=versions.diff(before, _snapshot(action, goal_ids)),
        unit_id=opened.unit_for(action.responsible_unit_id),
        clock=clock,
    )
    return action


async def add_note(
    session: AsyncSession,
    actor: Actor,
    plan_id: uuid.UUID,
    action_id: uuid.UUID,
    text: str,
    *,
    clock: Clock,
) -> ProgressNote:
    """A progress note by those who carry the action out; a comment from the owner's side."""
    opened = await access.open_plan(session, actor, plan_id, clock=clock)
    action = await _action(session, opened, action_id)
    item = action_item(action)
    await access.check(session, actor, opened, Permission.COMMENT_ON_ACTION, item=item, clock=clock)
    ensure_open(opened.plan)
    cleaned = texts.clean(text, field="text", limit=texts.LONG)
    kind = NoteKind.PROGRESS if opened.allows(Permission.UPDATE_ACTION, item) else NoteKind.COMMENT
    note = ProgressNote(
        id=uuid.uuid4(),
        plan_id=plan_id,
        action_id=action.id,
        kind=kind,
        text=cleaned,
        author_unit_id=(
            opened.unit_for(action.responsible_unit_id) if kind is NoteKind.PROGRESS else None
        ),
    )
    stamp_new(note, actor, clock)
    session.add(note)
    await session.flush()
    await timeline.record(
        session,
        actor,
        opened.plan,
        kind=f"note.{kind.value}",
        item_type="note",
        item_id=note.id,
        item_version=note.version,
        changes={"text": [None, cleaned]},
        parent=("action", action.id),
        unit_id=note.author_unit_id,
        clock=clock,
    )
    return note


async def change_note(
    session: AsyncSession,
    actor: Actor,
    plan_id: uuid.UUID,
    note_id: uuid.UUID,
    text: str,
    *,
    seen_version: int | None,
    clock: Clock,
) -> ProgressNote:
    opened = await access.open_plan(session, actor, plan_id, clock=clock)
    note = await session.get(ProgressNote, note_id)
    if note is None or note.plan_id != plan_id:
        raise NotFound(ITEM_NOT_FOUND, code="item_not_found")
    action = await _action(session, opened, note.action_id)
    written_by_actor = (
        note.created_by_person_id == actor.person_id
        and note.created_by_employee_id == actor.employee_id
    )
    # A note shielded by itself does not exist for the guardian, like one of a shielded action.
    shielded_note = opened.hides("note", note.id)
    item = ItemFacts(
        type="note" if shielded_note else "action",
        id=note.id if shielded_note else action.id,
        responsible_unit_id=action.responsible_unit_id,
        written_by_actor=written_by_actor,
    )
    await access.check(session, actor, opened, Permission.COMMENT_ON_ACTION, item=item, clock=clock)
    ensure_open(opened.plan)
    versions.expect(note, seen_version, item_type="note")
    cleaned = texts.clean(text, field="text", limit=texts.LONG)
    before = note.text
    note.text = cleaned
    note.updated_at = clock.now()
    await session.flush()
    await timeline.record(
        session,
        actor,
        opened.plan,
        kind="note.changed",
        item_type="note",
        item_id=note.id,
        item_version=note.version,
        changes={"text": [before, cleaned]} if before != cleaned else {},
        parent=("action", action.id),
        unit_id=note.author_unit_id,
        clock=clock,
    )
    return note


@dataclass
class Choice:
    id: uuid.UUID
    name: str
    group: str = ""  # the unit of an employee


async def responsible_choices(
    session: AsyncSession, opened: PlanAccess
) -> tuple[list[Choice], list[Choice]]:
    """Units the reader may make responsible for an action, and the people who work there."""
    if opened.plan.status is PlanStatus.CLOSED:
        return [], []
    if opened.is_coordinator:
        unit_filter = Unit.municipality_id == opened.plan.municipality_id
    elif opened.facts.grant_units and opened.allows(
        Permission.CREATE_ACTION,
        ItemFacts("action", responsible_unit_id=min(opened.facts.grant_units)),
    ):
        unit_filter = Unit.id.in_(sorted(opened.facts.grant_units))
    else:
        return [], []
    rows = (
        await session.execute(
            select(Unit.id, Unit.name, Employee.id, Employee.name)
            .outerjoin(UnitMembership, UnitMembership.unit_id == Unit.id)
            .outerjoin(Employee, Employee.id == UnitMembership.employee_id)
            .where(unit_filter)
            .order_by(Unit.name, Employee.name)
        )
    ).all()
    units: dict[uuid.UUID, Choice] = {}
    people: list[Choice] = []
    for unit_id, unit_name, employee_id, employee_name in rows:
        units.setdefault(unit_id, Choice(unit_id, unit_name))
        if employee_id is not None:
            people.append(Choice(employee_id, employee_name, unit_name))
    return list(units.values()), people
