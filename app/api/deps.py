"""Annotated dependencies shared by the JSON routes (style.md convention 8)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from app.access import representation
from app.access.actors import Actor
from app.access.population_register import PopulationRegister
from app.clock import Clock
from app.cookies import read_cookie
from app.db import get_session
from app.errors import NotAuthenticated
from app.i18n import gettext_noop
from app.people.pid_vault import PidVault
from app.sessions import service as sessions
from app.sessions.service import SESSION_COOKIE
from app.settings import Settings

LOGIN_REQUIRED = gettext_noop("You need to log in to see this.")


async def load_actor(request: Request, session: AsyncSession) -> Actor | None:
    """The actor behind the session cookie, resolved once per request (or None)."""
    if getattr(request.state, "actor_loaded", False):
        cached: Actor | None = request.state.actor
        return cached
    token = read_cookie(request, SESSION_COOKIE)
    actor = None
    if token:
        clock = request.app.state.clock
        actor = await sessions.resolve(
            session, token, settings=request.app.state.settings, clock=clock
        )
        if actor is not None and actor.acting_for_person_id is not None:
            actor = await representation.confirm_context(
                session, actor, register=request.app.state.population_register, clock=clock
            )
            if actor.context_ended_for is not None:
                await sessions.clear_context(session, actor, clock=clock)
    request.state.actor = actor
    request.state.actor_loaded = True
    return actor


async def _optional_actor(request: Request, session: DbSession) -> Actor | None:
    return await load_actor(request, session)


async def _current_actor(request: Request, session: DbSession) -> Actor:
    actor = await load_actor(request, session)
    if actor is None:
        raise NotAuthenticated(LOGIN_REQUIRED)
    return actor


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def _clock(request: Request) -> Clock:
    clock: Clock = request.app.state.clock
    return clock


def _engine(request: Request) -> AsyncEngine:
    engine: AsyncEngine = request.app.state.engine
    return engine


def _register(request: Request) -> PopulationRegister:
    register: PopulationRegister = request.app.state.population_register
    return register


def _vault(request: Request) -> PidVault:
    vault: PidVault = request.app.state.pid_vault
    return vault


# scope="function": the commit runs before the response is sent (style.md trap 1).
DbSession = Annotated[AsyncSession, Depends(get_session, scope="function")]
SettingsDep = Annotated[Settings, Depends(_settings)]
ClockDep = Annotated[Clock, Depends(_clock)]
EngineDep = Annotated[AsyncEngine, Depends(_engine)]
OptionalActor = Annotated[Actor | None, Depends(_optional_actor)]
CurrentActor = Annotated[Actor, Depends(_current_actor)]
RegisterDep = Annotated[PopulationRegister, Depends(_register)]
VaultDep = Annotated[PidVault, Depends(_vault)]
