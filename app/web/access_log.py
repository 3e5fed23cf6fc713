"""The access log page (R-LOG-3): a GET form to filter by person and period, and Newer/Older
links that carry keyset cursors. Works without JavaScript. Thin over app/access_log."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from starlette.responses import HTMLResponse

from app.access import Purpose
from app.access_log import service as access_log
from app.access_log.schemas import Shown
from app.api.deps import ClockDep, CurrentActor, DbSession
from app.errors import InvalidInput
from app.i18n import gettext_noop
from app.web.deps import RendererDep

router = APIRouter()
INVALID_DATE = gettext_noop("Write a date, for example 23.11.2026.")


@router.get("/plans/{plan_id}/access-log", name="access_log")
async def show(
    request: Request,
    plan_id: uuid.UUID,
    session: DbSession,
    actor: CurrentActor,
    clock: ClockDep,
    renderer: RendererDep,
    person: str = "",
    since: str = "",
    until: str = "",
    outcome: str = "",
    own: str = "",
    cursor: str = "",
    before: str = "",
    purpose: Purpose | None = None,
) -> HTMLResponse:
    shown = Shown.DENIED if outcome == Shown.DENIED else Shown.ALLOWED
    errors: dict[str, str] = {}
    since_day = _day(since, "since", errors)
    until_day = _day(until, "until", errors)
    if not errors:
        try:
            access_log.check_period(since_day, until_day)
        except InvalidInput as error:
            errors["until"] = error.detail
    if errors:
        # Still asked of the service: it decides who may see the form and its list of people.
        page = await access_log.entries(
            session, actor, plan_id, clock=clock, outcome=shown, purpose=purpose
        )
    else:
        page = await access_log.entries(
            session,
            actor,
            plan_id,
            clock=clock,
            person=person or None,
            since=since_day,
            until=until_day,
            outcome=shown,
            own=bool(own),
            after=cursor or None,
            before=before or None,
            purpose=purpose,
        )
    kept = {
        "person": person,
        "since": since,
        "until": until,
        "outcome": shown.value if shown is Shown.DENIED else "",
        "own": "1" if own else "",
        "purpose": purpose.value if purpose else "",
    }
    here = request.url.path
    context = {
        "plan_id": plan_id,
        "page": page,
        "errors": errors,
        "values": kept,
        "shown": shown.value,
        "filtered": bool(person or since or until),
        "own": bool(own),
        "newest_url": _link(here, kept) if cursor or before else None,
        "older_url": _link(here, kept, cursor=page.next_cursor) if page.next_cursor else None,
        "newer_url": _link(here, kept, before=page.newer_cursor) if page.newer_cursor else None,
    }
    status = 422 if errors else 200
    return renderer.render(request, "access_log/page.html", context, status_code=status)


def _day(value: str, field: str, errors: dict[str, str]) -> date | None:
    if not value:
        return None
    # A date field sends 2026-11-23; a browser without one lets people type 23.11.2026.
    try:
        return date.fromisoformat(value)
    except ValueError:
        pass
    try:
        return datetime.strptime(value, "%d.%m.%Y").date()
    except ValueError:
        errors[field] = INVALID_DATE
        return None


def _link(path: str, kept: dict[str, str], **cursors: str | None) -> str:
    query = {name: value for name, value in {**kept, **cursors}.items() if value}
    return f"{path}?{urlencode(query)}" if query else path
