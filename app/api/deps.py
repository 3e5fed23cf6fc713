"""Annotated dependencies shared by the JSON routes (style.md convention 8)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from app.clock import Clock
from app.db import get_session
from app.settings import Settings


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def _clock(request: Request) -> Clock:
    clock: Clock = request.app.state.clock
    return clock


def _engine(request: Request) -> AsyncEngine:
    engine: AsyncEngine = request.app.state.engine
    return engine


# scope="function": the commit runs before the response is sent (style.md trap 1).
DbSession = Annotated[AsyncSession, Depends(get_session, scope="function")]
SettingsDep = Annotated[Settings, Depends(_settings)]
ClockDep = Annotated[Clock, Depends(_clock)]
EngineDep = Annotated[AsyncEngine, Depends(_engine)]
