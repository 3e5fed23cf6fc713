"""A small municipality for fullmakt tests: Per (58) has a plan, Liv (31) will represent him,
Kari works in the coordinating unit, Ola in home care, and Siv in another municipality's KE."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession

from app.access.actors import Actor
from app.clock import today_in_oslo
from app.employees import service as employees
from app.models import Employee, Municipality, Person, Realm, UnitKind
from app.municipalities import service as municipalities
from app.people.identity_numbers import make_synthetic_identity_number
from app.people.pid_vault import PidVault
from app.plans import service as plans
from app.settings import Settings
from tests.factories import TEST_DATA_KEY, make_municipality, make_person
from tests.support.clock import FrozenClock
from tests.support.logins import log_in

PER_BORN = date(1968, 6, 1)
LIV_BORN = date(1995, 3, 10)
PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@dataclass
class World:
    vault: PidVault
    municipality: Municipality
    other_municipality: Municipality
    per: Person
    liv: Person
    liv_number: str
    kari: Employee  # coordinating unit
    ola: Employee  # home care, same municipality
    siv: Employee  # coordinating unit of another municipality


def citizen(person: Person, *, acting_for: Person | None = None) -> Actor:
    return Actor(
        realm=Realm.CITIZEN,
        session_id=uuid.uuid4(),
        display_name=person.display_name,
        person_id=person.id,
        acting_for_person_id=acting_for.id if acting_for else None,
        acting_for_name=acting_for.display_name if acting_for else None,
    )


def employee(staff: Employee) -> Actor:
    return Actor(
        realm=Realm.EMPLOYEE,
        session_id=uuid.uuid4(),
        display_name=staff.name,
        employee_id=staff.id,
        municipality_id=staff.municipality_id,
    )


async def build_world(session: AsyncSession, clock: FrozenClock, vault: PidVault) -> World:
    municipality = await make_municipality(session, clock=clock)
    other = await make_municipality(session, clock=clock, number="9997", name="Andrevik kommune")
    ke = await municipalities.ensure_unit(
        session, municipality, name="KE", kind=UnitKind.COORDINATING_UNIT, clock=clock
    )
    home_care = await municipalities.ensure_unit(
        session, municipality, name="Hjemmetjenesten", kind=UnitKind.HOME_CARE, clock=clock
    )
    other_ke = await municipalities.ensure_unit(
        session, other, name="KE", kind=UnitKind.COORDINATING_UNIT, clock=clock
    )
    staff = {}
    for key, place, unit, name in (
        ("kari", municipality, ke, "Kari Nordmann"),
        ("ola", municipality, home_care, "Ola Hansen"),
        ("siv", other, other_ke, "Siv Andersen"),
    ):
        member = await employees.ensure_employee(
            session, place, email=f"{key}@example.test", name=name, title="", clock=clock
        )
        await employees.ensure_membership(session, member, unit, clock=clock)
        staff[key] = member
    per = await make_person(
        session,
        clock=clock,
        born=PER_BORN,
        serial=1,
        given_name="Per",
        family_name="Mikkelsen",
        vault=vault,
    )
    liv_number = make_synthetic_identity_number(LIV_BORN, serial=2)
    liv = await make_person(
        session,
        clock=clock,
        born=LIV_BORN,
        serial=2,
        given_name="Liv",
        family_name="Mikkelsen",
        vault=vault,
    )
    today = today_in_oslo(clock)
    await plans.start_plan(
        session,
        municipality,
        per,
        coordinator=None,
        period_start=today - timedelta(days=30),
        period_end=today + timedelta(days=300),
        revision_date=today + timedelta(days=100),
        clock=clock,
    )
    return World(
        vault, municipality, other, per, liv, liv_number, staff["kari"], staff["ola"], staff["siv"]
    )


@pytest.fixture
def vault() -> PidVault:
    return PidVault(TEST_DATA_KEY)


@pytest.fixture
async def world(session: AsyncSession, clock: FrozenClock, vault: PidVault) -> World:
    return await build_world(session, clock, vault)


@pytest.fixture
async def app_world(session: AsyncSession, clock: FrozenClock, app: FastAPI) -> World:
    """The same people, findable by the app's own identity-number vault."""
    return await build_world(session, clock, app.state.pid_vault)


class Login:
    """Log the shared test client in as someone (a real server-side session and its cookie)."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        session: AsyncSession,
        settings: Settings,
        clock: FrozenClock,
    ) -> None:
        self.client, self.session, self.settings, self.clock = client, session, settings, clock

    async def as_person(self, person: Person) -> None:
        await log_in(self.client, self.session, self.settings, self.clock, person=person)

    async def as_employee(self, staff: Employee) -> None:
        await log_in(self.client, self.session, self.settings, self.clock, staff=staff)


@pytest.fixture
def login(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings, clock: FrozenClock
) -> Login:
    return Login(client, session, settings, clock)
