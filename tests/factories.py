"""Plain keyword-only factories for test data."""

from __future__ import annotations

from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from app.clock import Clock
from app.models import Municipality, Person
from app.municipalities import service as municipalities
from app.people import service as people
from app.people.identity_numbers import make_synthetic_identity_number, parse_identity_number
from app.people.pid_vault import PidVault

TEST_DATA_KEY = b"test-data-key-for-factories-only"


async def make_municipality(
    session: AsyncSession, *, clock: Clock, number: str = "9998", name: str = "Testvik kommune"
) -> Municipality:
    return await municipalities.ensure_municipality(session, number=number, name=name, clock=clock)


async def make_person(
    session: AsyncSession,
    *,
    clock: Clock,
    born: date = date(1990, 5, 17),
    serial: int = 0,
    given_name: str = "Test",
    family_name: str = "Person",
    vault: PidVault | None = None,
) -> Person:
    identity_number = parse_identity_number(
        make_synthetic_identity_number(born, serial=serial), allow_synthetic=True
    )
    return await people.ensure_person(
        session,
        identity_number,
        given_name=given_name,
        family_name=family_name,
        vault=vault or PidVault(TEST_DATA_KEY),
        clock=clock,
    )
