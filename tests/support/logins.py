"""Actors and logged-in clients for tests: one way to be someone, for every test package."""

from __future__ import annotations

import uuid

import httpx
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from app.access import ActingBasis, Actor
from app.cookies import cookie_name
from app.models import Employee, Person, Realm, UserSession
from app.sessions import service as sessions
from app.settings import Settings
from tests.support.clock import FrozenClock


def citizen(person: Person, *, acting_for: Person | None = None) -> Actor:
    """A citizen as themself, or as a guardian acting for a child."""
    return Actor(
        realm=Realm.CITIZEN,
        session_id=uuid.uuid4(),
        display_name=person.display_name,
        person_id=person.id,
        acting_for_person_id=acting_for.id if acting_for else None,
        acting_for_name=acting_for.display_name if acting_for else None,
        acting_basis=ActingBasis.PARENTAL_RESPONSIBILITY if acting_for else None,
    )


def employee(member: Employee) -> Actor:
    return Actor(
        realm=Realm.EMPLOYEE,
        session_id=uuid.uuid4(),
        display_name=member.name,
        employee_id=member.id,
        municipality_id=member.municipality_id,
    )


async def log_in_as(
    client: httpx.AsyncClient,
    session: AsyncSession,
    settings: Settings,
    clock: FrozenClock,
    actor: Actor,
) -> None:
    """Give `client` the session cookie of a fresh login as this actor, with its chosen context
    (the app confirms the context against the register and the clock on every request)."""
    token = await sessions.create(
        session,
        realm=actor.realm,
        person_id=actor.person_id,
        employee_id=actor.employee_id,
        provider_issuer="https://idp.test",
        provider_sid=None,
        acr=(actor.login_level or "idporten-loa-high") if actor.is_citizen else None,
        user_agent="pytest",
        settings=settings,
        clock=clock,
    )
    if actor.acting_for_person_id is not None:
        await session.execute(
            update(UserSession)
            .where(UserSession.token_hash == sessions.hash_token(token))
            .values(acting_for_person_id=actor.acting_for_person_id)
        )
    # Commit (a savepoint in tests): a request that fails rolls back only its own work, and
    # the denial it keeps (R-LOG-1) still finds the people and plan it names.
    await session.commit()
    client.cookies.clear()
    client.cookies.set(cookie_name(settings, sessions.SESSION_COOKIE), token)


async def log_in(
    client: httpx.AsyncClient,
    session: AsyncSession,
    settings: Settings,
    clock: FrozenClock,
    *,
    person: Person | None = None,
    staff: Employee | None = None,
    acting_for: Person | None = None,
) -> None:
    """Log in as a person (optionally acting for a child) or as an employee."""
    if person is not None:
        actor = citizen(person, acting_for=acting_for)
    else:
        assert staff is not None
        actor = employee(staff)
    await log_in_as(client, session, settings, clock, actor)
