"""Whom a person may act for (R-AGE-1, R-AGE-4, R-REP-1, R-REP-3), computed from the clock."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from app.access.actors import Actor
from app.access.population_register import (
    DevelopmentPopulationRegister,
    UnconfiguredPopulationRegister,
)
from app.access.representation import people_actor_may_act_for
from app.models import Person, PowerOfAttorney, Realm, RegisteredGuardianship
from tests.factories import make_municipality, make_person
from tests.support.clock import FrozenClock

REGISTER = DevelopmentPopulationRegister()
CHILD_BORN = date(2010, 3, 15)


def _actor(person: Person) -> Actor:
    return Actor(
        realm=Realm.CITIZEN, session_id=uuid.uuid4(), display_name="x", person_id=person.id
    )


def _oslo_noon(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 11, tzinfo=UTC)


async def _family(session: AsyncSession, clock: FrozenClock) -> tuple[Person, Person]:
    parent = await make_person(session, clock=clock, born=date(1980, 1, 1), serial=1)
    child = await make_person(session, clock=clock, born=CHILD_BORN, serial=2)
    session.add(
        RegisteredGuardianship(guardian_id=parent.id, child_id=child.id, created_at=clock.now())
    )
    await session.flush()
    return parent, child


async def _names(session: AsyncSession, parent: Person, clock: FrozenClock) -> list[uuid.UUID]:
    options = await people_actor_may_act_for(
        session, _actor(parent), register=REGISTER, clock=clock
    )
    return [option.person.id for option in options]


async def test_r_age_1_a_guardian_may_act_for_a_child_under_16(
    session: AsyncSession, clock: FrozenClock
) -> None:
    parent, child = await _family(session, clock)
    clock.set(_oslo_noon(date(2022, 6, 1)))
    assert await _names(session, parent, clock) == [child.id]


async def test_r_age_4_guardian_access_ends_on_the_16th_birthday_without_any_job(
    session: AsyncSession, clock: FrozenClock
) -> None:
    parent, child = await _family(session, clock)
    clock.set(_oslo_noon(date(2026, 3, 14)))  # the day before
    assert await _names(session, parent, clock) == [child.id]
    clock.set(_oslo_noon(date(2026, 3, 15)))  # the birthday
    assert await _names(session, parent, clock) == []
    clock.set(_oslo_noon(date(2026, 3, 16)))  # the day after
    assert await _names(session, parent, clock) == []


async def test_r_age_4_the_birthday_is_counted_in_oslo_not_utc(
    session: AsyncSession, clock: FrozenClock
) -> None:
    parent, child = await _family(session, clock)
    # 23:30 UTC on 14 March is already 15 March in Oslo (UTC+1 in winter).
    clock.set(datetime(2026, 3, 14, 23, 30, tzinfo=UTC))
    assert await _names(session, parent, clock) == []


async def test_r_rep_3_nobody_with_a_confidential_address_represents_or_is_represented(
    session: AsyncSession, clock: FrozenClock
) -> None:
    parent, child = await _family(session, clock)
    clock.set(_oslo_noon(date(2022, 6, 1)))
    child.confidential_address = True
    assert await _names(session, parent, clock) == []
    child.confidential_address = False
    parent.confidential_address = True
    assert await _names(session, parent, clock) == []


async def _power(session: AsyncSession, clock: FrozenClock, **changes: object) -> list[uuid.UUID]:
    municipality = await make_municipality(session, clock=clock)
    granter = await make_person(session, clock=clock, born=date(1950, 2, 2), serial=3)
    holder = await make_person(
        session,
        clock=clock,
        born=changes.pop("holder_born", date(1990, 4, 4)),  # type: ignore[arg-type]
        serial=4,
    )
    today = date(2026, 11, 23)
    values: dict[str, object] = {
        "municipality_id": municipality.id,
        "granter_id": granter.id,
        "holder_id": holder.id,
        "valid_from": today - timedelta(days=10),
        "valid_until": today + timedelta(days=10),
        "verified_at": clock.now() - timedelta(days=9),
        "ended_at": None,
        "created_at": clock.now(),
    }
    values.update(changes)
    session.add(PowerOfAttorney(**values))
    await session.flush()
    return await _names(session, holder, clock)


async def test_r_rep_1_a_verified_power_of_attorney_in_force_lets_the_holder_act(
    session: AsyncSession, clock: FrozenClock
) -> None:
    assert len(await _power(session, clock)) == 1


async def test_r_rep_1_an_unverified_power_of_attorney_does_nothing_yet(
    session: AsyncSession, clock: FrozenClock
) -> None:
    assert await _power(session, clock, verified_at=None) == []


async def test_r_rep_1_an_ended_or_expired_power_of_attorney_does_nothing(
    session: AsyncSession, clock: FrozenClock
) -> None:
    assert await _power(session, clock, ended_at=clock.now()) == []


async def test_r_rep_1_a_power_of_attorney_past_its_end_date_does_nothing(
    session: AsyncSession, clock: FrozenClock
) -> None:
    assert await _power(session, clock, valid_until=date(2026, 11, 22)) == []


async def test_r_rep_1_the_holder_must_be_18(session: AsyncSession, clock: FrozenClock) -> None:
    assert await _power(session, clock, holder_born=date(2009, 1, 1)) == []


async def test_production_without_a_register_knows_no_guardianships(
    session: AsyncSession, clock: FrozenClock
) -> None:
    parent, _child = await _family(session, clock)
    clock.set(_oslo_noon(date(2022, 6, 1)))
    options = await people_actor_may_act_for(
        session, _actor(parent), register=UnconfiguredPopulationRegister(), clock=clock
    )
    assert options == []
