"""One-time invitation links: the owner (or whoever consents for them) names the parts; the
invited person logs in as themself and joins with exactly those grants. Only the token's hash
is stored, and the link works once, for 14 days."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app import access
from app.access import Actor, Permission, audit
from app.clock import Clock, today_in_oslo
from app.consents.schemas import GrantSpec, InviteByLink
from app.consents.service import (
    NO_GRANTS,
    announce_change,
    check_specs,
    join_group,
    new_grant,
)
from app.errors import InvalidInput, NotFound
from app.i18n import gettext_noop
from app.models import GrantMode, Invitation, Participant, Person, Plan, PlanPart

INVITATION_DAYS = 14
INVITATION_NOT_VALID = gettext_noop(
    "This invitation has expired, has been used or was withdrawn. Ask for a new one."
)
INVITATION_NOT_FOR_OWNER = gettext_noop("You cannot accept an invitation to your own plan.")


def hash_token(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


def parse_grants(text: str) -> list[GrantSpec]:
    """The stored form of an invitation's grants: "part:mode,part:mode"."""
    specs = []
    for pair in text.split(","):
        part, _, mode = pair.partition(":")
        specs.append(GrantSpec(part=PlanPart(part), mode=GrantMode(mode)))
    return specs


async def create_invitation(
    session: AsyncSession, actor: Actor, plan_id: uuid.UUID, data: InviteByLink, *, clock: Clock
) -> tuple[Invitation, str]:
    """A one-time link; the token is returned once and only its hash is kept."""
    plan = await access.require(session, actor, Permission.MANAGE_GRANTS, plan_id, clock=clock)
    if not data.grants:
        raise InvalidInput(NO_GRANTS, code="no_grants")
    check_specs(data.grants, today_in_oslo(clock))
    until = min((spec.valid_until for spec in data.grants if spec.valid_until), default=None)
    token = secrets.token_urlsafe(32)
    now = clock.now()
    invitation = Invitation(
        plan_id=plan.id,
        token_hash=hash_token(token),
        kind=data.kind,
        relation=data.relation.strip(),
        grants=",".join(f"{spec.part.value}:{spec.mode.value}" for spec in data.grants),
        grants_until=until,
        created_by_person_id=actor.person_id,
        created_for_person_id=plan.owner_id,
        created_at=now,
        expires_at=now + timedelta(days=INVITATION_DAYS),
    )
    session.add(invitation)
    await session.flush()
    await audit.record_done(session, actor, plan, "invitation.created", clock=clock)
    return invitation, token


async def revoke_invitation(
    session: AsyncSession,
    actor: Actor,
    plan_id: uuid.UUID,
    invitation_id: uuid.UUID,
    *,
    clock: Clock,
) -> None:
    plan = await access.require(session, actor, Permission.MANAGE_GRANTS, plan_id, clock=clock)
    invitation = await session.scalar(
        select(Invitation).where(
            Invitation.id == invitation_id,
            Invitation.plan_id == plan.id,
            Invitation.accepted_at.is_(None),
            Invitation.revoked_at.is_(None),
        )
    )
    if invitation is None:
        raise NotFound(INVITATION_NOT_VALID, code="invitation_not_found")
    invitation.revoked_at = clock.now()
    await session.flush()
    await audit.record_done(session, actor, plan, "invitation.revoked", clock=clock)


async def invitation_by_token(session: AsyncSession, token: str, *, clock: Clock) -> Invitation:
    """The invitation behind a link, if it can still be used."""
    invitation = await session.scalar(
        select(Invitation).where(Invitation.token_hash == hash_token(token))
    )
    if (
        invitation is None
        or invitation.accepted_at is not None
        or invitation.revoked_at is not None
        or invitation.expires_at <= clock.now()
    ):
        raise NotFound(INVITATION_NOT_VALID, code="invitation_not_valid")
    return invitation


async def accept_invitation(
    session: AsyncSession, actor: Actor, token: str, *, clock: Clock
) -> Participant:
    """The invited person, logged in as themself, joins with the grants the link names."""
    invitation = await invitation_by_token(session, token, clock=clock)
    plan = await session.get(Plan, invitation.plan_id)
    assert plan is not None
    if actor.person_id is None or actor.acting_for_person_id is not None:
        raise InvalidInput(INVITATION_NOT_VALID, code="invitation_needs_yourself")
    if actor.person_id == plan.owner_id:
        raise InvalidInput(INVITATION_NOT_FOR_OWNER, code="invitation_for_owner")
    person = await session.get(Person, actor.person_id)
    assert person is not None
    invitation.accepted_at = clock.now()
    invitation.accepted_by_person_id = person.id
    participant = await join_group(
        session, actor, plan, person, invitation.kind, invitation.relation, clock
    )
    for spec in parse_grants(invitation.grants):
        spec.valid_until = invitation.grants_until
        grant = new_grant(plan, participant, spec, actor, clock)
        # The consent is the inviter's, given when they made the link.
        grant.granted_by_person_id = invitation.created_by_person_id
        session.add(grant)
    await session.flush()
    await announce_change(session, actor, plan, participant, None, "invitation.accepted", clock)
    return participant
