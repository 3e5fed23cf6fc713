"""The plans a person may see: their own, those they act for, those they take part in."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response

from app import access
from app.api.deps import ClockDep, CurrentActor, DbSession
from app.plans import service as plans
from app.web.deps import RendererDep
from app.young_people import service as young_people

router = APIRouter()


@router.get("/plans", name="my_plans")
async def my_plans(
    request: Request,
    session: DbSession,
    actor: CurrentActor,
    clock: ClockDep,
    renderer: RendererDep,
) -> Response:
    # R-AGE-4: on and after the 16th birthday, the young person first sees what changed.
    plan, pending = await young_people.grants_to_confirm(session, actor, clock=clock)
    if plan is not None and pending:
        return RedirectResponse(request.url_for("welcome_in_charge"), status_code=303)
    found = await plans.visible_plans(session, actor, clock=clock)
    desk = await access.municipality_capabilities(session, actor)
    return renderer.render(request, "plans/list.html", {"plans": found, "desk": desk})
