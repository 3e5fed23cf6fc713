"""Annotated dependencies shared by the page routes (mirrors app/api/deps.py)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from app.api.deps import ClockDep, DbSession, SettingsDep
from app.web.templating import Renderer


def _renderer(request: Request) -> Renderer:
    renderer: Renderer = request.app.state.renderer
    return renderer


RendererDep = Annotated[Renderer, Depends(_renderer)]

__all__ = ["ClockDep", "DbSession", "RendererDep", "SettingsDep"]
