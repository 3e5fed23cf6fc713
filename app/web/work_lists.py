"""Staff work lists as pages: /work/actions ("my actions") and /work/plans ("my plans")."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from app.api.deps import ClockDep, CurrentActor, DbSession
from app.web.deps import RendererDep
from app.work_lists import service as work_lists

router = APIRouter()


@router.get("/work/actions", name="work_actions")
async def work_actions_page(
    request: Request,
    session: DbSession,
    actor: CurrentActor,
    clock: ClockDep,
    renderer: RendererDep,
) -> Response:
    found = await work_lists.my_actions(session, actor, clock=clock)
    return renderer.render(request, "work_lists/actions.html", {"work": found})


@router.get("/work/plans", name="work_plans")
async def work_plans_page(
    request: Request,
    session: DbSession,
    actor: CurrentActor,
    clock: ClockDep,
    renderer: RendererDep,
) -> Response:
    found = await work_lists.my_plans(session, actor, clock=clock)
    return renderer.render(request, "work_lists/plans.html", {"work": found})
