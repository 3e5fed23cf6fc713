"""The audit log is written as a hash chain per municipality, at commit (R-LOG-1, R-LOG-2).

tests/access/test_audit_verify.py tampers with the chain and checks that the verifier notices.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from types import SimpleNamespace

import httpx
import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app import schema
from app.access import audit
from app.access.audit_verify import verify_chains
from app.api.deps import DbSession
from app.db import get_session, make_engine, make_sessionmaker
from app.errors import Forbidden
from app.models import AuditChainHead, AuditEvent, Municipality
from app.settings import Settings
from tests.factories import make_municipality
from tests.support import databases
from tests.support.audit_rows import chain_rows, record, three_rows
from tests.support.clock import FrozenClock


async def test_r_log_2_rows_link_into_a_chain_with_consecutive_seq(
    session: AsyncSession, clock: FrozenClock
) -> None:
    chain, rows = await three_rows(session, clock)

    assert [row.seq for row in rows] == [1, 2, 3]
    assert rows[0].prev_hash == audit.GENESIS_HASH
    for before, after in zip(rows, rows[1:], strict=False):
        assert after.prev_hash == before.row_hash
    for row in rows:
        values = {name: getattr(row, name) for name in audit.HASHED_COLUMNS}
        assert row.row_hash == audit.row_hash(row.prev_hash, values)
    head = await session.get(AuditChainHead, chain)
    assert head is not None
    assert (head.last_seq, head.last_hash) == (3, rows[-1].row_hash)


async def test_r_log_2_a_later_commit_continues_the_chain(
    session: AsyncSession, clock: FrozenClock
) -> None:
    chain, rows = await three_rows(session, clock)
    await record(session, clock, rows[0].municipality_id)
    await session.commit()

    again = await chain_rows(session, chain)
    assert [row.seq for row in again] == [1, 2, 3, 4]
    assert again[3].prev_hash == rows[2].row_hash
    assert (await verify_chains(session)).intact


async def test_r_log_2_each_municipality_and_the_nation_have_their_own_chain(
    session: AsyncSession, clock: FrozenClock
) -> None:
    first = await make_municipality(session, clock=clock, number="1001", name="A")
    second = await make_municipality(session, clock=clock, number="1002", name="B")
    for municipality_id in (first.id, second.id, None, first.id, None, first.id):
        await record(session, clock, municipality_id)
    await audit.seal_pending(session)

    assert [row.seq for row in await chain_rows(session, str(first.id))] == [1, 2, 3]
    assert [row.seq for row in await chain_rows(session, str(second.id))] == [1]
    assert [row.seq for row in await chain_rows(session, audit.NATIONAL_CHAIN)] == [1, 2]
    report = await verify_chains(session)
    assert report.intact
    assert (len(report.chains), report.rows) == (3, 6)


async def test_r_log_1_plan_item_and_role_columns_are_stored(
    session: AsyncSession, clock: FrozenClock
) -> None:
    municipality = await make_municipality(session, clock=clock)
    item_id = uuid.uuid4()
    await record(
        session, clock, municipality.id, item_type="goal", item_id=item_id, actor_role="owner"
    )
    await audit.seal_pending(session)
    (row,) = await chain_rows(session, str(municipality.id))
    assert (row.item_type, row.item_id, row.actor_role) == ("goal", item_id, "owner")
    assert (await verify_chains(session)).intact


@pytest.mark.parametrize("change", ["update", "delete"])
async def test_r_log_2_the_database_refuses_to_change_audit_rows(
    session: AsyncSession, clock: FrozenClock, change: str
) -> None:
    _, rows = await three_rows(session, clock)
    where = AuditEvent.id == rows[0].id
    statement = (
        update(AuditEvent).where(where).values(outcome="denied")
        if change == "update"
        else delete(AuditEvent).where(where)
    )
    with pytest.raises(DBAPIError, match="append-only"):  # on both databases
        async with session.begin_nested():
            await session.execute(statement.execution_options(synchronize_session=False))


# --- denials survive the rollback of their request (R-LOG-1) ---------------------------------


async def _deny(session: AsyncSession, clock: FrozenClock) -> None:
    """A service that writes, is allowed one thing, then is denied another."""
    session.add(Municipality(number="4321", name="Rullet tilbake", created_at=clock.now()))
    await record(session, clock, None, outcome="allowed")
    await record(session, clock, None, outcome="denied", keep_on_rollback=True)
    raise Forbidden("no")


async def _what_survived(session: AsyncSession) -> tuple[int, list[str]]:
    municipalities = await session.scalar(
        select(func.count()).select_from(Municipality).where(Municipality.number == "4321")
    )
    outcomes = list(await session.scalars(select(AuditEvent.outcome)))
    return municipalities or 0, outcomes


async def test_r_log_1_a_denial_keeps_its_audit_row_when_the_request_fails(
    app: FastAPI, client: httpx.AsyncClient, session: AsyncSession, clock: FrozenClock
) -> None:
    @app.get("/test-only/deny")
    async def deny(db: DbSession) -> None:
        await _deny(db, clock)

    response = await client.get("/test-only/deny")

    assert response.status_code == 403
    assert await _what_survived(session) == (0, ["denied"])
    assert (await verify_chains(session)).intact


async def test_r_log_1_get_session_commits_the_kept_denial_after_its_rollback(
    session: AsyncSession, clock: FrozenClock
) -> None:
    # The real unit of work, on a session joined to the test's outer transaction.
    assert session.bind is not None
    sessionmaker: async_sessionmaker[AsyncSession] = async_sessionmaker(
        bind=session.bind, join_transaction_mode="create_savepoint", expire_on_commit=False
    )
    request = SimpleNamespace(app=SimpleNamespace(state=SimpleNamespace(sessionmaker=sessionmaker)))
    unit_of_work: AsyncIterator[AsyncSession] = get_session(request)  # type: ignore[arg-type]
    db = await anext(unit_of_work)
    with pytest.raises(Forbidden):
        try:
            await _deny(db, clock)
        except Forbidden as error:
            await unit_of_work.athrow(error)

    assert await _what_survived(session) == (0, ["denied"])


async def test_r_log_1_without_a_denial_a_rollback_leaves_no_audit_row(
    session: AsyncSession, clock: FrozenClock
) -> None:
    await record(session, clock, None)
    await session.rollback()
    await session.commit()
    assert await _what_survived(session) == (0, [])


# --- the migration chains rows that were there before it -------------------------------------


async def test_r_log_2_the_migration_chains_existing_rows(
    settings: Settings, data_dir: Path, clock: FrozenClock
) -> None:
    name = f"samplan_audit_backfill_{databases.worker_suffix()}"
    url = await databases.fresh_database(name, data_dir)
    engine = make_engine(url)
    try:
        await schema.upgrade(engine, settings, "0003")
        municipality_id = uuid.uuid4()
        municipality = sa.table(
            "municipality",
            sa.column("id", sa.Uuid()),
            sa.column("number", sa.String()),
            sa.column("name", sa.String()),
            sa.column("created_at", sa.DateTime(timezone=True)),
        )
        old_event = sa.table(
            "audit_event",
            *(sa.column(n, sa.Uuid()) for n in ("id", "municipality_id")),
            sa.column("occurred_at", sa.DateTime(timezone=True)),
            *(sa.column(n, sa.String()) for n in ("action", "outcome")),
        )
        async with engine.begin() as connection:
            await connection.execute(
                municipality.insert().values(
                    id=municipality_id, number="5001", name="Før", created_at=clock.now()
                )
            )
            for owner in (municipality_id, None, municipality_id):
                await connection.execute(
                    old_event.insert().values(
                        id=uuid.uuid4(),
                        municipality_id=owner,
                        occurred_at=clock.now(),
                        action="login.citizen",
                        outcome="succeeded",
                    )
                )
        await schema.upgrade(engine, settings)

        async with make_sessionmaker(engine)() as db:
            report = await verify_chains(db)
            assert report.intact
            assert (len(report.chains), report.rows) == (2, 3)
            await record(db, clock, municipality_id)
            await db.commit()
            assert [row.seq for row in await chain_rows(db, str(municipality_id))] == [1, 2, 3]
            assert (await verify_chains(db)).intact
    finally:
        await engine.dispose()
        await databases.drop_database(name)


async def test_r_log_2_concurrent_commits_never_fork_a_chain(
    settings: Settings, data_dir: Path, clock: FrozenClock
) -> None:
    """Transactions writing to the same chains, in opposite orders, neither fork nor deadlock."""
    name = f"samplan_audit_race_{databases.worker_suffix()}"
    url = await databases.fresh_database(name, data_dir)
    engine = make_engine(url)
    try:
        await schema.upgrade(engine, settings)
        sessionmaker = make_sessionmaker(engine)
        async with sessionmaker.begin() as db:
            municipality = await make_municipality(db, clock=clock)
        owners = [municipality.id, None]

        async def writer(index: int) -> None:
            for _ in range(5):
                async with sessionmaker.begin() as db:
                    for owner in owners if index % 2 else owners[::-1]:
                        await record(db, clock, owner)
                    await asyncio.sleep(0)

        await asyncio.gather(*(writer(index) for index in range(4)))
        async with sessionmaker() as db:
            report = await verify_chains(db)
        assert report.intact
        assert [(chain.rows, chain.head_seq) for chain in report.chains] == [(20, 20)] * 2
    finally:
        await engine.dispose()
        await databases.drop_database(name)
