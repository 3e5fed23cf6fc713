"""Gather what the rules need about one actor and one plan, in a fixed number of queries.

Citizen: the owner (often already in the identity map), youth access, the actor's own grants,
and the fullmakt when acting under one. Employee: unit memberships and the actor's grants.
tests/access/test_query_budget.py holds these counts.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import date

from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.util import identity_key

from app.access.actors import ActingBasis, Actor
from app.access.permissions import Role
from app.access.rules import (
    GRANTER_MIN_AGE,
    GUARDIAN_UNTIL_AGE,
    PlanFacts,
    PowerOfAttorneyScope,
    guardian_role,
    own_role,
)
from app.clock import Clock, today_in_oslo
from app.models import (
    ConsentMethod,
    Grant,
    GrantMode,
    Participant,
    Person,
    Plan,
    PlanPart,
    PowerOfAttorney,
    Unit,
    UnitKind,
    UnitMembership,
    YouthAccess,
)
from app.people.identity_numbers import age_or_zero


def grant_in_force(today: date) -> ColumnElement[bool]:
    """R-CON-2, R-CON-5: started, not ended, not past its end date, and (paper) verified."""
    return and_(
        Grant.ended_at.is_(None),
        Grant.valid_from <= today,
        or_(Grant.valid_until.is_(None), Grant.valid_until >= today),
        or_(Grant.method == ConsentMethod.ELECTRONIC, Grant.verified_at.is_not(None)),
    )


def power_of_attorney_in_force(clock: Clock) -> ColumnElement[bool]:
    today = today_in_oslo(clock)
    return and_(
        PowerOfAttorney.verified_at.is_not(None),
        PowerOfAttorney.verified_at <= clock.now(),
        PowerOfAttorney.ended_at.is_(None),
        PowerOfAttorney.valid_from <= today,
        or_(PowerOfAttorney.valid_until.is_(None), PowerOfAttorney.valid_until >= today),
    )


async def active_youth_access(session: AsyncSession, plan_id: uuid.UUID) -> YouthAccess | None:
    """The guardian's consent that the 13-15-year-old owner may read the plan, if given."""
    return await session.scalar(
        select(YouthAccess).where(YouthAccess.plan_id == plan_id, YouthAccess.ended_at.is_(None))
    )


def scope_of(power: PowerOfAttorney) -> PowerOfAttorneyScope:
    if power.scope.strip() == "all":
        parts = frozenset(PlanPart)
    else:
        parts = frozenset(PlanPart(name) for name in power.scope.split(",") if name.strip())
    return PowerOfAttorneyScope(parts, power.acts, power.manages_consent)


def strongest(grants: Iterable[tuple[PlanPart, GrantMode]]) -> dict[PlanPart, GrantMode]:
    held: dict[PlanPart, GrantMode] = {}
    for part, mode in grants:
        if held.get(part) is not GrantMode.WRITE:
            held[part] = mode
    return held


async def plan_facts(session: AsyncSession, actor: Actor, plan: Plan, *, clock: Clock) -> PlanFacts:
    return (await plan_facts_many(session, actor, [plan], clock=clock))[plan.id]


async def plan_facts_many(
    session: AsyncSession, actor: Actor, plans: Sequence[Plan], *, clock: Clock
) -> dict[uuid.UUID, PlanFacts]:
    """Facts for several plans in the same few queries as for one (lists of plans)."""
    if not plans:
        return {}
    today = today_in_oslo(clock)
    ages = await _owner_ages(session, plans, today)
    if actor.is_citizen:
        return await _citizen_facts(session, actor, plans, ages, clock=clock)
    return await _employee_facts(session, actor, plans, ages, today=today)


async def _owner_ages(
    session: AsyncSession, plans: Sequence[Plan], today: date
) -> dict[uuid.UUID, int]:
    # Owners often came with their plans (a join) and are in the identity map: no query then,
    # for one plan or fifty; otherwise one query for all that are missing.
    ages: dict[uuid.UUID, int] = {}
    for owner_id in {plan.owner_id for plan in plans}:
        owner = session.identity_map.get(identity_key(Person, owner_id))
        if isinstance(owner, Person):
            ages[owner_id] = age_or_zero(owner.birth_date, today)
    missing = {plan.owner_id for plan in plans} - ages.keys()
    if missing:
        rows = await session.execute(
            select(Person.id, Person.birth_date).where(Person.id.in_(missing))
        )
        ages.update({person_id: age_or_zero(born, today) for person_id, born in rows})
    return ages


def _facts(
    plan: Plan,
    owner_age: int,
    roles: set[Role],
    grants: dict[PlanPart, GrantMode] | None = None,
    *,
    grant_units: Iterable[uuid.UUID] = (),
    power: PowerOfAttorneyScope | None = None,
) -> PlanFacts:
    return PlanFacts(
        plan_id=plan.id,
        municipality_id=plan.municipality_id,
        owner_id=plan.owner_id,
        owner_age=owner_age,
        roles=frozenset(roles),
        grants=grants or {},
        grant_units=frozenset(grant_units),
        power_of_attorney=power,
    )


async def _citizen_facts(
    session: AsyncSession,
    actor: Actor,
    plans: Sequence[Plan],
    ages: dict[uuid.UUID, int],
    *,
    clock: Clock,
) -> dict[uuid.UUID, PlanFacts]:
    facts = {plan.id: _facts(plan, ages[plan.owner_id], set()) for plan in plans}
    if actor.acting_for_person_id is not None:
        theirs = [plan for plan in plans if plan.owner_id == actor.acting_for_person_id]
        if actor.acting_basis is ActingBasis.PARENTAL_RESPONSIBILITY:
            for plan in theirs:
                # Age again from the clock: a context chosen yesterday ends on the birthday.
                role = guardian_role(ages[plan.owner_id])
                if role is not None:
                    facts[plan.id] = _facts(plan, ages[plan.owner_id], {role})
        elif actor.acting_basis is ActingBasis.POWER_OF_ATTORNEY and theirs:
            power = await session.scalar(
                select(PowerOfAttorney).where(
                    PowerOfAttorney.id == actor.power_of_attorney_id,
                    PowerOfAttorney.granter_id == actor.acting_for_person_id,
                    PowerOfAttorney.holder_id == actor.person_id,
                    power_of_attorney_in_force(clock),
                )
            )
            for plan in theirs:
                owner_age = ages[plan.owner_id]
                # Verified by this municipality's coordinating unit, for its plan; and only
                # someone of 16 or more can have given it (R-REP-1, as visible_plans says).
                if (
                    power is not None
                    and power.municipality_id == plan.municipality_id
                    and owner_age >= GRANTER_MIN_AGE
                ):
                    facts[plan.id] = _facts(
                        plan, owner_age, {Role.REPRESENTATIVE}, power=scope_of(power)
                    )
        return facts
    own = [plan for plan in plans if plan.owner_id == actor.person_id]
    young = [plan.id for plan in own if ages[plan.owner_id] < GUARDIAN_UNTIL_AGE]
    with_youth_access: set[uuid.UUID] = set()
    if young:
        with_youth_access = set(
            (
                await session.scalars(
                    select(YouthAccess.plan_id).where(
                        YouthAccess.plan_id.in_(young), YouthAccess.ended_at.is_(None)
                    )
                )
            ).all()
        )
    for plan in own:
        role = own_role(ages[plan.owner_id], youth_access=plan.id in with_youth_access)
        if role is not None:
            facts[plan.id] = _facts(plan, ages[plan.owner_id], {role})
    others = [plan for plan in plans if plan.owner_id != actor.person_id]
    if others:
        rows = await session.execute(
            select(Grant.plan_id, Grant.part, Grant.mode)
            .join(Participant, Participant.id == Grant.participant_id)
            .where(
                Participant.plan_id.in_([plan.id for plan in others]),
                Participant.person_id == actor.person_id,
                Participant.left_at.is_(None),
                Grant.plan_id == Participant.plan_id,
                grant_in_force(today_in_oslo(clock)),
            )
        )
        held: dict[uuid.UUID, list[tuple[PlanPart, GrantMode]]] = {}
        for plan_id, part, mode in rows:
            held.setdefault(plan_id, []).append((part, mode))
        for plan in others:
            grants = strongest(held.get(plan.id, []))
            if grants:
                facts[plan.id] = _facts(plan, ages[plan.owner_id], {Role.RELATIVE}, grants)
    return facts


async def _employee_facts(
    session: AsyncSession,
    actor: Actor,
    plans: Sequence[Plan],
    ages: dict[uuid.UUID, int],
    *,
    today: date,
) -> dict[uuid.UUID, PlanFacts]:
    facts = {plan.id: _facts(plan, ages[plan.owner_id], set()) for plan in plans}
    # Municipalities are separate, whatever the role.
    mine = [plan for plan in plans if plan.municipality_id == actor.municipality_id]
    if actor.employee_id is None or not mine:
        return facts
    memberships = (
        await session.execute(
            select(Unit.id, Unit.kind)
            .join(UnitMembership, UnitMembership.unit_id == Unit.id)
            .where(
                UnitMembership.employee_id == actor.employee_id,
                Unit.municipality_id == actor.municipality_id,
            )
        )
    ).all()
    unit_ids = {unit_id for unit_id, _kind in memberships}
    in_ke = any(kind is UnitKind.COORDINATING_UNIT for _unit, kind in memberships)
    held: dict[uuid.UUID, list[tuple[PlanPart, GrantMode, uuid.UUID | None]]] = {}
    if unit_ids:
        rows = await session.execute(
            select(Grant.plan_id, Grant.part, Grant.mode, Participant.unit_id)
            .join(Participant, Participant.id == Grant.participant_id)
            .where(
                Participant.plan_id.in_([plan.id for plan in mine]),
                Participant.employee_id == actor.employee_id,
                Participant.left_at.is_(None),
                Participant.unit_id.in_(unit_ids),
                Grant.plan_id == Participant.plan_id,
                grant_in_force(today),
            )
        )
        for plan_id, part, mode, unit in rows:
            held.setdefault(plan_id, []).append((part, mode, unit))
    for plan in mine:
        roles: set[Role] = set()
        if plan.coordinator_id == actor.employee_id:
            roles.add(Role.COORDINATOR)
        if in_ke:
            roles.add(Role.KE_STAFF)
        rows_for_plan = held.get(plan.id, [])
        grants = strongest((part, mode) for part, mode, _unit in rows_for_plan)
        if grants:
            roles.add(Role.PROVIDER)
        if not roles:
            roles.add(Role.OTHER_EMPLOYEE)
        units = {unit for _part, _mode, unit in rows_for_plan if unit is not None}
        facts[plan.id] = _facts(plan, ages[plan.owner_id], roles, grants, grant_units=units)
    return facts
