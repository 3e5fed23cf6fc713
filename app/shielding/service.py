"""R-AGE-2: a child of 12-15 (or the coordinator at the child's wish) keeps items from guardians.

The guardian is then told only that something is not shown. Meetings, the coordinator and the
plan itself can never be shielded.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app import access
from app.access import Actor, Permission, audit
from app.access.rules import GUARDIAN_UNTIL_AGE, SHIELDABLE_ITEM_TYPES, SHIELDING_FROM_AGE
from app.clock import Clock, today_in_oslo
from app.consents.events import ConsentChanged, announce
from app.errors import Conflict, InvalidInput, NotFound
from app.i18n import gettext_noop
from app.models import Person, Plan, ShieldedItem
from app.people.identity_numbers import age_or_zero

NOT_SHIELDABLE = gettext_noop("Only goals, actions, notes and conversations can be hidden.")
SHIELDING_AGE = gettext_noop("Items can be hidden from guardians while the child is 12 to 15.")
ALREADY_SHIELDED = gettext_noop("That is already hidden from guardians.")
SHIELD_NOT_FOUND = gettext_noop("We could not find that hidden item.")


async def shielded_items(
    session: AsyncSession, actor: Actor, plan_id: uuid.UUID, *, clock: Clock
) -> Sequence[ShieldedItem]:
    plan = await access.require(session, actor, Permission.SHIELD_ITEM, plan_id, clock=clock)
    return (
        await session.scalars(
            select(ShieldedItem)
            .where(ShieldedItem.plan_id == plan.id, ShieldedItem.ended_at.is_(None))
            .order_by(ShieldedItem.created_at)
        )
    ).all()


async def shield(
    session: AsyncSession,
    actor: Actor,
    plan_id: uuid.UUID,
    item_type: str,
    item_id: uuid.UUID,
    *,
    clock: Clock,
) -> ShieldedItem:
    plan = await access.require(session, actor, Permission.SHIELD_ITEM, plan_id, clock=clock)
    if item_type not in SHIELDABLE_ITEM_TYPES:
        raise InvalidInput(NOT_SHIELDABLE, code="not_shieldable")
    await _check_age(session, plan, clock)
    existing = await session.scalar(
        select(ShieldedItem.id).where(
            ShieldedItem.plan_id == plan.id,
            ShieldedItem.item_type == item_type,
            ShieldedItem.item_id == item_id,
            ShieldedItem.ended_at.is_(None),
        )
    )
    if existing is not None:
        raise Conflict(ALREADY_SHIELDED, code="already_shielded")
    item = ShieldedItem(
        plan_id=plan.id,
        item_type=item_type,
        item_id=item_id,
        shielded_by_person_id=actor.person_id,
        shielded_by_employee_id=actor.employee_id,
        created_at=clock.now(),
    )
    session.add(item)
    await session.flush()
    await _record(session, actor, plan, item, "item.shielded", clock)
    return item


async def unshield(
    session: AsyncSession, actor: Actor, plan_id: uuid.UUID, shield_id: uuid.UUID, *, clock: Clock
) -> ShieldedItem:
    plan = await access.require(session, actor, Permission.SHIELD_ITEM, plan_id, clock=clock)
    item = await session.scalar(
        select(ShieldedItem).where(
            ShieldedItem.id == shield_id,
            ShieldedItem.plan_id == plan.id,
            ShieldedItem.ended_at.is_(None),
        )
    )
    if item is None:
        raise NotFound(SHIELD_NOT_FOUND, code="shield_not_found")
    item.ended_at = clock.now()
    await session.flush()
    await _record(session, actor, plan, item, "item.unshielded", clock)
    return item


async def _check_age(session: AsyncSession, plan: Plan, clock: Clock) -> None:
    owner = await session.get(Person, plan.owner_id)
    assert owner is not None
    age = age_or_zero(owner.birth_date, today_in_oslo(clock))
    if not SHIELDING_FROM_AGE <= age < GUARDIAN_UNTIL_AGE:
        raise InvalidInput(SHIELDING_AGE, code="shielding_age")


async def _record(
    session: AsyncSession, actor: Actor, plan: Plan, item: ShieldedItem, action: str, clock: Clock
) -> None:
    await audit.record_done(
        session, actor, plan, action, clock=clock, item_type=item.item_type, item_id=item.item_id
    )
    # Guardians with the plan open lose the item at once, like a narrowed grant.
    await announce(session, ConsentChanged(plan.id, None, None, "shielded"))
