"""visible_plans(): the filter every list of plans starts from (style.md convention 4).

It must say yes to exactly the plans for which app/access/rules.py:is_visible says yes;
tests/access/test_scopes.py checks the two against each other for every demo actor.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, exists, false, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from app.access.actors import ActingBasis, Actor
from app.access.facts import grant_in_force, power_of_attorney_in_force
from app.access.rules import (
    GRANTER_MIN_AGE,
    GUARDIAN_UNTIL_AGE,
    YOUTH_ACCESS_FROM_AGE,
    latest_birth_date_for_age,
)
from app.clock import Clock, today_in_oslo
from app.models import (
    Grant,
    Participant,
    Person,
    Plan,
    PowerOfAttorney,
    Unit,
    UnitKind,
    UnitMembership,
    YouthAccess,
)


async def visible_plans(
    session: AsyncSession, actor: Actor, *, clock: Clock
) -> ColumnElement[bool]:
    """A WHERE clause over `Plan` that keeps the plans this actor may know exist."""
    today = today_in_oslo(clock)
    if actor.is_citizen:
        return _citizen_filter(actor, clock)
    if actor.employee_id is None or actor.municipality_id is None:
        return false()
    in_ke = await session.scalar(
        select(UnitMembership.id)
        .join(Unit, Unit.id == UnitMembership.unit_id)
        .where(
            UnitMembership.employee_id == actor.employee_id,
            Unit.kind == UnitKind.COORDINATING_UNIT,
            Unit.municipality_id == actor.municipality_id,
        )
        .limit(1)
    )
    same_municipality = Plan.municipality_id == actor.municipality_id
    if in_ke is not None:
        return same_municipality
    takes_part = exists().where(
        Participant.plan_id == Plan.id,
        Participant.employee_id == actor.employee_id,
        Participant.left_at.is_(None),
        Participant.unit_id.in_(
            select(UnitMembership.unit_id).where(UnitMembership.employee_id == actor.employee_id)
        ),
        Grant.participant_id == Participant.id,
        grant_in_force(today),
    )
    return and_(same_municipality, or_(Plan.coordinator_id == actor.employee_id, takes_part))


# Its own alias, so a caller that also selects Person does not swallow the subquery; made once,
# as a fresh alias per call makes SQLAlchemy rebuild the statement and its cache key every time.
_PlanOwner = aliased(Person, name="plan_owner")


def _citizen_filter(actor: Actor, clock: Clock) -> ColumnElement[bool]:
    today = today_in_oslo(clock)
    born_16 = latest_birth_date_for_age(today, GUARDIAN_UNTIL_AGE)
    born_13 = latest_birth_date_for_age(today, YOUTH_ACCESS_FROM_AGE)
    owner = _PlanOwner
    owner_born = (
        select(owner.birth_date).where(owner.id == Plan.owner_id).correlate(Plan).scalar_subquery()
    )
    if actor.acting_for_person_id is not None:
        mine = Plan.owner_id == actor.acting_for_person_id
        if actor.acting_basis is ActingBasis.PARENTAL_RESPONSIBILITY:
            return and_(mine, owner_born > born_16)  # R-AGE-4: ends on the 16th birthday
        if actor.acting_basis is ActingBasis.POWER_OF_ATTORNEY:
            return and_(
                mine,
                owner_born <= latest_birth_date_for_age(today, GRANTER_MIN_AGE),
                exists().where(
                    PowerOfAttorney.id == actor.power_of_attorney_id,
                    PowerOfAttorney.granter_id == Plan.owner_id,
                    PowerOfAttorney.municipality_id == Plan.municipality_id,
                    PowerOfAttorney.holder_id == actor.person_id,
                    power_of_attorney_in_force(clock),
                ),
            )
        return false()
    youth_access = exists().where(YouthAccess.plan_id == Plan.id, YouthAccess.ended_at.is_(None))
    own = and_(
        Plan.owner_id == actor.person_id,
        or_(owner_born <= born_16, and_(owner_born <= born_13, youth_access)),
    )
    relative = exists().where(
        Participant.plan_id == Plan.id,
        Participant.person_id == actor.person_id,
        Participant.left_at.is_(None),
        Grant.participant_id == Participant.id,
        grant_in_force(today),
    )
    return or_(own, relative)
