"""Who may give, end, see and verify a power of attorney (fullmakt, R-REP-1).

    require_granter(session, actor, *, clock)            -> the actor's Person, or Forbidden
    powers_given_or_held(actor)                           -> WHERE clause: fullmakter given or held
    require_party(session, actor, power_id, *, clock)     -> PowerOfAttorney, or NotFound
    require_verifying_unit(session, actor, *, clock)      -> municipality id, or Forbidden
    require_verifier(session, actor, power_id, *, clock)  -> PowerOfAttorney, or NotFound/Forbidden

Every decision, allowed or denied, is written to the audit log like the plan decisions.
"""

from __future__ import annotations

import uuid

from sqlalchemy import ColumnElement, false, or_
from sqlalchemy.ext.asyncio import AsyncSession

from app.access import audit
from app.access.actors import Actor
from app.access.decisions import NOT_ALLOWED, require_for_person, require_in_municipality
from app.access.permissions import Permission
from app.access.rules import GRANTER_MIN_AGE
from app.clock import Clock, today_in_oslo
from app.errors import Forbidden, NotFound
from app.i18n import gettext_noop
from app.models import Person, PowerOfAttorney
from app.people.identity_numbers import age_or_zero

POWER_NOT_FOUND = gettext_noop("We could not find that power of attorney.")
GRANTER_TOO_YOUNG = gettext_noop("You must be 16 or older to give a power of attorney.")
ACT_AS_YOURSELF = gettext_noop(
    "To give a power of attorney, choose to act as yourself and not for someone else."
)

ITEM_TYPE = "power_of_attorney"


async def require_granter(session: AsyncSession, actor: Actor, *, clock: Clock) -> Person:
    """The actor's own person, if they may give a fullmakt now.

    A fullmakt is given by the granter in person (R-REP-1): a citizen acting as themself, 16 or
    older. A representative cannot pass the power on. Raises Forbidden, with a reason the person
    can act on.
    """
    if not actor.is_citizen or actor.person_id is None:
        await _record(session, actor, "power_of_attorney.give", "denied", "not_citizen", clock)
        raise Forbidden(NOT_ALLOWED, code="not_allowed")
    if actor.acting_for_person_id is not None:
        await _record(session, actor, "power_of_attorney.give", "denied", "acting_for", clock)
        raise Forbidden(ACT_AS_YOURSELF, code="act_as_yourself")
    me = await session.get(Person, actor.person_id)
    if me is not None and age_or_zero(me.birth_date, today_in_oslo(clock)) < GRANTER_MIN_AGE:
        await _record(session, actor, "power_of_attorney.give", "denied", "too_young", clock)
        raise Forbidden(GRANTER_TOO_YOUNG, code="granter_too_young")
    return await require_for_person(
        session, actor, Permission.MANAGE_POWERS_OF_ATTORNEY, actor.person_id, clock=clock
    )


def powers_given_or_held(actor: Actor) -> ColumnElement[bool]:
    """The fullmakter the actor gave or holds, themself (never those of whom they act for)."""
    if not actor.is_citizen or actor.person_id is None:
        return false()
    return or_(
        PowerOfAttorney.granter_id == actor.person_id,
        PowerOfAttorney.holder_id == actor.person_id,
    )


async def require_party(
    session: AsyncSession, actor: Actor, power_id: uuid.UUID, *, clock: Clock
) -> PowerOfAttorney:
    """The fullmakt, if the actor is its granter or its holder; either may end it (R-REP-1).

    Raises NotFound for everyone else, so a fullmakt's existence does not leak.
    """
    power = await session.get(PowerOfAttorney, power_id)
    is_party = (
        power is not None
        and actor.is_citizen
        and actor.person_id is not None
        and actor.person_id in (power.granter_id, power.holder_id)
    )
    await _record(
        session,
        actor,
        "power_of_attorney.party",
        "allowed" if is_party else "not_found",
        None if is_party else "not_a_party",
        clock,
        power=power if is_party else None,
        power_id=power_id,
    )
    if not is_party:
        raise NotFound(POWER_NOT_FOUND, code="power_of_attorney_not_found")
    assert power is not None
    return power


async def require_verifying_unit(session: AsyncSession, actor: Actor, *, clock: Clock) -> uuid.UUID:
    """The municipality whose fullmakter the actor verifies: staff of its coordinating unit."""
    if actor.employee_id is None or actor.municipality_id is None:
        await _record(session, actor, Permission.VERIFY_POWER_OF_ATTORNEY, "denied", None, clock)
        raise Forbidden(NOT_ALLOWED, code="not_allowed")
    await require_in_municipality(
        session, actor, Permission.VERIFY_POWER_OF_ATTORNEY, actor.municipality_id, clock=clock
    )
    return actor.municipality_id


async def require_verifier(
    session: AsyncSession, actor: Actor, power_id: uuid.UUID, *, clock: Clock
) -> PowerOfAttorney:
    """The fullmakt, if the actor is KE staff of its municipality (verify, reject, download).

    Citizens and other staff get Forbidden; a fullmakt of another municipality does not exist
    for the actor (NotFound): municipalities are separate.
    """
    if actor.employee_id is None or actor.municipality_id is None:
        await _record(session, actor, Permission.VERIFY_POWER_OF_ATTORNEY, "denied", None, clock)
        raise Forbidden(NOT_ALLOWED, code="not_allowed")
    power = await session.get(PowerOfAttorney, power_id)
    if power is None or power.municipality_id != actor.municipality_id:
        await _record(
            session,
            actor,
            Permission.VERIFY_POWER_OF_ATTORNEY,
            "not_found",
            "other_municipality" if power is not None else "no_power_of_attorney",
            clock,
            power_id=power_id,
        )
        raise NotFound(POWER_NOT_FOUND, code="power_of_attorney_not_found")
    await require_in_municipality(
        session, actor, Permission.VERIFY_POWER_OF_ATTORNEY, power.municipality_id, clock=clock
    )
    return power


async def _record(
    session: AsyncSession,
    actor: Actor,
    action: str,
    outcome: str,
    reason: str | None,
    clock: Clock,
    *,
    power: PowerOfAttorney | None = None,
    power_id: uuid.UUID | None = None,
) -> None:
    await audit.record(
        session,
        action=action,
        outcome=outcome,
        reason=reason,
        clock=clock,
        municipality_id=power.municipality_id if power is not None else None,
        actor_person_id=actor.person_id,
        actor_employee_id=actor.employee_id,
        on_behalf_of_person_id=actor.acting_for_person_id,
        item_type=ITEM_TYPE,
        item_id=power_id,
        keep_on_rollback=outcome != "allowed",
    )
