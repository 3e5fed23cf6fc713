from __future__ import annotations

import uuid
from datetime import datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import Municipality, Unit, UnitKind
from tests.factories import make_municipality
from tests.support.clock import FrozenClock

# Two tests that write the same unique row: the second passes only if the first was rolled back
# (style.md trap 2, which without the BEGIN fix leaks on SQLite).


@pytest.mark.parametrize("attempt", [1, 2])
async def test_each_test_starts_from_an_empty_database(
    session: AsyncSession, clock: FrozenClock, attempt: int
) -> None:
    assert await session.scalar(select(func.count()).select_from(Municipality)) == 0
    await make_municipality(session, clock=clock, number="1234")
    await session.commit()  # what the request's unit of work does; still rolled back afterwards
    assert await session.scalar(select(func.count()).select_from(Municipality)) == 1


async def test_savepoint_rollback_undoes_only_the_inner_work(
    session: AsyncSession, clock: FrozenClock
) -> None:
    await make_municipality(session, clock=clock, number="1111")
    async with session.begin_nested() as inner:
        await make_municipality(session, clock=clock, number="2222")
        await inner.rollback()
    numbers = (await session.scalars(select(Municipality.number))).all()
    assert numbers == ["1111"]


async def test_datetimes_come_back_aware_in_utc(session: AsyncSession, clock: FrozenClock) -> None:
    municipality = await make_municipality(session, clock=clock)
    session.expunge_all()
    loaded = await session.get(Municipality, municipality.id)
    assert loaded is not None
    assert loaded.created_at == clock.now()
    assert loaded.created_at.tzinfo is not None


async def test_naive_datetimes_are_refused(session: AsyncSession) -> None:
    session.add(Municipality(number="3333", name="Naiv", created_at=datetime(2026, 1, 1)))
    with pytest.raises(Exception, match="naive"):
        await session.flush()


async def test_foreign_keys_are_enforced_on_every_backend(
    session: AsyncSession, clock: FrozenClock
) -> None:
    orphan = Unit(
        municipality_id=uuid.uuid4(),
        name="Ingen kommune",
        kind=UnitKind.OTHER,
        created_at=clock.now(),
    )
    with pytest.raises(IntegrityError):
        async with session.begin_nested():
            session.add(orphan)
            await session.flush()
