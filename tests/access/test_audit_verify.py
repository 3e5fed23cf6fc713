"""The verifier finds the first broken link of each audit chain (R-LOG-2).

Tampering is simulated as a DBA would do it: SQL around the app, on PostgreSQL with the
append-only trigger switched off first (tests/support/audit_rows.py).
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import delete, update
from sqlalchemy.ext.asyncio import AsyncSession

from app import cli, schema
from app.access.audit_verify import verify_chains
from app.db import make_engine, make_sessionmaker
from app.models import AuditEvent
from app.settings import Environment, Settings
from tests.factories import make_municipality
from tests.support import databases
from tests.support.audit_rows import chain_rows, record, tamper, three_rows
from tests.support.clock import FrozenClock


async def test_r_log_2_an_intact_log_verifies(session: AsyncSession, clock: FrozenClock) -> None:
    chain, rows = await three_rows(session, clock)
    report = await verify_chains(session)
    assert report.intact
    (only,) = report.chains
    assert (only.chain, only.rows, only.head_seq, only.head_hash) == (chain, 3, 3, rows[2].row_hash)


async def test_r_log_2_a_changed_outcome_is_found_at_that_row(
    session: AsyncSession, clock: FrozenClock
) -> None:
    chain, rows = await three_rows(session, clock)
    await tamper(
        session, update(AuditEvent).where(AuditEvent.id == rows[1].id).values(outcome="allowed")
    )

    report = await verify_chains(session)
    assert not report.intact
    (broken,) = report.broken
    assert (broken.chain, broken.seq, broken.row_id) == (chain, 2, rows[1].id)
    assert "content" in broken.problem


async def test_r_log_2_a_deleted_middle_row_is_found(
    session: AsyncSession, clock: FrozenClock
) -> None:
    chain, rows = await three_rows(session, clock)
    await tamper(session, delete(AuditEvent).where(AuditEvent.id == rows[1].id))

    (broken,) = (await verify_chains(session)).broken
    assert (broken.chain, broken.seq, broken.row_id) == (chain, 3, rows[2].id)
    assert "missing" in broken.problem


async def test_r_log_2_a_deleted_last_row_is_found_at_the_head(
    session: AsyncSession, clock: FrozenClock
) -> None:
    chain, rows = await three_rows(session, clock)
    await tamper(session, delete(AuditEvent).where(AuditEvent.id == rows[2].id))

    (broken,) = (await verify_chains(session)).broken
    assert (broken.chain, broken.seq, broken.row_id) == (chain, None, None)
    assert "head says seq 3" in broken.problem


async def test_r_log_2_a_change_to_a_new_column_is_found(
    session: AsyncSession, clock: FrozenClock
) -> None:
    _, rows = await three_rows(session, clock)
    await tamper(session, update(AuditEvent).where(AuditEvent.seq == 1).values(item_type="x"))

    (broken,) = (await verify_chains(session)).broken
    assert (broken.seq, broken.row_id) == (1, rows[0].id)


async def test_r_log_2_only_the_broken_chain_is_reported(
    session: AsyncSession, clock: FrozenClock
) -> None:
    chain, rows = await three_rows(session, clock)
    await record(session, clock, None)
    await session.commit()
    await tamper(session, delete(AuditEvent).where(AuditEvent.id == rows[0].id))

    report = await verify_chains(session)
    assert [link.chain for link in report.broken] == [chain]
    assert (report.broken[0].seq, report.broken[0].row_id) == (2, rows[1].id)
    assert len(report.chains) == 2


# --- samplan audit verify ---------------------------------------------------------------------


def test_r_log_2_samplan_audit_verify_exit_codes(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # A plain test: the command runs its own event loop, as it does from a shell.
    name = f"samplan_audit_cli_{databases.worker_suffix()}"
    url = asyncio.run(databases.fresh_database(name, data_dir))
    settings = Settings(env=Environment.TEST, database_url=url, data_dir=data_dir)
    monkeypatch.setenv("SAMPLAN_DATABASE_URL", url)
    monkeypatch.setenv("SAMPLAN_ENV", "test")
    try:
        tampered_id = asyncio.run(_cli_database(settings))
        assert cli.main(["audit", "verify"]) == 0
        output = capsys.readouterr().out
        assert output.startswith("audit log intact: 2 chains, 3 rows\n")
        assert output.count("head: chain ") == 2

        asyncio.run(_cli_tamper(url, tampered_id))
        assert cli.main(["audit", "verify"]) == 1
        output = capsys.readouterr().out
        assert f"seq 2, row {tampered_id}: row_hash does not match" in output
    finally:
        asyncio.run(databases.drop_database(name))


async def _cli_database(settings: Settings) -> uuid.UUID:
    """A migrated database with two chains and three committed rows; returns the one to tamper."""
    clock = FrozenClock(datetime(2026, 11, 23, 10, tzinfo=UTC))
    engine = make_engine(settings.resolved_database_url)
    try:
        await schema.upgrade(engine, settings)
        async with make_sessionmaker(engine).begin() as db:
            municipality = await make_municipality(db, clock=clock)
            for owner in (municipality.id, municipality.id, None):
                await record(db, clock, owner)
        async with make_sessionmaker(engine)() as db:
            return (await chain_rows(db, str(municipality.id)))[1].id
    finally:
        await engine.dispose()


async def _cli_tamper(url: str, row_id: uuid.UUID) -> None:
    engine = make_engine(url)
    try:
        async with make_sessionmaker(engine).begin() as db:
            await tamper(db, update(AuditEvent).where(AuditEvent.id == row_id).values(reason="x"))
    finally:
        await engine.dispose()
