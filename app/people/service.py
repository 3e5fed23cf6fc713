"""People known to Samplan, found by the keyed hash of their identity number (R-ID-3)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.clock import Clock
from app.models import Person
from app.people.identity_numbers import IdentityNumber
from app.people.pid_vault import PidVault


async def find_person(
    session: AsyncSession, identity_number: IdentityNumber, *, vault: PidVault
) -> Person | None:
    lookup = vault.lookup_hash(identity_number.value)
    return await session.scalar(select(Person).where(Person.pid_lookup == lookup))


async def ensure_person(
    session: AsyncSession,
    identity_number: IdentityNumber,
    *,
    given_name: str,
    family_name: str,
    vault: PidVault,
    clock: Clock,
) -> Person:
    """Find the person or register them; registering twice gives the same person."""
    person = await find_person(session, identity_number, vault=vault)
    if person is None:
        person = Person(
            pid_lookup=vault.lookup_hash(identity_number.value),
            pid_encrypted=vault.encrypt(identity_number.value),
            given_name=given_name,
            family_name=family_name,
            # R-ID-4: derived from the number only outside production; the sign-in issue
            # takes it from the population register in production.
            birth_date=identity_number.birth_date,
            created_at=clock.now(),
        )
        session.add(person)
        await session.flush()
    return person
