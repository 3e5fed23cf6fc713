"""The consent tests' world, plus what plan content needs: a nurse in home care and a teacher at
a school with write grants, a relative who may read only the owner's words, a child of 9 with
a guardian, a 14-year-old with youth access, and a unit in another municipality."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.access import ActingBasis, Actor, audit
from app.actions import service as actions
from app.clock import today_in_oslo
from app.consents import service as consents
from app.consents.schemas import GrantSpec, InviteByNumber
from app.employees import service as employees
from app.models import (
    AuditEvent,
    Employee,
    GrantMode,
    Person,
    Plan,
    PlanPart,
    PowerOfAttorney,
    RegisteredGuardianship,
    TimelineEntry,
    Unit,
    UnitKind,
)
from app.municipalities import service as municipalities
from app.people.identity_numbers import make_synthetic_identity_number
from app.people.pid_vault import PidVault
from app.plans import service as plans
from app.young_people import service as young_people
from tests.consents.world import World, born, make_world
from tests.factories import TEST_DATA_KEY, make_municipality, make_person
from tests.support.clock import FrozenClock
from tests.support.logins import citizen, employee

VAULT = PidVault(TEST_DATA_KEY)
WRITE_GOALS = GrantSpec(part=PlanPart.GOALS_ACTIONS, mode=GrantMode.WRITE)
WRITE_NOTES = GrantSpec(part=PlanPart.NOTES, mode=GrantMode.WRITE)
READ_LIFE = GrantSpec(part=PlanPart.LIFE_SITUATION, mode=GrantMode.READ)


@dataclass
class PlanWorld:
    base: World
    school: Unit
    teacher: Employee
    elsewhere: Unit  # a unit of another municipality
    small_child: Person  # 9
    small_child_guardian: Person
    small_child_plan: Plan

    # --- actors ---------------------------------------------------------------------------

    @property
    def plan_id(self) -> uuid.UUID:
        return self.base.plan.id

    @property
    def owner(self) -> Actor:
        return citizen(self.base.owner)

    @property
    def coordinator(self) -> Actor:
        return employee(self.base.coordinator)

    @property
    def ke(self) -> Actor:
        return employee(self.base.ke)

    @property
    def nurse(self) -> Actor:
        return employee(self.base.nurse)

    @property
    def teacher_actor(self) -> Actor:
        return employee(self.teacher)

    @property
    def relative(self) -> Actor:
        return citizen(self.base.relative)

    @property
    def child(self) -> Actor:
        """The 14-year-old owner of the child plan, as herself."""
        return citizen(self.base.child)

    @property
    def parent(self) -> Actor:
        """The guardian of the 14-year-old, acting for her."""
        return citizen(self.base.parent, acting_for=self.base.child)

    @property
    def small_child_parent(self) -> Actor:
        return citizen(self.small_child_guardian, acting_for=self.small_child)


async def make_plan_world(session: AsyncSession, clock: FrozenClock) -> PlanWorld:
    base = await make_world(session, clock, vault=VAULT)
    school = await municipalities.ensure_unit(
        session, base.municipality, name="Skulen", kind=UnitKind.SCHOOL, clock=clock
    )
    teacher = await employees.ensure_employee(
        session,
        base.municipality,
        email="teacher@test.example",
        name="Tor Lærer",
        title="",
        clock=clock,
    )
    await employees.ensure_membership(session, teacher, school, clock=clock)
    other = await make_municipality(session, clock=clock, number="9997", name="Andrevik kommune")
    elsewhere = await municipalities.ensure_unit(
        session, other, name="Hjemmetjenesten", kind=UnitKind.HOME_CARE, clock=clock
    )
    small_child = await make_person(
        session, vault=VAULT, clock=clock, born=born(clock, 9), serial=6, given_name="Mia"
    )
    guardian = await make_person(
        session, vault=VAULT, clock=clock, born=born(clock, 38), serial=7, given_name="Geir"
    )
    session.add(
        RegisteredGuardianship(
            guardian_id=guardian.id, child_id=small_child.id, created_at=clock.now()
        )
    )
    today = today_in_oslo(clock)
    small_child_plan = await plans.start_plan(
        session,
        base.municipality,
        small_child,
        coordinator=base.coordinator,
        period_start=today,
        period_end=today + timedelta(days=365),
        revision_date=today + timedelta(days=180),
        clock=clock,
    )
    return PlanWorld(base, school, teacher, elsewhere, small_child, guardian, small_child_plan)


async def give_employee_grants(
    session: AsyncSession,
    world: PlanWorld,
    staff: Employee,
    unit: Unit,
    *grants: GrantSpec,
    clock: FrozenClock,
    plan: Plan | None = None,
    granter: Actor | None = None,
) -> None:
    """The coordinator brings the employee into the group for `unit`; the owner consents."""
    plan = plan or world.base.plan
    participant = await consents.add_employee(
        session, world.coordinator, plan.id, staff.id, unit.id, clock=clock
    )
    for spec in grants or (WRITE_GOALS, WRITE_NOTES):
        await consents.give_grant(
            session, granter or world.owner, plan.id, participant.id, spec, clock=clock
        )


async def nurse_may_write(session: AsyncSession, world: PlanWorld, clock: FrozenClock) -> None:
    await give_employee_grants(session, world, world.base.nurse, world.base.home_care, clock=clock)


async def teacher_may_write(session: AsyncSession, world: PlanWorld, clock: FrozenClock) -> None:
    await give_employee_grants(session, world, world.teacher, world.school, clock=clock)


async def invite_relative(
    session: AsyncSession, world: PlanWorld, clock: FrozenClock, *grants: GrantSpec
) -> None:
    number = make_synthetic_identity_number(world.base.relative.birth_date, serial=2)
    await consents.invite_by_number(
        session,
        world.owner,
        world.plan_id,
        InviteByNumber(
            identity_number=number,
            given_name="Rita",
            family_name="Person",
            grants=list(grants),
        ),
        vault=VAULT,
        allow_synthetic=True,
        clock=clock,
    )


async def give_youth_access(session: AsyncSession, world: PlanWorld, clock: FrozenClock) -> None:
    await young_people.set_youth_access(
        session, world.parent, world.base.child_plan.id, on=True, clock=clock
    )


async def representative_of_owner(
    session: AsyncSession,
    world: PlanWorld,
    clock: FrozenClock,
    *,
    scope: str = "all",
    acts: bool = True,
) -> Actor:
    """The relative holds the owner's verified fullmakt and acts under it."""
    today = today_in_oslo(clock)
    power = PowerOfAttorney(
        id=uuid.uuid4(),
        municipality_id=world.base.municipality.id,
        granter_id=world.base.owner.id,
        holder_id=world.base.relative.id,
        scope=scope,
        acts=acts,
        manages_consent=False,
        registered_by_person_id=world.base.owner.id,
        valid_from=today - timedelta(days=10),
        valid_until=None,
        verified_at=clock.now() - timedelta(days=9),
        verified_by_id=world.base.ke.id,
        created_at=clock.now() - timedelta(days=10),
    )
    session.add(power)
    await session.flush()
    return Actor(
        realm=citizen(world.base.relative).realm,
        session_id=uuid.uuid4(),
        display_name=world.base.relative.display_name,
        person_id=world.base.relative.id,
        acting_for_person_id=world.base.owner.id,
        acting_for_name=world.base.owner.display_name,
        acting_basis=ActingBasis.POWER_OF_ATTORNEY,
        power_of_attorney_id=power.id,
    )


def home_visit(world: PlanWorld, **changes: Any) -> actions.ActionInput:
    """A home-care action, with what the test changes."""
    values: dict[str, Any] = {
        "title": "Hjemmebesøk",
        "responsible_unit_id": world.base.home_care.id,
        "extent": "To gonger i veka",
        "method": "Besøk heime",
    }
    values.update(changes)
    return actions.ActionInput(**values)


async def timeline_rows(session: AsyncSession, plan_id: uuid.UUID) -> list[TimelineEntry]:
    rows = await session.scalars(
        select(TimelineEntry)
        .where(TimelineEntry.plan_id == plan_id)
        .order_by(TimelineEntry.at, TimelineEntry.id)
    )
    return list(rows.all())


async def count(session: AsyncSession, model: Any) -> int:
    return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def denial_reasons(session: AsyncSession, actor: Actor) -> list[str | None]:
    """The reasons of the refusals audited for this actor so far (R-LOG-1)."""
    await audit.seal_pending(session)
    rows = await session.scalars(
        select(AuditEvent.reason).where(
            AuditEvent.outcome != "allowed",
            AuditEvent.actor_person_id == actor.person_id
            if actor.person_id
            else AuditEvent.actor_employee_id == actor.employee_id,
        )
    )
    return list(rows.all())
