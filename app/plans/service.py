"""Individual plans. The plan issue adds goals, actions and the timeline on top of this."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.clock import Clock
from app.errors import Conflict
from app.i18n import gettext_noop
from app.models import Employee, Municipality, Person, Plan, PlanStatus

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
