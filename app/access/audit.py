"""Write to the audit log in the same transaction as the work it records (R-LOG-1)."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from app.clock import Clock
from app.logging_setup import correlation_id
from app.models import AuditEvent


async def record(
    session: AsyncSession,
    *,
    action: str,
    outcome: str,
    clock: Clock,
    reason: str | None = None,
    municipality_id: uuid.UUID | None = None,
    actor_person_id: uuid.UUID | None = None,
    actor_employee_id: uuid.UUID | None = None,
    on_behalf_of_person_id: uuid.UUID | None = None,
) -> None:
    session.add(
        AuditEvent(
            occurred_at=clock.now(),
            municipality_id=municipality_id,
            actor_person_id=actor_person_id,
            actor_employee_id=actor_employee_id,
            on_behalf_of_person_id=on_behalf_of_person_id,
            action=action,
            outcome=outcome,
            reason=reason,
            correlation_id=correlation_id.get(),
        )
    )
    await session.flush()
