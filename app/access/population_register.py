"""Who has parental responsibility for whom: the population register, behind one interface.

The embedded run reads the `registered_guardianship` table, seeded with synthetic families.
Production must read Folkeregisteret's foreldreansvar (through the municipality's access to
"Folkeregisteret offentlig med hjemmel"); until that adapter is configured, production knows
no guardianships, so nobody can act for a child there: safe, if not yet useful.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import Person, RegisteredGuardianship


class PopulationRegister(Protocol):
    async def children_of(self, session: AsyncSession, guardian: Person) -> Sequence[Person]:
        """The people this person has parental responsibility for, of any age."""
        ...

    async def guardians_of(self, session: AsyncSession, child: Person) -> Sequence[Person]:
        """Whoever has parental responsibility for this person."""
        ...


class DevelopmentPopulationRegister:
    async def children_of(self, session: AsyncSession, guardian: Person) -> Sequence[Person]:
        result = await session.scalars(
            select(Person)
            .join(RegisteredGuardianship, RegisteredGuardianship.child_id == Person.id)
            .where(RegisteredGuardianship.guardian_id == guardian.id)
            .order_by(Person.birth_date.desc())
        )
        return result.all()

    async def guardians_of(self, session: AsyncSession, child: Person) -> Sequence[Person]:
        result = await session.scalars(
            select(Person)
            .join(RegisteredGuardianship, RegisteredGuardianship.guardian_id == Person.id)
            .where(RegisteredGuardianship.child_id == child.id)
            .order_by(Person.given_name)
        )
        return result.all()


class UnconfiguredPopulationRegister:
    """Production without a Folkeregisteret adapter: no guardianships are known."""

    async def children_of(self, session: AsyncSession, guardian: Person) -> Sequence[Person]:
        return []

    async def guardians_of(self, session: AsyncSession, child: Person) -> Sequence[Person]:
        return []
