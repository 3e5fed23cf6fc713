"""GET /api/v1/plans/{plan_id}/access-log: the owner's access log (R-LOG-3), in plain words."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Request

from app.access import Purpose
from app.access_log import service as access_log
from app.access_log.entry import Entry, Who
from app.access_log.schemas import (
    AccessLogEntryOut,
    AccessLogOut,
    AccessLogPersonOut,
    Shown,
    WhoOut,
)
from app.api.deps import ClockDep, CurrentActor, DbSession
from app.i18n import gettext_noop, language_of, translations

router = APIRouter(tags=["access log"])
YOU = gettext_noop("you")


@router.get(
    "/plans/{plan_id}/access-log",
    response_model=AccessLogOut,
    responses={
        401: {"description": "Not logged in"},
        403: {"description": "May see the plan, but not its access log"},
        404: {"description": "No such plan, or the actor may not know it exists"},
        422: {"description": "A malformed cursor, person key, period or limit"},
    },
)
async def read_access_log(
    request: Request,
    plan_id: uuid.UUID,
    session: DbSession,
    actor: CurrentActor,
    clock: ClockDep,
    person: Annotated[str | None, Query(max_length=40, description='"p:<uuid>" or "e:<uuid>"')] = (
        None
    ),
    since: Annotated[date | None, Query(description="From this Oslo date, inclusive")] = None,
    until: Annotated[date | None, Query(description="To this Oslo date, inclusive")] = None,
    outcome: Shown = Shown.ALLOWED,
    own: Annotated[bool, Query(description="Include what you did yourself")] = False,
    cursor: Annotated[str | None, Query(max_length=200, description="Older than this")] = None,
    before: Annotated[str | None, Query(max_length=200, description="Newer than this")] = None,
    limit: Annotated[int, Query(ge=1, le=access_log.MAX_LIMIT)] = access_log.DEFAULT_LIMIT,
    purpose: Annotated[
        Purpose | None, Query(description="The coordinating unit: audit_duty")
    ] = None,
) -> AccessLogOut:
    """Who used the plan, when, on whose behalf and what they did, newest first."""
    page = await access_log.entries(
        session,
        actor,
        plan_id,
        clock=clock,
        person=person,
        since=since,
        until=until,
        outcome=outcome,
        own=own,
        after=cursor,
        before=before,
        limit=limit,
        purpose=purpose,
    )
    gettext = translations(language_of(request)).gettext
    return AccessLogOut(
        entries=[_entry_out(entry, gettext) for entry in page.entries],
        next_cursor=page.next_cursor,
        newer_cursor=page.newer_cursor,
        people=[
            AccessLogPersonOut(key=who.key or "", kind=who.kind, name=who.name, units=[*who.units])
            for who in page.people
        ],
        hidden_shielded=page.hidden_shielded,
    )


def _entry_out(entry: Entry, gettext: Callable[[str], str]) -> AccessLogEntryOut:
    return AccessLogEntryOut(
        id=entry.id,
        occurred_at=entry.occurred_at,
        who=_who_out(entry.who, gettext),
        on_behalf_of=gettext(YOU) if entry.on_behalf_of_you else entry.on_behalf_of,
        what=gettext(entry.what),
        outcome="refused" if entry.refused else "allowed",
        purpose=gettext(entry.purpose) if entry.purpose else None,
    )


def _who_out(who: Who, gettext: Callable[[str], str]) -> WhoOut:
    return WhoOut(
        key=who.key,
        kind=who.kind,
        name=who.name,
        units=[*who.units],
        role=gettext(who.role) if who.role else None,
    )
