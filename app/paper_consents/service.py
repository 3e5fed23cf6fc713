"""Consent given on paper (R-CON-4): an employee records the signed form; it takes effect
only when another employee, or the coordinating unit, has verified it."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app import access
from app.access import Actor, Permission, audit
from app.clock import Clock, today_in_oslo
from app.consents.schemas import GrantSpec
from app.consents.service import (
    NO_GRANTS,
    announce_change,
    check_specs,
    current_participant,
    end_row,
    new_grant,
    open_grant,
)
from app.documents import service as documents
from app.errors import InvalidInput
from app.i18n import gettext_noop
from app.models import ConsentMethod, DocumentKind, Grant, Participant

SAME_EMPLOYEE = gettext_noop("Another employee must verify a paper consent you recorded.")
NOT_PAPER = gettext_noop("Only a consent given on paper needs verification.")


async def record_paper_consent(
    session: AsyncSession,
    actor: Actor,
    plan_id: uuid.UUID,
    participant_id: uuid.UUID,
    specs: Sequence[GrantSpec],
    *,
    filename: str,
    content: bytes,
    clock: Clock,
) -> list[Grant]:
    """An employee records a signed consent form; it takes effect once another verifies it."""
    plan = await access.require(
        session, actor, Permission.RECORD_PAPER_CONSENT, plan_id, clock=clock
    )
    if not specs:
        raise InvalidInput(NO_GRANTS, code="no_grants")
    check_specs(specs, today_in_oslo(clock))
    participant = await current_participant(session, plan, participant_id)
    document = await documents.store_pdf(
        session,
        municipality_id=plan.municipality_id,
        kind=DocumentKind.CONSENT_FORM,
        filename=filename,
        content=content,
        uploaded_by_employee_id=actor.employee_id,
        clock=clock,
    )
    grants = []
    for spec in specs:
        grant = new_grant(plan, participant, spec, actor, clock)
        grant.method = ConsentMethod.PAPER
        grant.granted_by_person_id = None
        grant.recorded_by_employee_id = actor.employee_id
        grant.document_id = document.id
        session.add(grant)
        grants.append(grant)
    await session.flush()
    await audit.record_done(session, actor, plan, "grant.paper_recorded", clock=clock)
    return grants


async def verify_paper_consent(
    session: AsyncSession, actor: Actor, plan_id: uuid.UUID, grant_id: uuid.UUID, *, clock: Clock
) -> Grant:
    plan = await access.require(
        session, actor, Permission.VERIFY_PAPER_CONSENT, plan_id, clock=clock
    )
    grant = await open_grant(session, plan, grant_id)
    if grant.method is not ConsentMethod.PAPER or grant.verified_at is not None:
        raise InvalidInput(NOT_PAPER, code="not_paper")
    if grant.recorded_by_employee_id == actor.employee_id:
        raise InvalidInput(SAME_EMPLOYEE, code="same_employee")
    # Replaced grants for the same part end when the verified one takes effect.
    for older in await session.scalars(
        select(Grant).where(
            Grant.participant_id == grant.participant_id,
            Grant.part == grant.part,
            Grant.ended_at.is_(None),
            Grant.id != grant.id,
        )
    ):
        end_row(older, actor, clock)
    grant.verified_at = clock.now()
    grant.verified_by_employee_id = actor.employee_id
    participant = await session.get(Participant, grant.participant_id)
    assert participant is not None
    await session.flush()
    await announce_change(session, actor, plan, participant, grant, "grant.paper_verified", clock)
    return grant
