"""Whom a person may act for: children under 16 in their care, adults who gave them a
verified power of attorney in force. Computed from the clock, so it changes on a birthday
without any job running (R-AGE-1, R-AGE-4, R-REP-1, R-REP-3)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.access.actors import ActingBasis, Actor
from app.access.population_register import PopulationRegister
from app.access.rules import ADULT_AGE, GRANTER_MIN_AGE, GUARDIAN_UNTIL_AGE
from app.clock import Clock, today_in_oslo
from app.models import Person, PowerOfAttorney
from app.people.identity_numbers import age_or_zero


@dataclass(frozen=True)
class Represented:
    person: Person
    age: int
    because: ActingBasis
    power_of_attorney_id: uuid.UUID | None = None


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
            chosen.append(Represented(child, age, ActingBasis.PARENTAL_RESPONSIBILITY))
    if age_or_zero(me.birth_date, today) >= ADULT_AGE:
        now = clock.now()
        granted = await session.execute(
            select(Person, PowerOfAttorney.id)
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
        for granter, power_id in granted.all():
            age = age_or_zero(granter.birth_date, today)
            if age >= GRANTER_MIN_AGE and not granter.confidential_address:
                chosen.append(Represented(granter, age, ActingBasis.POWER_OF_ATTORNEY, power_id))
    return chosen


async def confirm_context(
    session: AsyncSession, actor: Actor, *, register: PopulationRegister, clock: Clock
) -> Actor:
    """The actor with their chosen context checked again, for this request.

    A context chosen before a child's 16th birthday, or before a fullmakt ended, is dropped
    here (R-AGE-4, R-REP-1): the returned actor acts as themself and names whom they no
    longer act for. Callers clear the context on the stored session.
    """
    if actor.acting_for_person_id is None:
        return actor
    options = await people_actor_may_act_for(session, actor, register=register, clock=clock)
    for option in options:
        if option.person.id == actor.acting_for_person_id:
            return replace(
                actor,
                acting_basis=option.because,
                power_of_attorney_id=option.power_of_attorney_id,
            )
    return replace(
        actor,
        acting_for_person_id=None,
        acting_for_name=None,
        acting_basis=None,
        power_of_attorney_id=None,
        context_ended_for=actor.acting_for_name or "",
    )


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
