"""When someone last opened a plan, and what others changed since (the plan page's "new since
your last visit"). The caller has opened the plan through app/access."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.access import Actor, PlanAccess
from app.clock import Clock
from app.db import insert_on_conflict
from app.models import PlanVisit, TimelineEntry


async def last_visit(session: AsyncSession, plan_id: uuid.UUID, visitor: str) -> datetime | None:
    return await session.scalar(
        select(PlanVisit.seen_at).where(PlanVisit.plan_id == plan_id, PlanVisit.visitor == visitor)
    )


async def changed_since(
    session: AsyncSession, opened: PlanAccess, actor: Actor, since: datetime
) -> set[uuid.UUID]:
    """Items others changed since the reader's last visit (their own changes are not news)."""
    by_someone_else = or_(
        TimelineEntry.actor_person_id.is_distinct_from(actor.person_id),
        TimelineEntry.actor_employee_id.is_distinct_from(actor.employee_id),
    )
    rows = await session.scalars(
        select(TimelineEntry.item_id).where(
            and_(
                TimelineEntry.plan_id == opened.plan.id,
                TimelineEntry.at > since,
                TimelineEntry.item_id.is_not(None),
                by_someone_else,
            )
        )
    )
    return {item_id for item_id in rows if item_id is not None}


async def note_visit(session: AsyncSession, plan_id: uuid.UUID, visitor: str, clock: Clock) -> None:
    values = {"plan_id": plan_id, "visitor": visitor, "seen_at": clock.now()}
    statement = insert_on_conflict(session, PlanVisit).values(**values)
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=["plan_id", "visitor"], set_={"seen_at": values["seen_at"]}
        )
    )
