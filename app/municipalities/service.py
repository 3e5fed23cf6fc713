"""Municipalities served by this deployment: each a tenant and a separate data controller."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.clock import Clock
from app.models import Municipality, Unit, UnitKind


async def list_municipalities(session: AsyncSession) -> Sequence[Municipality]:
    """Public: which municipalities use this installation (names only, no personal data)."""
    result = await session.scalars(select(Municipality).order_by(Municipality.name))
    return result.all()


async def ensure_municipality(
    session: AsyncSession, *, number: str, name: str, clock: Clock
) -> Municipality:
    """Find the municipality by its number or create it; running twice changes nothing."""
    municipality = await session.scalar(select(Municipality).where(Municipality.number == number))
    if municipality is None:
        municipality = Municipality(number=number, name=name, created_at=clock.now())
        session.add(municipality)
        await session.flush()
    return municipality


async def ensure_unit(
    session: AsyncSession, municipality: Municipality, *, name: str, kind: UnitKind, clock: Clock
) -> Unit:
    unit = await session.scalar(
        select(Unit).where(Unit.municipality_id == municipality.id, Unit.name == name)
    )
    if unit is None:
        unit = Unit(municipality_id=municipality.id, name=name, kind=kind, created_at=clock.now())
        session.add(unit)
        await session.flush()
    return unit
