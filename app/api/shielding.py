from __future__ import annotations

import uuid
from datetime import datetime

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict

from app.api.deps import ClockDep, CurrentActor, DbSession
from app.consents.schemas import ShieldRequest
from app.shielding import service as shielding

router = APIRouter(tags=["consent"])


class ShieldedItemOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    item_type: str
    item_id: uuid.UUID
    created_at: datetime
    ended_at: datetime | None


@router.get("/plans/{plan_id}/shielded-items", response_model=list[ShieldedItemOut])
async def list_shielded(
    plan_id: uuid.UUID, session: DbSession, actor: CurrentActor, clock: ClockDep
) -> list[ShieldedItemOut]:
    """Items hidden from guardians (the young person and the coordinator see this list)."""
    items = await shielding.shielded_items(session, actor, plan_id, clock=clock)
    return [ShieldedItemOut.model_validate(item) for item in items]


@router.post("/plans/{plan_id}/shielded-items", response_model=ShieldedItemOut, status_code=201)
async def shield(
    plan_id: uuid.UUID,
    data: ShieldRequest,
    session: DbSession,
    actor: CurrentActor,
    clock: ClockDep,
) -> ShieldedItemOut:
    """Hide a goal, action, note or conversation from guardians (R-AGE-2)."""
    item = await shielding.shield(
        session, actor, plan_id, data.item_type, data.item_id, clock=clock
    )
    return ShieldedItemOut.model_validate(item)


@router.post("/plans/{plan_id}/shielded-items/{shield_id}/end", response_model=ShieldedItemOut)
async def unshield(
    plan_id: uuid.UUID,
    shield_id: uuid.UUID,
    session: DbSession,
    actor: CurrentActor,
    clock: ClockDep,
) -> ShieldedItemOut:
    """Show the item to guardians again."""
    item = await shielding.unshield(session, actor, plan_id, shield_id, clock=clock)
    return ShieldedItemOut.model_validate(item)
