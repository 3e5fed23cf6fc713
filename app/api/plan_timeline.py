"""The plan's timeline: every change, newest first, a page at a time (keyset pagination)."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from app.api.deps import ClockDep, CurrentActor, DbSession
from app.api.plan_http import PLAN
from app.api.timeline_schemas import TimelineEntryOut, TimelineKind, TimelineOut, TimelinePersonOut
from app.timeline import service as timeline

router = APIRouter(tags=["plan"])


@router.get(PLAN + "/timeline", response_model=TimelineOut)
async def read_timeline(
    request: Request,
    response: Response,
    plan_id: uuid.UUID,
    session: DbSession,
    actor: CurrentActor,
    clock: ClockDep,
    kind: Annotated[list[TimelineKind] | None, Query()] = None,
    person: Annotated[str | None, Query(max_length=100)] = None,
    since: date | None = None,
    until: date | None = None,
    before: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=timeline.MAX_PAGE_SIZE)] = timeline.PAGE_SIZE,
) -> TimelineOut:
    """Changes you may see, newest first. Filter by `kind` (repeatable), `person` (a key from
    `people`), `since` and `until` (dates, inclusive); follow `next` (also in the Link header)
    with `?before=` for the page after."""
    filters = timeline.TimelineFilter(
        kinds=tuple(kind or ()), person=person, since=since, until=until
    )
    found = await timeline.page(
        session, actor, plan_id, clock=clock, filters=filters, before=before, limit=limit
    )
    if found.next_cursor is not None:
        following = request.url.include_query_params(before=found.next_cursor)
        response.headers["Link"] = f'<{following.path}?{following.query}>; rel="next"'
    return TimelineOut(
        entries=[
            TimelineEntryOut(
                id=view.entry.id,
                at=view.entry.at,
                kind=view.entry.kind,
                part=view.entry.part,
                item_type=view.entry.item_type,
                item_id=view.entry.item_id,
                item_version=view.entry.item_version,
                parent_type=view.entry.parent_type,
                parent_id=view.entry.parent_id,
                changes=view.entry.changes,
                who=view.who,
                unit=view.unit,
                on_behalf_of=view.on_behalf_of,
            )
            for view in found.entries
        ],
        next=found.next_cursor,
        people=[TimelinePersonOut(key=key, name=name) for key, name in found.people],
        hidden_shielded=found.hidden_shielded,
    )
