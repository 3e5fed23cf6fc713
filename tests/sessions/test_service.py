"""Server-side sessions: idle 30 minutes, absolute 12 hours, revocable (oidc.md § 8 case 25)."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from app.db import make_sessionmaker
from app.errors import NotFound
from app.models import Person, Realm, UserSession
from app.sessions import service as sessions
from app.settings import Settings
from tests.factories import make_person
from tests.support.clock import FrozenClock


async def _login(
    session: AsyncSession, settings: Settings, clock: FrozenClock, person: Person, sid: str = "s1"
) -> str:
    return await sessions.create(
        session,
        realm=Realm.CITIZEN,
        person_id=person.id,
        employee_id=None,
        provider_issuer="https://idp.example",
        provider_sid=sid,
        acr="idporten-loa-high",
        user_agent="Firefox",
        settings=settings,
        clock=clock,
    )


async def test_a_session_token_resolves_to_its_person_and_only_its_hash_is_stored(
    session: AsyncSession, settings: Settings, clock: FrozenClock
) -> None:
    person = await make_person(session, clock=clock, given_name="Kari", family_name="Nordmann")
    token = await _login(session, settings, clock, person)
    actor = await sessions.resolve(session, token, settings=settings, clock=clock)
    assert actor is not None and actor.person_id == person.id
    assert actor.display_name == "Kari Nordmann"
    stored = (await session.scalars(select(UserSession))).one()
    assert token.encode() not in stored.token_hash and stored.token_hash == sessions.hash_token(
        token
    )


async def test_a_session_idle_for_30_minutes_is_gone(
    session: AsyncSession, settings: Settings, clock: FrozenClock
) -> None:
    token = await _login(session, settings, clock, await make_person(session, clock=clock))
    clock.advance(timedelta(minutes=29, seconds=59))
    assert await sessions.resolve(session, token, settings=settings, clock=clock) is not None
    clock.advance(timedelta(minutes=30))
    assert await sessions.resolve(session, token, settings=settings, clock=clock) is None
    assert (await session.scalars(select(UserSession))).all() == []


async def test_activity_keeps_a_session_alive_but_never_past_12_hours(
    session: AsyncSession, settings: Settings, clock: FrozenClock
) -> None:
    token = await _login(session, settings, clock, await make_person(session, clock=clock))
    for _ in range(47):  # active every 15 minutes for 11 h 45 min
        clock.advance(timedelta(minutes=15))
        assert await sessions.resolve(session, token, settings=settings, clock=clock) is not None
    clock.advance(timedelta(minutes=15))
    assert await sessions.resolve(session, token, settings=settings, clock=clock) is None


async def test_an_unknown_token_is_nobody(
    session: AsyncSession, settings: Settings, clock: FrozenClock
) -> None:
    assert await sessions.resolve(session, "made-up", settings=settings, clock=clock) is None


async def test_case_23_front_channel_logout_ends_only_the_named_provider_session(
    session: AsyncSession, settings: Settings, clock: FrozenClock
) -> None:
    person = await make_person(session, clock=clock)
    first = await _login(session, settings, clock, person, sid="sid-a")
    second = await _login(session, settings, clock, person, sid="sid-b")
    ended = await sessions.end_by_provider_session(
        session, issuer="https://idp.example", sid="sid-a"
    )
    assert ended == 1
    assert await sessions.resolve(session, first, settings=settings, clock=clock) is None
    assert await sessions.resolve(session, second, settings=settings, clock=clock) is not None
    assert (
        await sessions.end_by_provider_session(session, issuer="https://other.example", sid="sid-b")
        == 0
    )


async def test_a_person_lists_and_ends_their_own_sessions_but_not_anyone_elses(
    session: AsyncSession, settings: Settings, clock: FrozenClock
) -> None:
    me = await make_person(session, clock=clock, serial=1)
    other = await make_person(session, clock=clock, serial=2)
    mine = await _login(session, settings, clock, me)
    await _login(session, settings, clock, me, sid="s2")
    theirs = await _login(session, settings, clock, other)
    actor = await sessions.resolve(session, mine, settings=settings, clock=clock)
    assert actor is not None
    assert len(await sessions.list_for(session, actor)) == 2
    their_actor = await sessions.resolve(session, theirs, settings=settings, clock=clock)
    assert their_actor is not None
    with pytest.raises(NotFound):
        await sessions.end_one(session, actor, their_actor.session_id)
    with pytest.raises(NotFound):
        await sessions.end_one(session, actor, uuid.uuid4())
    assert await sessions.end_all(session, actor) == 2
    assert await sessions.resolve(session, theirs, settings=settings, clock=clock) is not None


async def test_requests_that_come_together_do_not_queue_to_mark_the_session_seen(
    engine: AsyncEngine, settings: Settings, clock: FrozenClock
) -> None:
    """A page, its htmx requests and its websocket arrive at once, each finding the session due
    a touch. On PostgreSQL the second must not wait for the first to commit (it did, in a chain:
    over a second at 64 at once). SQLite lets one writer in at a time, so there the second comes
    after the first."""
    sessions_ = make_sessionmaker(engine)
    overlap = engine.dialect.name == "postgresql"
    async with sessions_.begin() as db:
        person = await make_person(db, clock=clock)
        token = await _login(db, settings, clock, person)
    clock.advance(sessions.TOUCH_INTERVAL)
    try:
        async with sessions_.begin() as first:
            assert await sessions.resolve(first, token, settings=settings, clock=clock)
            if overlap:  # the first holds the row, uncommitted
                async with sessions_.begin() as second:
                    found = await asyncio.wait_for(
                        sessions.resolve(second, token, settings=settings, clock=clock), 2.0
                    )
                    assert found is not None and found.person_id == person.id
        if not overlap:
            async with sessions_.begin() as second:
                assert await sessions.resolve(second, token, settings=settings, clock=clock)
        async with sessions_() as db:
            seen = await db.scalar(
                select(UserSession.last_seen_at).where(
                    UserSession.token_hash == sessions.hash_token(token)
                )
            )
        assert seen == clock.now()
    finally:
        async with sessions_.begin() as db:
            await db.execute(delete(UserSession).where(UserSession.person_id == person.id))
            await db.execute(delete(Person).where(Person.id == person.id))
