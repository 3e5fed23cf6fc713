"""Individual plans. The plan issue adds goals, actions and the timeline on top of this."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app import access
from app.access import Actor, Permission, audit
from app.clock import Clock
from app.errors import Conflict
from app.i18n import gettext_noop
from app.models import Employee, Municipality, Person, Plan, PlanStatus
from app.responsibility_group import service as group

PLAN_EXISTS = gettext_noop("This person already has a plan in this municipality.")
COORDINATOR_ELSEWHERE = gettext_noop("The coordinator works in another municipality.")


async def start_plan(
    session: AsyncSession,
    municipality: Municipality,
    owner: Person,
    *,
    coordinator: Employee | None,
    period_start: date,
    period_end: date,
    revision_date: date,
    clock: Clock,
) -> Plan:
    """Open the owner's plan in this municipality. Raises Conflict if one exists (R-PLAN-2)."""
    existing = await session.scalar(
        select(Plan.id).where(Plan.municipality_id == municipality.id, Plan.owner_id == owner.id)
    )
    if existing is not None:
        raise Conflict(PLAN_EXISTS, code="plan_exists")
    if coordinator is not None and coordinator.municipality_id != municipality.id:
        raise Conflict(COORDINATOR_ELSEWHERE, code="wrong_municipality")
    now = clock.now()
    plan = Plan(
        municipality_id=municipality.id,
        owner_id=owner.id,
        coordinator_id=coordinator.id if coordinator else None,
        status=PlanStatus.ACTIVE,
        period_start=period_start,
        period_end=period_end,
        revision_date=revision_date,
        created_at=now,
        updated_at=now,
    )
    session.add(plan)
    await session.flush()
    return plan


@dataclass(frozen=True)
class PlanSummary:
    plan: Plan
    owner_name: str
    can_see_group: bool = False
    can_read_access_log: bool = False


async def visible_plans(session: AsyncSession, actor: Actor, *, clock: Clock) -> list[PlanSummary]:
    """The plans the actor may know exist, with their owners' names; the read is logged per
    plan (R-LOG-1: reads of lists log the plan ids read)."""
    rows = (
        await session.execute(
            select(Plan, Person)
            .join(Person, Person.id == Plan.owner_id)
            .where(await access.visible_plans(session, actor, clock=clock))
            .order_by(Person.given_name, Person.family_name, Plan.id)
        )
    ).all()
    for plan, _owner in rows:
        await audit.record_done(session, actor, plan, "plan.listed", clock=clock)
    can = await access.capabilities_many(session, actor, [plan for plan, _ in rows], clock=clock)
    see_group = group.group_permission(actor).value
    return [
        PlanSummary(
            plan,
            owner.display_name,
            can_see_group=can[plan.id][see_group],
            can_read_access_log=can[plan.id][Permission.READ_ACCESS_LOG.value],
        )
        for plan, owner in rows
    ]
