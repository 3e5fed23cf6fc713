"""Whom a person may act for: children under 16 in their care, adults who gave them a
verified power of attorney in force. Computed from the clock, so it changes on a birthday
without any job running (R-AGE-1, R-AGE-4, R-REP-1, R-REP-3)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.access.actors import Actor
from app.access.population_register import PopulationRegister
from app.clock import Clock, today_in_oslo
from app.models import Person, PowerOfAttorney
from app.people.identity_numbers import age_or_zero

GUARDIAN_UNTIL_AGE = 16  # R-AGE-4: from 16 the young person is in charge
ADULT_AGE = 18
GRANTER_MIN_AGE = 16


@dataclass(frozen=True)
class Represented:
    person: Person
    age: int
    because: str  # "parental_responsibility" or "power_of_attorney"


async def people_actor_may_act_for(
    session: AsyncSession, actor: Actor, *, register: PopulationRegister, clock: Clock
) -> Sequence[Represented]:
    """Everyone this actor may choose to act for, besides themself."""
    if not actor.is_citizen or actor.person_id is None:
        return []
    me = await session.get(Person, actor.person_id)
    # R-REP-3: nobody with a confidential address represents or is represented in the portal.
    if me is None or me.confidential_address:
        return []
    today = today_in_oslo(clock)
    chosen: list[Represented] = []
    for child in await register.children_of(session, me):
        age = age_or_zero(child.birth_date, today)
        if age < GUARDIAN_UNTIL_AGE and not child.confidential_address:
            chosen.append(Represented(child, age, "parental_responsibility"))
    if age_or_zero(me.birth_date, today) >= ADULT_AGE:
        now = clock.now()
        granters = await session.scalars(
            select(Person)
            .join(PowerOfAttorney, PowerOfAttorney.granter_id == Person.id)
            .where(
                PowerOfAttorney.holder_id == me.id,
                PowerOfAttorney.verified_at.is_not(None),
                PowerOfAttorney.verified_at <= now,
                PowerOfAttorney.ended_at.is_(None),
                PowerOfAttorney.valid_from <= today,
                or_(PowerOfAttorney.valid_until.is_(None), PowerOfAttorney.valid_until >= today),
            )
            .order_by(Person.given_name)
        )
        for granter in granters.unique():
            age = age_or_zero(granter.birth_date, today)
            if age >= GRANTER_MIN_AGE and not granter.confidential_address:
                chosen.append(Represented(granter, age, "power_of_attorney"))
    return chosen


async def may_act_for(
    session: AsyncSession,
    actor: Actor,
    person_id: uuid.UUID,
    *,
    register: PopulationRegister,
    clock: Clock,
) -> bool:
    options = await people_actor_may_act_for(session, actor, register=register, clock=clock)
    return any(option.person.id == person_id for option in options)
