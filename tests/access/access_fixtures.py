"""A small world for the access tests: two municipalities, their staff and plan owners of every
age tier, built straight from the models in one flush so hundreds of matrix cases stay fast.

Municipality A ("Testvik"): a coordinating unit (the KE), home care and a school.

    ke_staff                 works in the KE
    coordinator              works in home care, coordinates every plan of A
    provider                 works in home care, takes part in the adult's plan for home care
                             with grants (`provider_grants`)
    provider_without_grant   works in the school, takes part in the adult's plan for the
                             school without any grant
    other_employee           works in the school, takes part in nothing

    child (9) ............... plan_child, guardian `child_guardian`
    youth (14) .............. plan_youth with youth access (R-AGE-3), guardian `youth_guardian`
    youth_closed (14) ....... plan_youth_closed without youth access, guardian `closed_guardian`
    sixteen (16) ............ plan_sixteen; `former_guardian` was her guardian until the birthday
    adult (46) .............. plan_adult; `representative` holds a verified fullmakt
                             (`power_scope`, `power_acts`, `power_manages_consent`); `relative`
                             takes part with grants (`relative_grants`)

Municipality B ("Andrevik"): its own KE staff, coordinator and provider, and `owner_b`'s plan_b.

Actors are built directly (app/access/actors.py), with the context a confirmed session would
carry: acting_for_person_id, acting_basis and, for the representative, power_of_attorney_id.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import httpx
from fastapi import FastAPI
from fastapi.routing import iter_route_contexts
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.access.actors import ActingBasis, Actor
from app.clock import OSLO, today_in_oslo
from app.models import (
    ConsentMethod,
    Employee,
    Grant,
    GrantMode,
    Municipality,
    Participant,
    ParticipantKind,
    Person,
    Plan,
    PlanPart,
    PlanStatus,
    PowerOfAttorney,
    Realm,
    RegisteredGuardianship,
    ShieldedItem,
    Unit,
    UnitKind,
    UnitMembership,
    YouthAccess,
)
from app.people.identity_numbers import make_synthetic_identity_number
from app.people.pid_vault import PidVault
from app.settings import Settings
from tests.factories import TEST_DATA_KEY
from tests.support.clock import FrozenClock
from tests.support.logins import log_in_as

VAULT = PidVault(TEST_DATA_KEY)

R, W = GrantMode.READ, GrantMode.WRITE
DEFAULT_RELATIVE_GRANTS: Mapping[PlanPart, GrantMode] = {
    PlanPart.LIFE_SITUATION: R,
    PlanPart.GOALS_ACTIONS: R,
}
DEFAULT_PROVIDER_GRANTS: Mapping[PlanPart, GrantMode] = {
    PlanPart.GOALS_ACTIONS: W,
    PlanPart.MESSAGES: R,
}
EVERY_PART_WRITE: Mapping[PlanPart, GrantMode] = dict.fromkeys(PlanPart, W)


def born_years_ago(today: date, years: int, *, days: int = 40) -> date:
    """A birth date `years` whole years and `days` days before today (never a birthday today)."""
    last_birthday = today - timedelta(days=days)
    return last_birthday.replace(year=last_birthday.year - years)


def new_person(
    born: date, given_name: str, family_name: str = "Testesen", *, now: datetime, serial: int = 0
) -> Person:
    """A person with a valid synthetic identity number, kept only as hash and ciphertext."""
    number = make_synthetic_identity_number(born, serial=serial)
    return Person(
        id=uuid.uuid4(),
        pid_lookup=VAULT.lookup_hash(number),
        pid_encrypted=VAULT.encrypt(number),
        given_name=given_name,
        family_name=family_name,
        birth_date=born,
        created_at=now,
    )


def new_plan(
    municipality: Municipality, owner: Person, *, coordinator: Employee | None, now: datetime
) -> Plan:
    today = now.astimezone(OSLO).date()
    return Plan(
        id=uuid.uuid4(),
        municipality_id=municipality.id,
        owner_id=owner.id,
        coordinator_id=coordinator.id if coordinator is not None else None,
        status=PlanStatus.ACTIVE,
        period_start=today - timedelta(days=90),
        period_end=today + timedelta(days=600),
        revision_date=today + timedelta(days=60),
        created_at=now,
        updated_at=now,
    )


def new_grants(
    plan: Plan,
    participant: Participant,
    grants: Mapping[PlanPart, GrantMode],
    *,
    now: datetime,
    valid_from: date | None = None,
    valid_until: date | None = None,
) -> list[Grant]:
    today = now.astimezone(OSLO).date()
    return [
        Grant(
            id=uuid.uuid4(),
            plan_id=plan.id,
            participant_id=participant.id,
            part=part,
            mode=mode,
            valid_from=valid_from or today - timedelta(days=30),
            valid_until=valid_until,
            method=ConsentMethod.ELECTRONIC,
            granted_by_person_id=plan.owner_id,
            granted_for_person_id=plan.owner_id,
            created_at=now,
        )
        for part, mode in grants.items()
    ]


@dataclass
class World:
    session: AsyncSession
    clock: FrozenClock
    a: Municipality
    b: Municipality
    ke_unit: Unit
    home_care: Unit
    school: Unit
    ke_unit_b: Unit
    home_care_b: Unit
    ke_staff: Employee
    coordinator: Employee
    provider: Employee
    provider_without_grant: Employee
    other_employee: Employee
    ke_staff_b: Employee
    coordinator_b: Employee
    provider_b: Employee
    child: Person
    child_guardian: Person
    youth: Person
    youth_guardian: Person
    youth_closed: Person
    closed_guardian: Person
    sixteen: Person
    former_guardian: Person
    adult: Person
    representative: Person
    relative: Person
    owner_b: Person
    plan_child: Plan
    plan_youth: Plan
    plan_youth_closed: Plan
    plan_sixteen: Plan
    plan_adult: Plan
    plan_b: Plan
    relative_participant: Participant
    provider_participant: Participant
    provider_without_grant_participant: Participant
    provider_b_participant: Participant
    power_of_attorney: PowerOfAttorney
    youth_access: YouthAccess

    # --- actors -------------------------------------------------------------------------------

    def citizen(self, person: Person) -> Actor:
        return Actor(
            realm=Realm.CITIZEN,
            session_id=uuid.uuid4(),
            display_name=person.display_name,
            person_id=person.id,
        )

    def guardian(self, guardian: Person, child: Person) -> Actor:
        return Actor(
            realm=Realm.CITIZEN,
            session_id=uuid.uuid4(),
            display_name=guardian.display_name,
            person_id=guardian.id,
            acting_for_person_id=child.id,
            acting_for_name=child.display_name,
            acting_basis=ActingBasis.PARENTAL_RESPONSIBILITY,
        )

    def acting_representative(self) -> Actor:
        return Actor(
            realm=Realm.CITIZEN,
            session_id=uuid.uuid4(),
            display_name=self.representative.display_name,
            person_id=self.representative.id,
            acting_for_person_id=self.adult.id,
            acting_for_name=self.adult.display_name,
            acting_basis=ActingBasis.POWER_OF_ATTORNEY,
            power_of_attorney_id=self.power_of_attorney.id,
        )

    def staff(self, employee: Employee) -> Actor:
        return Actor(
            realm=Realm.EMPLOYEE,
            session_id=uuid.uuid4(),
            display_name=employee.name,
            employee_id=employee.id,
            municipality_id=employee.municipality_id,
        )

    def actors(self) -> dict[str, Actor]:
        """Every kind of actor in the world, by a name for test ids."""
        return {
            "owner_adult": self.citizen(self.adult),
            "owner_sixteen": self.citizen(self.sixteen),
            "owner_youth_with_access": self.citizen(self.youth),
            "owner_youth_without_access": self.citizen(self.youth_closed),
            "owner_child": self.citizen(self.child),
            "owner_b": self.citizen(self.owner_b),
            "guardian_of_child": self.guardian(self.child_guardian, self.child),
            "guardian_of_youth": self.guardian(self.youth_guardian, self.youth),
            "guardian_of_youth_closed": self.guardian(self.closed_guardian, self.youth_closed),
            "former_guardian_of_sixteen": self.guardian(self.former_guardian, self.sixteen),
            "guardian_as_themself": self.citizen(self.child_guardian),
            "representative": self.acting_representative(),
            "representative_as_themself": self.citizen(self.representative),
            "relative": self.citizen(self.relative),
            "ke_staff": self.staff(self.ke_staff),
            "coordinator": self.staff(self.coordinator),
            "provider": self.staff(self.provider),
            "provider_without_grant": self.staff(self.provider_without_grant),
            "other_employee": self.staff(self.other_employee),
            "ke_staff_b": self.staff(self.ke_staff_b),
            "coordinator_b": self.staff(self.coordinator_b),
            "provider_b": self.staff(self.provider_b),
        }

    def plans(self) -> dict[str, Plan]:
        return {
            "plan_child": self.plan_child,
            "plan_youth": self.plan_youth,
            "plan_youth_closed": self.plan_youth_closed,
            "plan_sixteen": self.plan_sixteen,
            "plan_adult": self.plan_adult,
            "plan_b": self.plan_b,
        }

    # --- changing the world -------------------------------------------------------------------

    async def set_grants(
        self,
        participant: Participant,
        grants: Mapping[PlanPart, GrantMode],
        *,
        valid_from: date | None = None,
        valid_until: date | None = None,
    ) -> list[Grant]:
        """End the participant's grants in force and give exactly these (R-CON-4: new rows)."""
        now = self.clock.now()
        for grant in await self.grants_of(participant):
            if grant.ended_at is None:
                grant.ended_at = now
        plan = await self.session.get(Plan, participant.plan_id)
        assert plan is not None
        added = new_grants(
            plan, participant, grants, now=now, valid_from=valid_from, valid_until=valid_until
        )
        self.session.add_all(added)
        await self.session.flush()
        return added

    async def grants_of(self, participant: Participant) -> list[Grant]:
        found = await self.session.scalars(
            select(Grant).where(Grant.participant_id == participant.id)
        )
        return list(found.all())

    async def set_power(
        self, *, scope: str = "all", acts: bool = True, manages_consent: bool = False
    ) -> None:
        self.power_of_attorney.scope = scope
        self.power_of_attorney.acts = acts
        self.power_of_attorney.manages_consent = manages_consent
        await self.session.flush()

    async def shield(self, plan: Plan, item_type: str, item_id: uuid.UUID) -> ShieldedItem:
        shielded = ShieldedItem(
            id=uuid.uuid4(),
            plan_id=plan.id,
            item_type=item_type,
            item_id=item_id,
            shielded_by_person_id=plan.owner_id,
            created_at=self.clock.now(),
        )
        self.session.add(shielded)
        await self.session.flush()
        return shielded

    async def add_provider_plans(self, count: int) -> list[Plan]:
        """`count` more plans of A in which the provider takes part for home care with a read
        grant on goals and actions (the bench and the query budget's long list)."""
        now = self.clock.now()
        today = today_in_oslo(self.clock)
        rows: list[Any] = []
        plans = []
        for number in range(count):
            # 60 birth dates, several people on each (finding serials is the slow part).
            owner = new_person(
                born_years_ago(today, 20 + number % 60, days=1),
                f"Eier{number}",
                now=now,
                serial=number // 60,
            )
            # No coordinator: only the provider's grant makes these plans visible to anyone.
            plan = new_plan(self.a, owner, coordinator=None, now=now)
            participant = Participant(
                id=uuid.uuid4(),
                plan_id=plan.id,
                kind=ParticipantKind.EMPLOYEE,
                employee_id=self.provider.id,
                unit_id=self.home_care.id,
                added_at=now,
            )
            rows += [owner, plan, participant]
            rows += new_grants(plan, participant, {PlanPart.GOALS_ACTIONS: R}, now=now)
            plans.append(plan)
        await _add_in_order(self.session, rows)
        return plans


async def _add_in_order(session: AsyncSession, rows: list[Any]) -> None:
    """Flush people, then plans, then participants, then grants (foreign keys in that order)."""
    for kind in (Person, Plan, Participant, Grant):
        session.add_all([row for row in rows if isinstance(row, kind)])
        await session.flush()


async def build_world(
    session: AsyncSession,
    clock: FrozenClock,
    *,
    relative_grants: Mapping[PlanPart, GrantMode] = DEFAULT_RELATIVE_GRANTS,
    provider_grants: Mapping[PlanPart, GrantMode] = DEFAULT_PROVIDER_GRANTS,
    power_scope: str = "all",
    power_acts: bool = True,
    power_manages_consent: bool = True,
) -> World:
    now = clock.now()
    today = today_in_oslo(clock)

    a = Municipality(id=uuid.uuid4(), number="9901", name="Testvik kommune", created_at=now)
    b = Municipality(id=uuid.uuid4(), number="9902", name="Andrevik kommune", created_at=now)
    session.add_all([a, b])
    await session.flush()

    def unit(municipality: Municipality, name: str, kind: UnitKind) -> Unit:
        return Unit(
            id=uuid.uuid4(), municipality_id=municipality.id, name=name, kind=kind, created_at=now
        )

    ke_unit = unit(a, "Koordinerende enhet", UnitKind.COORDINATING_UNIT)
    home_care = unit(a, "Hjemmetjenesten", UnitKind.HOME_CARE)
    school = unit(a, "Testvik skole", UnitKind.SCHOOL)
    ke_unit_b = unit(b, "Koordinerende enhet", UnitKind.COORDINATING_UNIT)
    home_care_b = unit(b, "Hjemmetjenesten", UnitKind.HOME_CARE)

    def employee(municipality: Municipality, name: str) -> Employee:
        return Employee(
            id=uuid.uuid4(),
            municipality_id=municipality.id,
            name=name,
            title="Testtittel",
            email=f"{name.lower().replace(' ', '.')}@{municipality.number}.example",
            created_at=now,
        )

    ke_staff = employee(a, "Kari KE")
    coordinator = employee(a, "Kim Koordinator")
    provider = employee(a, "Per Tjenesteyter")
    provider_without_grant = employee(a, "Siri Skole")
    other_employee = employee(a, "Ola Annen")
    ke_staff_b = employee(b, "Berit KE")
    coordinator_b = employee(b, "Bjørn Koordinator")
    provider_b = employee(b, "Bodil Tjenesteyter")
    employees = [
        ke_staff,
        coordinator,
        provider,
        provider_without_grant,
        other_employee,
        ke_staff_b,
        coordinator_b,
        provider_b,
    ]
    session.add_all([ke_unit, home_care, school, ke_unit_b, home_care_b, *employees])
    await session.flush()
    session.add_all(
        UnitMembership(id=uuid.uuid4(), employee_id=e.id, unit_id=u.id, created_at=now)
        for e, u in (
            (ke_staff, ke_unit),
            (coordinator, home_care),
            (provider, home_care),
            (provider_without_grant, school),
            (other_employee, school),
            (ke_staff_b, ke_unit_b),
            (coordinator_b, home_care_b),
            (provider_b, home_care_b),
        )
    )

    def person(years: int, given_name: str, family_name: str, days: int = 40) -> Person:
        return new_person(born_years_ago(today, years, days=days), given_name, family_name, now=now)

    child = person(9, "Emma", "Barn")
    child_guardian = person(38, "Lars", "Barn")
    youth = person(14, "Jonas", "Ung", days=75)
    youth_guardian = person(44, "Mari", "Ung")
    youth_closed = person(14, "Ida", "Lukket", days=100)
    closed_guardian = person(45, "Trond", "Lukket")
    sixteen = person(16, "Nora", "Seksten")
    former_guardian = person(47, "Tor", "Seksten")
    adult = person(46, "Arne", "Voksen", days=150)
    representative = person(31, "Liv", "Fullmektig")
    relative = person(50, "Randi", "Slekt")
    owner_b = person(60, "Bård", "Fjernsen")
    people = [
        child,
        child_guardian,
        youth,
        youth_guardian,
        youth_closed,
        closed_guardian,
        sixteen,
        former_guardian,
        adult,
        representative,
        relative,
        owner_b,
    ]
    session.add_all(people)
    await session.flush()
    session.add_all(
        RegisteredGuardianship(id=uuid.uuid4(), guardian_id=g.id, child_id=c.id, created_at=now)
        for g, c in (
            (child_guardian, child),
            (youth_guardian, youth),
            (closed_guardian, youth_closed),
            (former_guardian, sixteen),
        )
    )

    plan_child = new_plan(a, child, coordinator=coordinator, now=now)
    plan_youth = new_plan(a, youth, coordinator=coordinator, now=now)
    plan_youth_closed = new_plan(a, youth_closed, coordinator=coordinator, now=now)
    plan_sixteen = new_plan(a, sixteen, coordinator=coordinator, now=now)
    plan_adult = new_plan(a, adult, coordinator=coordinator, now=now)
    plan_b = new_plan(b, owner_b, coordinator=coordinator_b, now=now)
    session.add_all([plan_child, plan_youth, plan_youth_closed, plan_sixteen, plan_adult, plan_b])
    await session.flush()

    def participant(
        plan: Plan, kind: ParticipantKind, *, person: Person | None = None,
        employee: Employee | None = None, unit: Unit | None = None,
    ) -> Participant:  # fmt: skip
        return Participant(
            id=uuid.uuid4(),
            plan_id=plan.id,
            kind=kind,
            person_id=person.id if person else None,
            employee_id=employee.id if employee else None,
            unit_id=unit.id if unit else None,
            relation="test",
            added_at=now,
        )

    relative_participant = participant(plan_adult, ParticipantKind.RELATIVE, person=relative)
    provider_participant = participant(
        plan_adult, ParticipantKind.EMPLOYEE, employee=provider, unit=home_care
    )
    provider_without_grant_participant = participant(
        plan_adult, ParticipantKind.EMPLOYEE, employee=provider_without_grant, unit=school
    )
    provider_b_participant = participant(
        plan_b, ParticipantKind.EMPLOYEE, employee=provider_b, unit=home_care_b
    )
    power_of_attorney = PowerOfAttorney(
        id=uuid.uuid4(),
        municipality_id=a.id,
        granter_id=adult.id,
        holder_id=representative.id,
        scope=power_scope,
        acts=power_acts,
        manages_consent=power_manages_consent,
        registered_by_person_id=adult.id,
        valid_from=today - timedelta(days=30),
        valid_until=today + timedelta(days=300),
        verified_at=now - timedelta(days=29),
        verified_by_id=ke_staff.id,
        created_at=now - timedelta(days=30),
    )
    youth_access = YouthAccess(
        id=uuid.uuid4(),
        plan_id=plan_youth.id,
        granted_by_person_id=youth_guardian.id,
        created_at=now - timedelta(days=20),
    )
    session.add_all(
        [
            relative_participant,
            provider_participant,
            provider_without_grant_participant,
            provider_b_participant,
            power_of_attorney,
            youth_access,
        ]
    )
    await session.flush()
    session.add_all(
        [
            *new_grants(plan_adult, relative_participant, relative_grants, now=now),
            *new_grants(plan_adult, provider_participant, provider_grants, now=now),
            *new_grants(plan_b, provider_b_participant, {PlanPart.GOALS_ACTIONS: W}, now=now),
        ]
    )
    await session.flush()
    return World(
        session=session,
        clock=clock,
        a=a,
        b=b,
        ke_unit=ke_unit,
        home_care=home_care,
        school=school,
        ke_unit_b=ke_unit_b,
        home_care_b=home_care_b,
        ke_staff=ke_staff,
        coordinator=coordinator,
        provider=provider,
        provider_without_grant=provider_without_grant,
        other_employee=other_employee,
        ke_staff_b=ke_staff_b,
        coordinator_b=coordinator_b,
        provider_b=provider_b,
        child=child,
        child_guardian=child_guardian,
        youth=youth,
        youth_guardian=youth_guardian,
        youth_closed=youth_closed,
        closed_guardian=closed_guardian,
        sixteen=sixteen,
        former_guardian=former_guardian,
        adult=adult,
        representative=representative,
        relative=relative,
        owner_b=owner_b,
        plan_child=plan_child,
        plan_youth=plan_youth,
        plan_youth_closed=plan_youth_closed,
        plan_sixteen=plan_sixteen,
        plan_adult=plan_adult,
        plan_b=plan_b,
        relative_participant=relative_participant,
        provider_participant=provider_participant,
        provider_without_grant_participant=provider_without_grant_participant,
        provider_b_participant=provider_b_participant,
        power_of_attorney=power_of_attorney,
        youth_access=youth_access,
    )


async def log_in(
    client: httpx.AsyncClient,
    session: AsyncSession,
    settings: Settings,
    clock: FrozenClock,
    actor: Actor,
) -> None:
    """Log `client` in as this actor (commits what the test built so far)."""
    await log_in_as(client, session, settings, clock, actor)


def app_routes(app: FastAPI) -> list[tuple[str, str]]:
    """Every (method, path) the app answers, the included routers' routes among them."""
    found = []
    for route in iter_route_contexts(app.routes):
        path = route.path
        if path is None:
            continue
        for method in sorted(route.methods or ()):
            if method != "HEAD":
                found.append((method, path))
    return found


def fill_path(path: str, **values: uuid.UUID | str) -> str:
    """The path with {plan_id} and friends filled in; other ids get a fresh random uuid."""
    for name, value in values.items():
        path = path.replace("{" + name + "}", str(value))
    while "{" in path:
        start, end = path.index("{"), path.index("}")
        path = path[:start] + str(uuid.uuid4()) + path[end + 1 :]
    return path
