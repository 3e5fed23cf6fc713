"""A small world for the access log: two municipalities, staff, an adult owner, a 14-year-old and
a 9-year-old with their guardians, a relative and a provider with grants.

Municipality Testvik: the KE (Kari Nordmann), home care (the coordinator Ingrid Berg) and
physiotherapy (Ola Hansen, a provider in Per's plan with grants). Per Mikkelsen (58) owns a plan;
Rita Mikkelsen takes part in it with a read grant; Liv Mikkelsen writes rows on his behalf.
Jonas Vik (14, guardian Mari Vik) and Emma Solberg (9, guardian Lars Solberg) own plans too.
Municipality Andrevik: Bente Borg, who works in its KE.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from app.access import Actor
from app.access import audit as audit_log
from app.clock import today_in_oslo
from app.employees import service as employees
from app.models import (
    ConsentMethod,
    Employee,
    Grant,
    GrantMode,
    Participant,
    ParticipantKind,
    Person,
    Plan,
    PlanPart,
    Realm,
    RegisteredGuardianship,
    ShieldedItem,
    Unit,
    UnitKind,
    YouthAccess,
)
from app.municipalities import service as municipalities
from app.plans import service as plans
from tests.factories import make_municipality, make_person
from tests.support.clock import FrozenClock


def born(clock: FrozenClock, age: int) -> date:
    last = today_in_oslo(clock) - timedelta(days=40)
    return last.replace(year=last.year - age)


@dataclass
class World:
    home_care: Unit
    physiotherapy: Unit
    ke_unit: Unit
    coordinator: Employee
    ke: Employee
    provider: Employee
    elsewhere: Employee  # KE staff of another municipality
    owner: Person
    relative: Person
    representative: Person
    youth: Person
    youth_guardian: Person
    child: Person
    child_guardian: Person
    plan: Plan
    youth_plan: Plan
    child_plan: Plan


async def make_world(session: AsyncSession, clock: FrozenClock) -> World:
    testvik = await make_municipality(session, clock=clock)
    andrevik = await make_municipality(session, clock=clock, number="9997", name="Andrevik")
    units = {}
    for municipality, name, kind in [
        (testvik, "Koordinerende enhet", UnitKind.COORDINATING_UNIT),
        (testvik, "Hjemmetjenesten", UnitKind.HOME_CARE),
        (testvik, "Fysioterapitjenesten", UnitKind.PHYSIOTHERAPY),
        (andrevik, "Andrevik KE", UnitKind.COORDINATING_UNIT),
    ]:
        units[name] = await municipalities.ensure_unit(
            session, municipality, name=name, kind=kind, clock=clock
        )
    staff = {}
    for municipality, name, unit in [
        (testvik, "Ingrid Berg", "Hjemmetjenesten"),
        (testvik, "Kari Nordmann", "Koordinerende enhet"),
        (testvik, "Ola Hansen", "Fysioterapitjenesten"),
        (andrevik, "Bente Borg", "Andrevik KE"),
    ]:
        member = await employees.ensure_employee(
            session,
            municipality,
            email=f"{name.split()[0].lower()}@test.example",
            name=name,
            title="",
            clock=clock,
        )
        await employees.ensure_membership(session, member, units[unit], clock=clock)
        staff[name] = member
    people = {}
    for serial, (given, family, age) in enumerate(
        [
            ("Per", "Mikkelsen", 58),
            ("Rita", "Mikkelsen", 55),
            ("Liv", "Mikkelsen", 31),
            ("Jonas", "Vik", 14),
            ("Mari", "Vik", 44),
            ("Emma", "Solberg", 9),
            ("Lars", "Solberg", 41),
        ],
        start=1,
    ):
        people[given] = await make_person(
            session,
            clock=clock,
            born=born(clock, age),
            serial=serial,
            given_name=given,
            family_name=family,
        )
    for guardian, child in [("Mari", "Jonas"), ("Lars", "Emma")]:
        session.add(
            RegisteredGuardianship(
                guardian_id=people[guardian].id, child_id=people[child].id, created_at=clock.now()
            )
        )
    today = today_in_oslo(clock)
    made = []
    for owner in ("Per", "Jonas", "Emma"):
        made.append(
            await plans.start_plan(
                session,
                testvik,
                people[owner],
                coordinator=staff["Ingrid Berg"],
                period_start=today,
                period_end=today + timedelta(days=365),
                revision_date=today + timedelta(days=180),
                clock=clock,
            )
        )
    plan, youth_plan, child_plan = made
    await _take_part(session, clock, plan, person=people["Rita"])
    await _take_part(
        session, clock, plan, employee=staff["Ola Hansen"], unit=units["Fysioterapitjenesten"]
    )
    return World(
        home_care=units["Hjemmetjenesten"],
        physiotherapy=units["Fysioterapitjenesten"],
        ke_unit=units["Koordinerende enhet"],
        coordinator=staff["Ingrid Berg"],
        ke=staff["Kari Nordmann"],
        provider=staff["Ola Hansen"],
        elsewhere=staff["Bente Borg"],
        owner=people["Per"],
        relative=people["Rita"],
        representative=people["Liv"],
        youth=people["Jonas"],
        youth_guardian=people["Mari"],
        child=people["Emma"],
        child_guardian=people["Lars"],
        plan=plan,
        youth_plan=youth_plan,
        child_plan=child_plan,
    )


async def _take_part(
    session: AsyncSession,
    clock: FrozenClock,
    plan: Plan,
    *,
    person: Person | None = None,
    employee: Employee | None = None,
    unit: Unit | None = None,
) -> Participant:
    participant = Participant(
        plan_id=plan.id,
        kind=ParticipantKind.RELATIVE if person else ParticipantKind.EMPLOYEE,
        person_id=person.id if person else None,
        employee_id=employee.id if employee else None,
        unit_id=unit.id if unit else None,
        added_at=clock.now(),
    )
    session.add(participant)
    await session.flush()
    session.add(
        Grant(
            plan_id=plan.id,
            participant_id=participant.id,
            part=PlanPart.LIFE_SITUATION,
            mode=GrantMode.READ,
            valid_from=today_in_oslo(clock) - timedelta(days=10),
            method=ConsentMethod.ELECTRONIC,
            granted_by_person_id=plan.owner_id,
            granted_for_person_id=plan.owner_id,
            created_at=clock.now(),
        )
    )
    await session.flush()
    return participant


async def shield(session: AsyncSession, clock: FrozenClock, plan: Plan, item_id: uuid.UUID) -> None:
    session.add(
        ShieldedItem(plan_id=plan.id, item_type="goal", item_id=item_id, created_at=clock.now())
    )
    await session.flush()


async def give_youth_access(session: AsyncSession, clock: FrozenClock, w: World) -> None:
    session.add(
        YouthAccess(
            plan_id=w.youth_plan.id,
            granted_by_person_id=w.youth_guardian.id,
            created_at=clock.now(),
        )
    )
    await session.flush()


async def write_row(
    session: AsyncSession,
    clock: FrozenClock,
    plan: Plan,
    *,
    action: str = "read_life_situation",
    person: Person | None = None,
    staff: Employee | None = None,
    on_behalf_of: Person | None = None,
    outcome: str = "allowed",
    item_id: uuid.UUID | None = None,
    role: str | None = None,
    reason: str | None = None,
) -> None:
    """An audit row as a service would write it; sealed with the others by seal()."""
    await audit_log.record(
        session,
        action=action,
        outcome=outcome,
        reason=reason,
        clock=clock,
        municipality_id=plan.municipality_id,
        actor_person_id=person.id if person else None,
        actor_employee_id=staff.id if staff else None,
        on_behalf_of_person_id=on_behalf_of.id if on_behalf_of else None,
        plan_id=plan.id,
        item_type="goal" if item_id else None,
        item_id=item_id,
        actor_role=role,
    )


async def seal(session: AsyncSession) -> None:
    await audit_log.seal_pending(session)


def staff_actor(member: Employee) -> Actor:
    return Actor(
        realm=Realm.EMPLOYEE,
        session_id=uuid.uuid4(),
        display_name=member.name,
        employee_id=member.id,
        municipality_id=member.municipality_id,
    )
