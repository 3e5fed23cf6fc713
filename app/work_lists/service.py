"""Work lists for staff: "my actions" across every plan an employee may read, and "my plans"
for the coordinator and the coordinating unit (R-PLAN-6).

Both start from access.visible_plans() and ask access.capabilities_many() about the plans
found, so a provider sees an action only where a grant lets them read goals and actions. Each
list is a fixed number of queries however many plans and actions it holds (quality.md P8), and
the read of every listed plan is logged (R-LOG-1: reads of lists log the plan ids read).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from app import access
from app.access import Actor, Permission, audit
from app.clock import OSLO, Clock, today_in_oslo
from app.errors import Forbidden
from app.i18n import gettext_noop
from app.models import (
    Action,
    ActionStatus,
    Employee,
    Goal,
    GoalStatus,
    Person,
    Plan,
    PlanStatus,
    TimelineEntry,
    Unit,
    UnitMembership,
)
from app.plan_view import service as plan_view

FOR_STAFF_ONLY = gettext_noop("Work lists are for employees. Your plans are under Plans.")
READ_ACTION = "work_list.read"
RECENT_DAYS = 7  # "recently changed" actions
REVISION_WARNING_DAYS = 30  # R-PLAN-6
QUIET_DAYS = 60  # a plan without any change for this long needs a look
READ_GOALS = Permission.READ_GOALS_ACTIONS.value


@dataclass(frozen=True)
class ActionItem:
    plan_id: uuid.UUID
    action_id: uuid.UUID
    owner_name: str
    title: str
    unit_name: str
    deadline: date | None
    status: ActionStatus
    updated_at: datetime
    yours: bool  # the actor is named as the responsible person


@dataclass(frozen=True)
class MyActions:
    overdue: list[ActionItem]
    due_soon: list[ActionItem]
    recently_changed: list[ActionItem]

    @property
    def empty(self) -> bool:
        return not (self.overdue or self.due_soon or self.recently_changed)


@dataclass(frozen=True)
class PlanItem:
    plan_id: uuid.UUID
    owner_name: str
    coordinator_name: str | None
    revision_date: date | None
    revision_overdue: bool
    revision_due: bool  # within 30 days, or already past (R-PLAN-6)
    proposed_goals: int | None  # None: the actor may not read the plan's goals
    last_activity: datetime
    inactive: bool
    close_requested: bool

    @property
    def last_activity_on(self) -> date:
        return self.last_activity.astimezone(OSLO).date()

    @property
    def needs_attention(self) -> bool:
        return (
            self.revision_due or bool(self.proposed_goals) or self.inactive or self.close_requested
        )


@dataclass(frozen=True)
class MyPlans:
    plans: list[PlanItem]
    whole_municipality: bool  # the coordinating unit's view, not only the plans one coordinates


def _staff_only(actor: Actor) -> None:
    if actor.is_citizen or actor.employee_id is None:
        raise Forbidden(FOR_STAFF_ONLY, code="staff_only")


async def my_actions(session: AsyncSession, actor: Actor, *, clock: Clock) -> MyActions:
    """Open actions of the actor's units or in their name, by deadline, and what changed lately.

    Raises Forbidden for citizens. Leaves out closed plans and plans where the actor may not
    read goals and actions; logs the read of each plan listed.
    """
    _staff_only(actor)
    today = today_in_oslo(clock)
    soon = today + timedelta(days=plan_view.DUE_SOON_DAYS)
    since = clock.now() - timedelta(days=RECENT_DAYS)
    my_units = select(UnitMembership.unit_id).where(UnitMembership.employee_id == actor.employee_id)
    rows = (
        await session.execute(
            select(Action, Plan, Person.given_name, Person.family_name, Unit.name)
            .join(Plan, Plan.id == Action.plan_id)
            .join(Person, Person.id == Plan.owner_id)
            .join(Unit, Unit.id == Action.responsible_unit_id)
            .where(
                await access.visible_plans(session, actor, clock=clock),
                Plan.status != PlanStatus.CLOSED,
                or_(
                    Action.responsible_unit_id.in_(my_units),
                    Action.responsible_employee_id == actor.employee_id,
                ),
                or_(
                    and_(Action.status.in_(plan_view.OPEN_ACTION), Action.deadline <= soon),
                    Action.updated_at >= since,
                ),
            )
            .order_by(Action.deadline, Action.updated_at.desc(), Action.id)
        )
    ).all()
    plans = list({plan.id: plan for _action, plan, *_rest in rows}.values())
    can = await access.capabilities_many(session, actor, plans, clock=clock)
    readable = [row for row in rows if can[row[1].id][READ_GOALS]]
    listed = {row[1].id for row in readable}
    for plan in plans:
        if plan.id in listed:
            await audit.record_done(session, actor, plan, READ_ACTION, clock=clock)
    items = [
        ActionItem(
            plan_id=plan.id,
            action_id=action.id,
            owner_name=f"{given} {family}",
            title=action.title,
            unit_name=unit_name,
            deadline=action.deadline,
            status=action.status,
            updated_at=action.updated_at,
            yours=action.responsible_employee_id == actor.employee_id,
        )
        for action, plan, given, family, unit_name in readable
    ]
    open_items = [item for item in items if item.status in plan_view.OPEN_ACTION]
    return MyActions(
        overdue=[i for i in open_items if i.deadline is not None and i.deadline < today],
        due_soon=[i for i in open_items if i.deadline is not None and today <= i.deadline <= soon],
        recently_changed=sorted(
            (i for i in items if i.updated_at >= since),
            key=lambda i: (i.updated_at, i.action_id.int),
            reverse=True,
        ),
    )


async def my_plans(session: AsyncSession, actor: Actor, *, clock: Clock) -> MyPlans:
    """The plans the actor coordinates or, for the coordinating unit, every open plan of the
    municipality, most urgent first, with what needs doing (R-PLAN-6).

    Raises Forbidden for citizens. The number of proposed goals is given only where the actor
    may read goals; logs the read of each plan listed.
    """
    _staff_only(actor)
    desk = await access.municipality_capabilities(session, actor)
    whole_municipality = desk[Permission.KEEP_REGISTERS.value]  # the coordinating unit's staff
    last_change = (
        select(func.max(TimelineEntry.at))
        .where(TimelineEntry.plan_id == Plan.id)
        .correlate(Plan)
        .scalar_subquery()
    )
    waiting = (
        select(func.count(Goal.id))
        .where(Goal.plan_id == Plan.id, Goal.status == GoalStatus.PROPOSED)
        .correlate(Plan)
        .scalar_subquery()
    )
    query = (
        select(Plan, Person.given_name, Person.family_name, Employee.name, waiting, last_change)
        .join(Person, Person.id == Plan.owner_id)
        .outerjoin(Employee, Employee.id == Plan.coordinator_id)
        .where(
            await access.visible_plans(session, actor, clock=clock),
            Plan.status != PlanStatus.CLOSED,
        )
    )
    if not whole_municipality:
        query = query.where(Plan.coordinator_id == actor.employee_id)
    rows = (await session.execute(query)).all()
    can = await access.capabilities_many(session, actor, [row[0] for row in rows], clock=clock)
    today = today_in_oslo(clock)
    quiet_since = clock.now() - timedelta(days=QUIET_DAYS)
    items = []
    for plan, given, family, coordinator, proposed, changed in rows:
        await audit.record_done(session, actor, plan, READ_ACTION, clock=clock)
        # A new plan with nothing on its timeline yet counts from the day it was made.
        last_activity = max(changed, plan.created_at) if changed else plan.created_at
        revision = plan.revision_date
        items.append(
            PlanItem(
                plan_id=plan.id,
                owner_name=f"{given} {family}",
                coordinator_name=coordinator,
                revision_date=revision,
                revision_overdue=revision is not None and revision < today,
                revision_due=revision is not None
                and revision <= today + timedelta(days=REVISION_WARNING_DAYS),
                proposed_goals=proposed if can[plan.id][READ_GOALS] else None,
                last_activity=last_activity,
                inactive=last_activity < quiet_since,
                close_requested=plan.close_requested_at is not None,
            )
        )
    return MyPlans(sorted(items, key=_urgency), whole_municipality)


def _urgency(item: PlanItem) -> tuple[int, date, str, int]:
    """Most urgent first: a revision already past, a request to close, a revision due soon,
    then plans with proposals waiting or no activity, then the rest; earliest revision first."""
    if item.revision_overdue:
        tier = 0
    elif item.close_requested:
        tier = 1
    elif item.revision_due:
        tier = 2
    elif item.needs_attention:
        tier = 3
    else:
        tier = 4
    return (tier, item.revision_date or date.max, item.owner_name, item.plan_id.int)
