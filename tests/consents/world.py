"""A small world for consent tests: a municipality, staff, an adult owner, a child, relatives."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from app.clock import today_in_oslo
from app.employees import service as employees
from app.models import (
    Employee,
    Municipality,
    Person,
    Plan,
    RegisteredGuardianship,
    Unit,
    UnitKind,
)
from app.municipalities import service as municipalities
from app.people.pid_vault import PidVault
from app.plans import service as plans
from tests.factories import make_municipality, make_person
from tests.support.clock import FrozenClock
from tests.support.logins import citizen, employee, log_in


def born(clock: FrozenClock, age: int, days_past_birthday: int = 40) -> date:
    last = today_in_oslo(clock) - timedelta(days=days_past_birthday)
    return last.replace(year=last.year - age)


@dataclass
class World:
    municipality: Municipality
    ke_unit: Unit
    home_care: Unit
    coordinator: Employee
    ke: Employee
    nurse: Employee
    owner: Person  # 40
    relative: Person
    stranger: Person
    child: Person  # 14
    parent: Person
    plan: Plan
    child_plan: Plan


async def make_world(
    session: AsyncSession, clock: FrozenClock, *, vault: PidVault | None = None
) -> World:
    municipality = await make_municipality(session, clock=clock)
    ke_unit = await municipalities.ensure_unit(
        session, municipality, name="KE", kind=UnitKind.COORDINATING_UNIT, clock=clock
    )
    home_care = await municipalities.ensure_unit(
        session, municipality, name="Hjemmetjenesten", kind=UnitKind.HOME_CARE, clock=clock
    )
    staff = {}
    for key, name, unit in [
        ("coordinator", "Kim Koordinator", home_care),
        ("ke", "Kari KE", ke_unit),
        ("nurse", "Nils Sykepleier", home_care),
    ]:
        employee = await employees.ensure_employee(
            session,
            municipality,
            email=f"{key}@test.example",
            name=name,
            title="",
            trained_coordinator=key == "coordinator",
            clock=clock,
        )
        await employees.ensure_membership(session, employee, unit, clock=clock)
        staff[key] = employee
    owner = await make_person(
        session, vault=vault, clock=clock, born=born(clock, 40), serial=1, given_name="Olav"
    )
    relative = await make_person(
        session, vault=vault, clock=clock, born=born(clock, 45), serial=2, given_name="Rita"
    )
    stranger = await make_person(
        session, vault=vault, clock=clock, born=born(clock, 30), serial=3, given_name="Stian"
    )
    child = await make_person(
        session, vault=vault, clock=clock, born=born(clock, 14), serial=4, given_name="Ida"
    )
    parent = await make_person(
        session, vault=vault, clock=clock, born=born(clock, 44), serial=5, given_name="Pia"
    )
    session.add(
        RegisteredGuardianship(guardian_id=parent.id, child_id=child.id, created_at=clock.now())
    )
    today = today_in_oslo(clock)
    plans_made = []
    for plan_owner in (owner, child):
        plans_made.append(
            await plans.start_plan(
                session,
                municipality,
                plan_owner,
                coordinator=staff["coordinator"],
                period_start=today,
                period_end=today + timedelta(days=365),
                revision_date=today + timedelta(days=180),
                clock=clock,
            )
        )
    plan, child_plan = plans_made
    return World(
        municipality,
        ke_unit,
        home_care,
        staff["coordinator"],
        staff["ke"],
        staff["nurse"],
        owner,
        relative,
        stranger,
        child,
        parent,
        plan,
        child_plan,
    )


__all__ = ["World", "born", "citizen", "employee", "log_in", "make_world"]
