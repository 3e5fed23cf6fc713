"""Plans, grants and actions for work-list tests, made through the services as people make them."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from app.actions import service as actions
from app.clock import today_in_oslo
from app.consents import service as consents
from app.consents.schemas import GrantSpec
from app.employees import service as employees
from app.models import Action, Employee, GrantMode, Person, Plan, PlanPart, Unit, UnitKind
from app.municipalities import service as municipalities
from app.plans import service as plans
from tests.consents.world import World, born, citizen, employee
from tests.factories import make_municipality, make_person
from tests.support.clock import FrozenClock

READ_GOALS = GrantSpec(part=PlanPart.GOALS_ACTIONS, mode=GrantMode.READ)
READ_LIFE = GrantSpec(part=PlanPart.LIFE_SITUATION, mode=GrantMode.READ)


def days(clock: FrozenClock, count: int) -> date:
    """The Oslo date `count` days from today."""
    return today_in_oslo(clock) + timedelta(days=count)


async def let_nurse_in(
    session: AsyncSession,
    world: World,
    clock: FrozenClock,
    plan_id: uuid.UUID,
    owner: Person,
    spec: GrantSpec = READ_GOALS,
) -> None:
    """The coordinator brings the nurse into the group; the owner gives her a grant."""
    participant = await consents.add_employee(
        session,
        employee(world.coordinator),
        plan_id,
        world.nurse.id,
        world.home_care.id,
        clock=clock,
    )
    await consents.give_grant(session, citizen(owner), plan_id, participant.id, spec, clock=clock)


async def add_plans(
    session: AsyncSession,
    world: World,
    clock: FrozenClock,
    count: int,
    *,
    first_serial: int = 10,
    coordinator: Employee | None = None,
) -> list[tuple[Plan, Person]]:
    """More adults with plans, coordinated by the world's coordinator unless told."""
    made = []
    for number in range(count):
        owner = await make_person(
            session,
            clock=clock,
            born=born(clock, 50),
            serial=first_serial + number,
            given_name=f"Eier{first_serial + number:03d}",
            family_name="Planesen",
        )
        plan = await plans.start_plan(
            session,
            world.municipality,
            owner,
            coordinator=coordinator or world.coordinator,
            period_start=days(clock, 0),
            period_end=days(clock, 365),
            revision_date=days(clock, 180),
            clock=clock,
        )
        made.append((plan, owner))
    return made


async def add_action(
    session: AsyncSession,
    world: World,
    clock: FrozenClock,
    plan_id: uuid.UUID,
    title: str,
    *,
    deadline: date | None,
    unit: Unit | None = None,
    person: Employee | None = None,
) -> Action:
    """The coordinator adds an action for a unit (home care unless told)."""
    return await actions.create_action(
        session,
        employee(world.coordinator),
        plan_id,
        actions.ActionInput(
            title,
            (unit or world.home_care).id,
            deadline=deadline,
            responsible_employee_id=person.id if person else None,
        ),
        clock=clock,
    )


async def second_coordinator(session: AsyncSession, world: World, clock: FrozenClock) -> Employee:
    """Another coordinator in home care, who coordinates nothing yet."""
    kaare = await employees.ensure_employee(
        session,
        world.municipality,
        email="kaare@test.example",
        name="Kåre Koordinator",
        title="",
        trained_coordinator=True,
        clock=clock,
    )
    await employees.ensure_membership(session, kaare, world.home_care, clock=clock)
    return kaare


async def employee_elsewhere(session: AsyncSession, clock: FrozenClock) -> Employee:
    """Staff of another municipality's coordinating unit."""
    other = await make_municipality(session, clock=clock, number="9997", name="Andrevik kommune")
    ke = await municipalities.ensure_unit(
        session, other, name="KE", kind=UnitKind.COORDINATING_UNIT, clock=clock
    )
    siv = await employees.ensure_employee(
        session, other, email="siv@andrevik.test", name="Siv Andersen", title="", clock=clock
    )
    await employees.ensure_membership(session, siv, ke, clock=clock)
    return siv
