"""Demo data for the embedded run: one municipality, its staff, and plan owners of every age tier.

Synthetic identity numbers only (TestID-style, month + 80), so they can never be a real person's.
Ages are counted from the clock at the first seeding. Seeding again finds the demo municipality
and adds nothing, so `make run` can seed on every start.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.clock import Clock, today_in_oslo
from app.demo.cast import (
    CITIZENS,
    DEMO_MUNICIPALITY_NAME,
    DEMO_MUNICIPALITY_NUMBER,
    FAMILIES,
    GROUPS,
    POWERS_OF_ATTORNEY,
    STAFF,
    UNITS,
    YOUTH_ACCESS,
)
from app.demo.plan_content import ensure_plan_content
from app.employees import service as employees
from app.models import (
    ConsentMethod,
    Employee,
    Grant,
    Municipality,
    Participant,
    ParticipantKind,
    Person,
    Plan,
    PowerOfAttorney,
    RegisteredGuardianship,
    Unit,
    YouthAccess,
)
from app.municipalities import service as municipalities
from app.people import service as people
from app.people.identity_numbers import make_synthetic_identity_number, parse_identity_number
from app.people.pid_vault import PidVault
from app.plans import service as plans


@dataclass(frozen=True)
class SeedResult:
    created: bool
    municipality: Municipality


def birth_date_for(today: date, age: int, days_past_birthday: int) -> date:
    last_birthday = today - timedelta(days=days_past_birthday)
    try:
        return last_birthday.replace(year=last_birthday.year - age)
    except ValueError:  # 29 February in a year without one
        return last_birthday.replace(year=last_birthday.year - age, day=28)


async def seed_demo(
    session: AsyncSession,
    *,
    vault: PidVault,
    clock: Clock,
    dev_employee_issuer: str | None = None,
) -> SeedResult:
    """Add the demo data once. With `dev_employee_issuer`, staff can log in through the
    built-in provider (their subject there is the part of their e-mail before the @)."""
    existing = await session.scalar(
        select(Municipality).where(Municipality.number == DEMO_MUNICIPALITY_NUMBER)
    )
    if existing is not None:
        if dev_employee_issuer:
            await _link_staff(session, existing, dev_employee_issuer)
        await _ensure_relations(session, existing, clock)
        return SeedResult(created=False, municipality=existing)

    municipality = await municipalities.ensure_municipality(
        session, number=DEMO_MUNICIPALITY_NUMBER, name=DEMO_MUNICIPALITY_NAME, clock=clock
    )
    units = {
        name: await municipalities.ensure_unit(
            session, municipality, name=name, kind=kind, clock=clock
        )
        for name, kind in UNITS
    }
    staff: dict[str, Employee] = {}
    for member in STAFF:
        employee = await employees.ensure_employee(
            session,
            municipality,
            email=member.email,
            name=member.name,
            title=member.title,
            trained_coordinator=member.trained_coordinator,
            clock=clock,
        )
        await employees.ensure_membership(session, employee, units[member.unit], clock=clock)
        staff[member.email] = employee
    coordinator = staff["ingrid.berg@fjordvik.example"]

    today = today_in_oslo(clock)
    for serial, citizen in enumerate(CITIZENS):
        born = birth_date_for(today, citizen.age, citizen.days_past_birthday)
        identity_number = parse_identity_number(
            make_synthetic_identity_number(born, serial=serial), allow_synthetic=True
        )
        person = await people.ensure_person(
            session,
            identity_number,
            given_name=citizen.given_name,
            family_name=citizen.family_name,
            vault=vault,
            clock=clock,
        )
        if citizen.has_plan:
            await plans.start_plan(
                session,
                municipality,
                person,
                coordinator=coordinator,
                period_start=today - timedelta(days=90),
                period_end=today + timedelta(days=640),
                revision_date=today + timedelta(days=20 + 30 * serial),
                clock=clock,
            )
    if dev_employee_issuer:
        await _link_staff(session, municipality, dev_employee_issuer)
    await _ensure_relations(session, municipality, clock)
    return SeedResult(created=True, municipality=municipality)


async def _link_staff(session: AsyncSession, municipality: Municipality, issuer: str) -> None:
    """Point the demo staff at the built-in provider (again after a change of base URL)."""
    demo_emails = {member.email for member in STAFF}
    staff = await session.scalars(
        select(Employee).where(
            Employee.municipality_id == municipality.id, Employee.email.in_(demo_emails)
        )
    )
    for employee in staff:
        assert employee.email is not None
        employee.idp_issuer = issuer
        employee.idp_subject = employee.email.split("@")[0]
    await session.flush()


async def _ensure_relations(
    session: AsyncSession, municipality: Municipality, clock: Clock
) -> None:
    """The demo families and power of attorney; found by name, which is unique in the demo."""
    people_by_name = {
        person.display_name: person
        for person in await session.scalars(
            select(Person).where(
                Person.given_name.in_({citizen.given_name for citizen in CITIZENS})
            )
        )
    }
    now = clock.now()
    for guardian_name, child_name in FAMILIES:
        guardian, child = people_by_name.get(guardian_name), people_by_name.get(child_name)
        if guardian is None or child is None:
            continue
        known = await session.scalar(
            select(RegisteredGuardianship.id).where(
                RegisteredGuardianship.guardian_id == guardian.id,
                RegisteredGuardianship.child_id == child.id,
            )
        )
        if known is None:
            session.add(
                RegisteredGuardianship(guardian_id=guardian.id, child_id=child.id, created_at=now)
            )
    verifier = await session.scalar(
        select(Employee).where(Employee.email == "kari.nordmann@fjordvik.example")
    )
    for granter_name, holder_name in POWERS_OF_ATTORNEY:
        granter, holder = people_by_name.get(granter_name), people_by_name.get(holder_name)
        if granter is None or holder is None or verifier is None:
            continue
        known = await session.scalar(
            select(PowerOfAttorney.id).where(
                PowerOfAttorney.granter_id == granter.id, PowerOfAttorney.holder_id == holder.id
            )
        )
        if known is None:
            today = today_in_oslo(clock)
            session.add(
                PowerOfAttorney(
                    municipality_id=municipality.id,
                    granter_id=granter.id,
                    holder_id=holder.id,
                    scope="all",
                    valid_from=today - timedelta(days=30),
                    valid_until=today + timedelta(days=700),
                    verified_at=now,
                    verified_by_id=verifier.id,
                    created_at=now,
                )
            )
    await session.flush()
    await _ensure_groups(session, municipality, people_by_name, clock)
    await ensure_plan_content(session, municipality.id, people_by_name, clock)


async def _ensure_groups(
    session: AsyncSession,
    municipality: Municipality,
    people_by_name: dict[str, Person],
    clock: Clock,
) -> None:
    """Services in the demo plans, with consents dated in the past. Written directly: these
    consents were given before the demo began, which no service can (or should) do."""
    plans_by_owner = {
        plan.owner_id: plan
        for plan in await session.scalars(
            select(Plan).where(Plan.municipality_id == municipality.id)
        )
    }
    staff = {
        employee.email: employee
        for employee in await session.scalars(
            select(Employee).where(Employee.municipality_id == municipality.id)
        )
    }
    units = {
        unit.name: unit
        for unit in await session.scalars(
            select(Unit).where(Unit.municipality_id == municipality.id)
        )
    }
    today = today_in_oslo(clock)
    for group in GROUPS:
        owner = people_by_name.get(group.owner)
        granter = people_by_name.get(group.granted_by)
        employee = staff.get(group.employee_email)
        unit = units.get(group.unit)
        if owner is None or granter is None or employee is None or unit is None:
            continue
        plan = plans_by_owner.get(owner.id)
        known = (
            await session.scalar(
                select(Participant.id).where(
                    Participant.plan_id == plan.id, Participant.employee_id == employee.id
                )
            )
            if plan
            else None
        )
        if plan is None or known is not None:
            continue
        when = clock.now() - timedelta(days=group.days_ago)
        participant = Participant(
            plan_id=plan.id,
            kind=ParticipantKind.EMPLOYEE,
            employee_id=employee.id,
            unit_id=unit.id,
            added_by_person_id=granter.id,
            added_at=when,
        )
        session.add(participant)
        await session.flush()
        for part, mode in group.parts:
            session.add(
                Grant(
                    plan_id=plan.id,
                    participant_id=participant.id,
                    part=part,
                    mode=mode,
                    valid_from=today - timedelta(days=group.days_ago),
                    method=ConsentMethod.ELECTRONIC,
                    granted_by_person_id=granter.id,
                    granted_for_person_id=owner.id,
                    confirmed_by_owner_at=when if granter.id == owner.id else None,
                    created_at=when,
                )
            )
    for child_name, guardian_name in YOUTH_ACCESS:
        child, guardian = people_by_name.get(child_name), people_by_name.get(guardian_name)
        plan = plans_by_owner.get(child.id) if child else None
        if plan is None or guardian is None:
            continue
        given = await session.scalar(select(YouthAccess.id).where(YouthAccess.plan_id == plan.id))
        if given is None:
            session.add(
                YouthAccess(
                    plan_id=plan.id,
                    granted_by_person_id=guardian.id,
                    created_at=clock.now() - timedelta(days=20),
                )
            )
    await session.flush()


__all__ = ["CITIZENS", "STAFF", "SeedResult", "birth_date_for", "seed_demo"]
