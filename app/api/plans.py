from __future__ import annotations

import uuid
from datetime import date

from fastapi import APIRouter
from pydantic import BaseModel

from app.api.deps import ClockDep, CurrentActor, DbSession
from app.plans import service as plans

router = APIRouter(tags=["plans"])


class PlanListItem(BaseModel):
    id: uuid.UUID
    owner_name: str
    status: str
    revision_date: date | None


@router.get("/plans", response_model=list[PlanListItem])
async def list_plans(
    session: DbSession, actor: CurrentActor, clock: ClockDep
) -> list[PlanListItem]:
    """The plans you may know exist: your own, those you act for, or those you take part in."""
    found = await plans.visible_plans(session, actor, clock=clock)
    return [
        PlanListItem(
            id=item.plan.id,
            owner_name=item.owner_name,
            status=item.plan.status.value,
            revision_date=item.plan.revision_date,
        )
        for item in found
    ]
