"""Audit rows for the hash-chain tests, and tampering as a DBA would do it (R-LOG-2)."""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.access import audit
from app.models import AuditEvent
from tests.factories import make_municipality
from tests.support.clock import FrozenClock


async def record(
    session: AsyncSession, clock: FrozenClock, municipality_id: uuid.UUID | None, **extra: Any
) -> None:
    values: dict[str, Any] = {"action": "plan.read", "outcome": "allowed", **extra}
    await audit.record(session, clock=clock, municipality_id=municipality_id, **values)


async def chain_rows(session: AsyncSession, chain: str) -> list[AuditEvent]:
    query = select(AuditEvent).where(AuditEvent.chain == chain).order_by(AuditEvent.seq)
    return list(await session.scalars(query))


async def three_rows(session: AsyncSession, clock: FrozenClock) -> tuple[str, list[AuditEvent]]:
    """One municipality's chain of three committed rows."""
    municipality = await make_municipality(session, clock=clock)
    for outcome in ("allowed", "denied", "allowed"):
        await record(session, clock, municipality.id, outcome=outcome)
    await session.commit()
    chain = str(municipality.id)
    return chain, await chain_rows(session, chain)


async def tamper(session: AsyncSession, statement: Any) -> None:
    """Run SQL around the app, with the append-only triggers off (a DBA's power).

    Inside the test's outer transaction the triggers come back with the rollback.
    """
    if session.bind is not None and session.bind.dialect.name == "postgresql":
        await session.execute(
            sa.text("ALTER TABLE audit_event DISABLE TRIGGER audit_event_append_only")
        )
    else:
        await session.execute(sa.text("DROP TRIGGER audit_event_append_only_update"))
        await session.execute(sa.text("DROP TRIGGER audit_event_append_only_delete"))
    await session.execute(statement.execution_options(synchronize_session=False))
    session.expunge_all()
