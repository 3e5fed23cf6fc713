"""Writes retried with the same key are stored once (R-SAFE-3, quality.md R3).

The key is claimed in the same transaction as the write it guards, by inserting its row first:
a second request with the same key, at the same moment, waits on the unique index and then
finds the first one's stored answer; a later retry finds it at once. Either way both get the
same answer and there is one row.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.access import Actor
from app.clock import Clock
from app.errors import Conflict, InvalidInput
from app.i18n import gettext_noop
from app.models import IdempotentWrite

KEEP_FOR = timedelta(days=2)
MAX_KEY_LENGTH = 100
BAD_KEY = gettext_noop("The Idempotency-Key must be 1 to 100 visible characters.")
KEY_REUSED = gettext_noop("This Idempotency-Key was already used for a different request.")
IN_PROGRESS = gettext_noop("The same request is still being handled. Try again in a moment.")


@dataclass(frozen=True)
class Outcome:
    status: int
    result: dict[str, Any]
    replayed: bool


def actor_key(actor: Actor) -> str:
    return f"employee:{actor.employee_id}" if actor.employee_id else f"person:{actor.person_id}"


def check_key(key: str) -> str:
    if not 0 < len(key) <= MAX_KEY_LENGTH or not key.isprintable() or key != key.strip():
        raise InvalidInput(BAD_KEY, code="bad_idempotency_key")
    return key


async def once(
    session: AsyncSession,
    actor: Actor,
    key: str | None,
    request: str,
    write: Callable[[], Awaitable[tuple[int, dict[str, Any]]]],
    *,
    clock: Clock,
) -> Outcome:
    """Run `write` unless this actor already did the same request with this key; `request`
    names what the key is for ("POST /plans/<id>/goals"). `write` returns (status, result)."""
    if key is None:
        status, result = await write()
        return Outcome(status, result, replayed=False)
    check_key(key)
    who = actor_key(actor)
    stored = await _stored(session, who, key)
    if stored is not None:
        return _replay(stored, request)
    claim = IdempotentWrite(
        actor=who, key=key, request=request[:300], status=0, result={}, created_at=clock.now()
    )
    # The claim and the write stand or fall together: the pages show a refused form and commit
    # the rest of the request, which must keep neither half a write nor a claim that would
    # answer every retry with "still being handled".
    attempt = await session.begin_nested()
    try:
        session.add(claim)
        await session.flush()
    except IntegrityError:
        await attempt.rollback()
        # Someone else claimed it meanwhile; by now they have committed (or rolled back).
        stored = await _stored(session, who, key)
        if stored is None:
            raise Conflict(IN_PROGRESS, code="idempotency_in_progress") from None
        return _replay(stored, request)
    try:
        status, result = await write()
        claim.status, claim.result = status, result
        await session.flush()
    except BaseException:
        await attempt.rollback()
        raise
    await attempt.commit()
    return Outcome(status, result, replayed=False)


async def _stored(session: AsyncSession, who: str, key: str) -> IdempotentWrite | None:
    return await session.scalar(
        select(IdempotentWrite)
        .where(IdempotentWrite.actor == who, IdempotentWrite.key == key)
        .execution_options(populate_existing=True)
    )


def _replay(stored: IdempotentWrite, request: str) -> Outcome:
    if stored.request != request[:300]:
        raise InvalidInput(KEY_REUSED, code="idempotency_key_reused")
    if stored.status == 0:
        raise Conflict(IN_PROGRESS, code="idempotency_in_progress")
    return Outcome(stored.status, stored.result, replayed=True)


async def forget_old(session: AsyncSession, *, clock: Clock) -> int:
    """Drop keys older than KEEP_FOR (a retry comes within seconds, not days)."""
    result = await session.execute(
        delete(IdempotentWrite).where(IdempotentWrite.created_at < clock.now() - KEEP_FOR)
    )
    return int(getattr(result, "rowcount", 0) or 0)
