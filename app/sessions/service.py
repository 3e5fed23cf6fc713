"""Server-side sessions: idle timeout, absolute lifetime, logout everywhere (oidc.md § 1.6)."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, Update, delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from app.access import audit, representation
from app.access.actors import Actor
from app.access.population_register import PopulationRegister
from app.clock import Clock
from app.errors import Forbidden, NotFound
from app.i18n import gettext_noop
from app.models import Employee, Person, Realm, UserSession
from app.sessions import browsers
from app.settings import Settings

SESSION_COOKIE = "samplan_session"
# Writing last_seen on every request would turn each read into a write; a minute is precise
# enough for a 30-minute idle timeout.
TOUCH_INTERVAL = timedelta(seconds=60)
SESSION_NOT_FOUND = gettext_noop("That session does not exist or has already ended.")
NOT_YOURS_TO_ACT_FOR = gettext_noop(
    "You cannot act for that person. Choose yourself or someone on the list."
)


# Made once: a fresh alias per call makes SQLAlchemy rebuild the statement's columns and cache key
# on every request (most of a session lookup's time).
_ActingFor = aliased(Person, name="acting_for")


def hash_token(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


async def create(
    session: AsyncSession,
    *,
    realm: Realm,
    person_id: uuid.UUID | None,
    employee_id: uuid.UUID | None,
    provider_issuer: str,
    provider_sid: str | None,
    acr: str | None,
    user_agent: str,
    settings: Settings,
    clock: Clock,
) -> str:
    """Start a session and return the token for the cookie (a fresh one: ids rotate at login)."""
    token = secrets.token_urlsafe(32)
    now = clock.now()
    session.add(
        UserSession(
            token_hash=hash_token(token),
            realm=realm,
            person_id=person_id,
            employee_id=employee_id,
            provider_issuer=provider_issuer,
            provider_sid=provider_sid,
            acr=acr,
            user_agent=browsers.summarise(user_agent),
            created_at=now,
            last_seen_at=now,
            expires_at=now + timedelta(hours=settings.session_absolute_hours),
        )
    )
    await session.flush()
    return token


async def resolve(
    session: AsyncSession, token: str, *, settings: Settings, clock: Clock
) -> Actor | None:
    """The actor behind a session cookie, or None when it is unknown, idle too long or too old."""
    row = (
        await session.execute(
            select(UserSession, Person, Employee, _ActingFor)
            .outerjoin(Person, Person.id == UserSession.person_id)
            .outerjoin(Employee, Employee.id == UserSession.employee_id)
            .outerjoin(_ActingFor, _ActingFor.id == UserSession.acting_for_person_id)
            .where(UserSession.token_hash == hash_token(token))
        )
    ).one_or_none()
    if row is None:
        return None
    user_session, person, employee, represented = row
    now = clock.now()
    idle_limit = user_session.last_seen_at + timedelta(minutes=settings.session_idle_minutes)
    if now >= user_session.expires_at or now >= idle_limit:
        await session.execute(delete(UserSession).where(UserSession.id == user_session.id))
        return None
    if now - user_session.last_seen_at >= TOUCH_INTERVAL:
        await session.execute(_touch(user_session.id, now))
    if person is not None:
        name = person.display_name.strip()
    else:
        name = employee.name if employee is not None else ""
    return Actor(
        realm=user_session.realm,
        session_id=user_session.id,
        display_name=name,
        person_id=user_session.person_id,
        employee_id=user_session.employee_id,
        municipality_id=employee.municipality_id if employee is not None else None,
        acting_for_person_id=user_session.acting_for_person_id,
        acting_for_name=represented.display_name if represented is not None else None,
        login_level=user_session.acr,
    )


def _touch(session_id: uuid.UUID, now: datetime) -> Update:
    """Mark the session as seen, unless another request is doing so right now.

    A page, its htmx requests and a websocket arrive together: each found the session due a
    touch and waited for the one before it to commit (a row lock per request, in a chain; at
    64 at once, over a second). Whoever holds the row sets the time for all of them; the rest
    skip it (SQLite has no row locks: one writer at a time, no chain to form)."""
    due = (
        select(UserSession.id)
        .where(UserSession.id == session_id, UserSession.last_seen_at <= now - TOUCH_INTERVAL)
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )
    return update(UserSession).where(UserSession.id == due).values(last_seen_at=now)


async def end(session: AsyncSession, token: str) -> UserSession | None:
    """End the session behind a cookie; returns it (for the provider logout) or None."""
    found = await session.scalar(
        select(UserSession).where(UserSession.token_hash == hash_token(token))
    )
    if found is not None:
        await session.delete(found)
        await session.flush()
    return found


async def end_by_provider_session(session: AsyncSession, *, issuer: str, sid: str) -> int:
    """Front-channel logout: end exactly the sessions the provider's `sid` names."""
    result = await session.execute(
        delete(UserSession).where(
            UserSession.provider_issuer == issuer, UserSession.provider_sid == sid
        )
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def _owned_by(actor: Actor) -> ColumnElement[bool]:
    if actor.person_id is not None:
        return UserSession.person_id == actor.person_id
    return UserSession.employee_id == actor.employee_id


async def list_for(session: AsyncSession, actor: Actor) -> Sequence[UserSession]:
    result = await session.scalars(
        select(UserSession).where(_owned_by(actor)).order_by(UserSession.last_seen_at.desc())
    )
    return result.all()


async def end_one(session: AsyncSession, actor: Actor, session_id: uuid.UUID) -> None:
    """End one of the actor's own sessions; someone else's is simply not found."""
    result = await session.execute(
        delete(UserSession).where(UserSession.id == session_id, _owned_by(actor))
    )
    if not result.rowcount:  # type: ignore[attr-defined]
        raise NotFound(SESSION_NOT_FOUND)


async def end_all(session: AsyncSession, actor: Actor) -> int:
    result = await session.execute(delete(UserSession).where(_owned_by(actor)))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def choose_context(
    session: AsyncSession,
    actor: Actor,
    person_id: uuid.UUID | None,
    *,
    register: PopulationRegister,
    clock: Clock,
) -> Forbidden | None:
    """Act as oneself (None) or for someone the access module says this person may act for.

    A refusal is returned, not raised, so its audit row commits with the request (R-LOG-1).
    """
    if person_id is not None and not await representation.may_act_for(
        session, actor, person_id, register=register, clock=clock
    ):
        await audit.record(
            session,
            action="context.choose",
            outcome="denied",
            reason="not_representative",
            clock=clock,
            actor_person_id=actor.person_id,
        )
        return Forbidden(NOT_YOURS_TO_ACT_FOR, code="not_representative")
    await session.execute(
        update(UserSession)
        .where(UserSession.id == actor.session_id)
        .values(acting_for_person_id=person_id)
    )
    # R-REP-4: who acts, and for whom, is on the record.
    await audit.record(
        session,
        action="context.choose",
        outcome="allowed",
        clock=clock,
        actor_person_id=actor.person_id,
        on_behalf_of_person_id=person_id,
    )
    return None


async def clear_context(session: AsyncSession, actor: Actor, *, clock: Clock) -> None:
    """The chosen context no longer holds (a 16th birthday, an ended fullmakt): act as oneself."""
    await session.execute(
        update(UserSession)
        .where(UserSession.id == actor.session_id)
        .values(acting_for_person_id=None)
    )
    await audit.record(
        session,
        action="context.ended",
        outcome="allowed",
        reason="no_longer_representative",
        clock=clock,
        actor_person_id=actor.person_id,
    )
