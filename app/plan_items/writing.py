"""Stamping who wrote an item, and refusing writes to a closed plan (R-PLAN-7)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Protocol
from uuid import UUID

from app.access import Actor
from app.clock import Clock
from app.errors import Conflict
from app.i18n import gettext_noop
from app.models import PlanStatus

if TYPE_CHECKING:  # only an annotation here: plan data is read behind the access door
    from app.models import Plan

PLAN_CLOSED = gettext_noop("This plan is closed and can no longer be changed.")


class Authored(Protocol):
    created_by_person_id: UUID | None
    created_by_employee_id: UUID | None
    on_behalf_of_person_id: UUID | None
    created_at: datetime
    updated_at: datetime


def ensure_open(plan: Plan) -> None:
    if plan.status is PlanStatus.CLOSED:
        raise Conflict(PLAN_CLOSED, code="plan_closed")


def stamp_new(item: Authored, actor: Actor, clock: Clock) -> None:
    now = clock.now()
    item.created_by_person_id = actor.person_id
    item.created_by_employee_id = actor.employee_id
    item.on_behalf_of_person_id = actor.acting_for_person_id
    item.created_at = now
    item.updated_at = now


def written_by(actor: Actor, item: Authored) -> bool:
    """Did this actor write the item (in their own name, not as someone else's employee)?"""
    return (
        item.created_by_person_id == actor.person_id
        and item.created_by_employee_id == actor.employee_id
    )
