"""After login: choose whom you act for, yourself or someone the access module lists (R-REP-4)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Form, Request
from starlette.responses import RedirectResponse, Response

from app.access import representation
from app.api.deps import ClockDep, CurrentActor, DbSession
from app.errors import InvalidInput
from app.i18n import gettext_noop
from app.sessions import service as sessions
from app.web.deps import RendererDep
from app.web.errors import render_error_page
from app.web.navigation import safe_local_path

router = APIRouter()
CHOOSE_SOMEONE = gettext_noop("Choose yourself or one of the people on the list.")


@router.get("/acting-for", name="acting_for")
async def choose(
    request: Request,
    session: DbSession,
    actor: CurrentActor,
    clock: ClockDep,
    renderer: RendererDep,
    next: str = "/",
) -> Response:
    options = await representation.people_actor_may_act_for(
        session, actor, register=request.app.state.population_register, clock=clock
    )
    if not options:  # nobody to choose: straight on
        return RedirectResponse(safe_local_path(next), status_code=303)
    return renderer.render(
        request, "auth/acting_for.html", {"options": options, "next": safe_local_path(next)}
    )


@router.post("/acting-for", name="set_acting_for")
async def set_acting_for(
    request: Request,
    session: DbSession,
    actor: CurrentActor,
    clock: ClockDep,
    person: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/",
) -> Response:
    if person == "myself":
        chosen = None
    else:
        try:
            chosen = uuid.UUID(person)
        except ValueError:
            raise InvalidInput(CHOOSE_SOMEONE, code="choose_someone") from None
    refusal = await sessions.choose_context(
        session, actor, chosen, register=request.app.state.population_register, clock=clock
    )
    if refusal is not None:
        return render_error_page(request, refusal.status, refusal.detail)
    return RedirectResponse(safe_local_path(next), status_code=303)
