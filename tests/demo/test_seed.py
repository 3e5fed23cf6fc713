from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app import access
from app.access import Actor, Permission
from app.clock import today_in_oslo
from app.demo.seed import CITIZENS, birth_date_for, seed_demo
from app.models import (
    Employee,
    Grant,
    Municipality,
    Participant,
    Person,
    Plan,
    PowerOfAttorney,
    Realm,
    RegisteredGuardianship,
    Unit,
    UnitMembership,
)
from app.people.identity_numbers import age_on
from app.people.pid_vault import PidVault
from app.young_people import service as young_people
from tests.support.clock import FrozenClock

VAULT = PidVault(b"demo-seed-test-key")


async def _counts(session: AsyncSession) -> dict[str, int]:
    counts = {}
    for model in (
        Municipality,
        Unit,
        Employee,
        UnitMembership,
        Person,
        Plan,
        RegisteredGuardianship,
        PowerOfAttorney,
        Participant,
        Grant,
    ):
        counts[model.__name__] = await session.scalar(select(func.count()).select_from(model)) or 0
    return counts


async def test_seeding_twice_adds_nothing_the_second_time(
    session: AsyncSession, clock: FrozenClock
) -> None:
    first = await seed_demo(session, vault=VAULT, clock=clock)
    after_first = await _counts(session)
    second = await seed_demo(session, vault=VAULT, clock=clock)
    assert first.created and not second.created
    assert await _counts(session) == after_first
    assert after_first["Plan"] == 4 and after_first["Person"] == len(CITIZENS)
    assert after_first["RegisteredGuardianship"] == 4 and after_first["PowerOfAttorney"] == 1


async def test_demo_plan_owners_cover_every_age_tier(
    session: AsyncSession, clock: FrozenClock
) -> None:
    await seed_demo(session, vault=VAULT, clock=clock)
    owners = (await session.scalars(select(Person).join(Plan, Plan.owner_id == Person.id))).all()
    ages = sorted(age_on(owner.birth_date, today_in_oslo(clock)) for owner in owners)
    assert ages[0] < 12 and ages[1] == 14 and ages[2] == 16 and ages[3] >= 18


async def test_demo_identity_numbers_are_synthetic_and_stored_encrypted(
    session: AsyncSession, clock: FrozenClock
) -> None:
    from app.people.identity_numbers import parse_identity_number

    await seed_demo(session, vault=VAULT, clock=clock)
    for person in (await session.scalars(select(Person))).all():
        identity_number = parse_identity_number(
            VAULT.decrypt(person.pid_encrypted), allow_synthetic=True
        )
        assert identity_number.synthetic
        assert identity_number.value.encode() not in person.pid_encrypted
        assert person.pid_lookup == VAULT.lookup_hash(identity_number.value)


async def test_demo_ages_hold_on_any_seeding_day_including_leap_days() -> None:
    for today in (date(2028, 2, 29), date(2027, 3, 1), date(2026, 11, 23)):
        for citizen in CITIZENS:
            born = birth_date_for(today, citizen.age, citizen.days_past_birthday)
            assert age_on(born, today) == citizen.age


async def test_seeding_keeps_everything_in_one_municipality(
    session: AsyncSession, clock: FrozenClock
) -> None:
    clock.set(datetime(2027, 6, 1, 8, tzinfo=UTC))
    result = await seed_demo(session, vault=VAULT, clock=clock)
    plans = (await session.scalars(select(Plan))).all()
    coordinators = {plan.coordinator_id for plan in plans}
    assert {plan.municipality_id for plan in plans} == {result.municipality.id}
    assert len(coordinators) == 1 and None not in coordinators


async def test_the_demo_groups_show_every_kind_of_consent(
    session: AsyncSession, clock: FrozenClock
) -> None:
    await seed_demo(session, vault=VAULT, clock=clock)
    counts = await _counts(session)
    assert counts["Participant"] == 4 and counts["Grant"] == 8
    nora = await session.scalar(select(Person).where(Person.given_name == "Nora"))
    assert nora is not None
    actor = Actor(
        realm=Realm.CITIZEN, session_id=uuid.uuid4(), display_name="Nora", person_id=nora.id
    )
    plan, pending = await young_people.grants_to_confirm(session, actor, clock=clock)
    # R-AGE-4: Tor gave NAV access before Nora turned 16; she is asked to confirm it.
    assert plan is not None and len(pending) == 1


async def test_r_con_2_the_physiotherapist_may_read_the_notes_he_writes(
    session: AsyncSession, clock: FrozenClock
) -> None:
    """R-CON-2: Per's demo consent covers the notes part, so Ola sees his own progress notes."""
    await seed_demo(session, vault=VAULT, clock=clock)
    ola = await session.scalar(
        select(Employee).where(Employee.email == "ola.hansen@fjordvik.example")
    )
    per = await session.scalar(select(Person).where(Person.given_name == "Per"))
    assert ola is not None and per is not None
    plan = await session.scalar(select(Plan).where(Plan.owner_id == per.id))
    assert plan is not None
    actor = Actor(
        realm=Realm.EMPLOYEE,
        session_id=uuid.uuid4(),
        display_name=ola.name,
        employee_id=ola.id,
        municipality_id=ola.municipality_id,
    )
    await access.require(session, actor, Permission.READ_NOTES, plan.id, clock=clock)
