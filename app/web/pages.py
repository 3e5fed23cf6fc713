"""Public pages: the start page, about individual plans, and the accessibility statement."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import HTMLResponse

from app.municipalities import service as municipalities
from app.web.deps import DbSession, RendererDep

router = APIRouter()


@router.get("/", name="start")
async def start(request: Request, session: DbSession, renderer: RendererDep) -> HTMLResponse:
    served = await municipalities.list_municipalities(session)
    return renderer.render(request, "pages/start.html", {"municipalities": served})


@router.get("/about", name="about")
async def about(request: Request, renderer: RendererDep) -> HTMLResponse:
    return renderer.render(request, "pages/about.html")


@router.get("/accessibility", name="accessibility")
async def accessibility(request: Request, renderer: RendererDep) -> HTMLResponse:
    return renderer.render(request, "pages/accessibility.html")
