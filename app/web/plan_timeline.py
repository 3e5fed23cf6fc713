"""The plan's timeline page: every change, newest first, filtered by kind, person and period,
one page at a time (keyset: "older" carries a cursor). The entries fragment is also what a live
connection appends when something new happens (the messaging layer pushes it)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.responses import HTMLResponse

from app.api.deps import ClockDep, CurrentActor, DbSession
from app.errors import InvalidInput
from app.timeline import service as timeline
from app.web import form_values as values
from app.web.deps import RendererDep

router = APIRouter()


@router.get("/plans/{plan_id}/timeline", name="plan_timeline")
async def show(
    request: Request,
    plan_id: uuid.UUID,
    session: DbSession,
    actor: CurrentActor,
    clock: ClockDep,
    renderer: RendererDep,
    kind: Annotated[list[str] | None, Query()] = None,
    person: str | None = None,
    since: str | None = None,
    until: str | None = None,
    before: str | None = None,
) -> HTMLResponse:
    chosen = {
        "kind": [k for k in kind or [] if k in timeline.FILTERS],
        "person": person or "",
        "since": since or "",
        "until": until or "",
    }
    error = None
    try:
        filters = timeline.TimelineFilter(
            kinds=tuple(chosen["kind"]),
            person=person or None,
            since=values.optional_date(since, field="since"),
            until=values.optional_date(until, field="until"),
        )
        found = await timeline.page(
            session, actor, plan_id, clock=clock, filters=filters, before=before
        )
    except InvalidInput as problem:
        error = problem
        found = await timeline.page(session, actor, plan_id, clock=clock)
    context = {
        "page": found,
        "chosen": chosen,
        "filters": list(timeline.FILTERS),
        "error": error,
        "before": before,
    }
    status = 422 if error else 200
    return renderer.render(request, "plan/timeline.html", context, status_code=status)


@router.get("/plans/{plan_id}/timeline/entries", name="plan_timeline_entries")
async def entries(
    request: Request,
    plan_id: uuid.UUID,
    session: DbSession,
    actor: CurrentActor,
    clock: ClockDep,
    renderer: RendererDep,
    entry: Annotated[list[uuid.UUID] | None, Query(max_length=50)] = None,
) -> HTMLResponse:
    """New entries as list items, for a live page to add at the top (the messaging layer tells
    the page which ids are new; the reader sees only what they may see)."""
    found = await timeline.entries_after(session, actor, plan_id, entry or [], clock=clock)
    return renderer.render(request, "plan/_timeline_entries.html", {"entries": found})
