"""What a reader may write about contributions (R-PLAN-1 item 4), for the plan page's forms:
whom for, which services, and which existing contributions they may change. Each answer is
access's, on the same item facts the contribution service checks (app/plan_frame)."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession

from app.access import Actor, Permission, PlanAccess
from app.actions.service import Choice
from app.models import Contributor
from app.plan_frame import service as frame_service
from app.plan_items.writing import written_by

if TYPE_CHECKING:  # an annotation only: plan data is read behind the access door
    from app.models import Contribution


def _may_write_for(opened: PlanAccess, unit_id: uuid.UUID | None) -> bool:
    item = frame_service.contribution_item(unit_id, wrote=True)
    return opened.allows(Permission.WRITE_CONTRIBUTION, item)


async def contribution_choices(
    session: AsyncSession, opened: PlanAccess, action_units: list[Choice]
) -> tuple[list[Choice], list[Contributor]]:
    """The services the reader may write a contribution for, each once, and whom the add form
    offers: a service writes for its own unit (its action units), a relative in their own
    words, the owner's side and the coordinator for anyone, the group's services included."""
    for_anyone = _may_write_for(opened, None)
    candidates = list(action_units)
    if for_anyone:  # only they may write for a unit of the group that is not their own
        candidates += await frame_service.group_units(session, opened)
    unique = {unit.id: unit for unit in candidates}
    units = sorted(
        (unit for unit in unique.values() if _may_write_for(opened, unit.id)),
        key=lambda unit: unit.name,
    )
    kinds = [kind for kind in Contributor if kind is not Contributor.SERVICE and for_anyone]
    return units, kinds + ([Contributor.SERVICE] if units else [])


def may_change_contribution(opened: PlanAccess, actor: Actor, item: Contribution) -> bool:
    facts = frame_service.contribution_item(
        item.unit_id, wrote=written_by(actor, item), item_id=item.id
    )
    return opened.allows(Permission.WRITE_CONTRIBUTION, facts)
