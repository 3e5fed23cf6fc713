"""Opening an invitation link, and the welcome page at 16 (R-AGE-4)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from app.api.deps import ClockDep, CurrentActor, DbSession, OptionalActor
from app.invitations import service as invitations
from app.web.deps import RendererDep
from app.young_people import service as young_people

router = APIRouter()


@router.get("/invitations/{token}", name="invitation")
async def show_invitation(
    request: Request,
    token: str,
    session: DbSession,
    actor: OptionalActor,
    clock: ClockDep,
    renderer: RendererDep,
) -> Response:
    """What the invitation offers; log in first, then accept it as yourself."""
    invitation = await invitations.invitation_by_token(session, token, clock=clock)
    context = {
        "invitation": invitation,
        "grants": invitations.parse_grants(invitation.grants),
        "token": token,
        "logged_in": actor is not None,
    }
    return renderer.render(request, "consents/invitation.html", context)


@router.post("/invitations/{token}/accept", name="accept_invitation_form")
async def accept_invitation(
    request: Request, token: str, session: DbSession, actor: CurrentActor, clock: ClockDep
) -> Response:
    await invitations.accept_invitation(session, actor, token, clock=clock)
    return RedirectResponse(request.url_for("my_plans"), status_code=303)


@router.get("/welcome", name="welcome_in_charge")
async def welcome(
    request: Request,
    session: DbSession,
    actor: CurrentActor,
    clock: ClockDep,
    renderer: RendererDep,
) -> HTMLResponse:
    plan, pending = await young_people.grants_to_confirm(session, actor, clock=clock)
    return renderer.render(request, "consents/welcome.html", {"plan": plan, "pending": pending})


@router.post("/welcome/{plan_id}/confirm", name="confirm_grants_form")
async def confirm(
    request: Request, plan_id: uuid.UUID, session: DbSession, actor: CurrentActor, clock: ClockDep
) -> Response:
    await young_people.confirm_grants(session, actor, plan_id, clock=clock)
    return RedirectResponse(request.url_for("my_plans"), status_code=303)
