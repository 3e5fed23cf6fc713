"""The plan's timeline: every change in one chronological feed, with who did it and for whom.

`record` is called by every service that changes a plan, in the same transaction as the change.
`page` reads the feed newest first with keyset pagination (quality.md P7), only the parts the
reader may read, without items shielded from them (R-AGE-2).
"""

from __future__ import annotations

import base64
import binascii
import itertools
import secrets
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, or_, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from app import access
from app.access import Actor, Permission
from app.access.plan_access import PlanAccess
from app.clock import OSLO, Clock
from app.errors import InvalidInput
from app.i18n import gettext_noop
from app.models import Plan, TimelineEntry
from app.plan_items.names import Names, load_names
from app.timeline.events import PlanChanged, announce

Actors = tuple[uuid.UUID | None, uuid.UUID | None]  # (person, employee) who made changes
PAGE_SIZE = 30
MAX_PAGE_SIZE = 100
BAD_CURSOR = gettext_noop("The link to this page of the timeline is not valid. Start again.")
BAD_PERIOD = gettext_noop("The period cannot end before it starts.")
UNKNOWN_KIND = gettext_noop("Choose what to show from the list.")

# The part of the plan each kind of item belongs to: readers see the parts they may read.
PART_OF = {
    "life_situation": "life_situation",
    "goal": "goals_actions",
    "review": "goals_actions",
    "action": "goals_actions",
    "contribution": "goals_actions",
    "cooperation": "goals_actions",
    "sub_plan": "goals_actions",
    "note": "notes",
    "plan": "plan",
    "participant": "group",
    "grant": "group",
    "meeting": "meetings",
    "document": "documents",
    "thread": "messages",
    "message": "messages",
}
# Filter choices on the timeline page, and the item types each covers.
FILTERS = {
    "goals": ("goal", "review"),
    "actions": ("action",),
    "notes": ("note",),
    "own_words": ("life_situation",),
    "frame": ("plan", "contribution", "cooperation", "sub_plan"),
    "people": ("participant", "grant"),
    "messages": ("thread", "message"),
}


_sequence = itertools.count()


def ordered_id(at: datetime) -> uuid.UUID:
    """An id that sorts by time, then by order of writing in this process, so that changes made
    in the same instant (one request, or a stopped test clock) keep their order on the timeline.
    64 bits of microseconds, 16 of sequence, 48 random."""
    micros = int(at.timestamp() * 1_000_000)
    return uuid.UUID(int=(micros << 64) | ((next(_sequence) & 0xFFFF) << 48) | secrets.randbits(48))


async def record(
    session: AsyncSession,
    actor: Actor,
    plan: Plan,
    *,
    kind: str,
    item_type: str,
    item_id: uuid.UUID | None,
    clock: Clock,
    item_version: int | None = None,
    changes: dict[str, Any] | None = None,
    parent: tuple[str, uuid.UUID] | None = None,
    unit_id: uuid.UUID | None = None,
) -> TimelineEntry:
    """One change, written with the change itself and announced after commit."""
    at = clock.now()
    entry = TimelineEntry(
        id=ordered_id(at),
        plan_id=plan.id,
        at=at,
        kind=kind,
        part=PART_OF[item_type],
        item_type=item_type,
        item_id=item_id,
        item_version=item_version,
        parent_type=parent[0] if parent else None,
        parent_id=parent[1] if parent else None,
        changes=changes or {},
        actor_person_id=actor.person_id,
        actor_employee_id=actor.employee_id,
        on_behalf_of_person_id=actor.acting_for_person_id,
        actor_unit_id=unit_id,
    )
    session.add(entry)
    await announce(session, PlanChanged(plan.id, entry.id, kind, entry.part))
    return entry


@dataclass(frozen=True)
class TimelineFilter:
    kinds: tuple[str, ...] = ()  # keys of FILTERS
    person: str | None = None  # "person:<uuid>" or "employee:<uuid>"
    since: date | None = None
    until: date | None = None

    def check(self) -> None:
        unknown = [kind for kind in self.kinds if kind not in FILTERS]
        if unknown:
            raise InvalidInput(UNKNOWN_KIND, code="unknown_kind", field="kind")
        if self.since and self.until and self.until < self.since:
            raise InvalidInput(BAD_PERIOD, code="end_before_start", field="until")


@dataclass(frozen=True)
class EntryView:
    entry: TimelineEntry
    who: str
    unit: str | None
    on_behalf_of: str | None


@dataclass(frozen=True)
class TimelinePage:
    plan: Plan
    entries: list[EntryView]
    next_cursor: str | None
    people: list[tuple[str, str]] = field(default_factory=list)  # (visitor key, name) filters
    # Entries the young person has shielded from this reader exist, so the page says that
    # something is not shown (R-AGE-2), as the plan page does.
    hidden_shielded: bool = False


def encode_cursor(entry: TimelineEntry) -> str:
    raw = f"{entry.at.isoformat()}|{entry.id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, uuid.UUID]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        at, entry_id = raw.split("|")
        moment = datetime.fromisoformat(at)
        if moment.tzinfo is None:  # not one this module wrote; the database refuses it
            raise ValueError("naive cursor")
        return moment, uuid.UUID(entry_id)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise InvalidInput(BAD_CURSOR, code="bad_cursor", field="before") from None


def visible_to(opened: PlanAccess) -> ColumnElement[bool]:
    """The entries this reader may see: readable parts, nothing shielded from them."""
    condition: ColumnElement[bool] = TimelineEntry.part.in_(sorted(opened.readable_parts()))
    hidden = sorted({item_id for _type, item_id in opened.hidden})
    if hidden:
        condition = and_(
            condition,
            or_(TimelineEntry.item_id.is_(None), TimelineEntry.item_id.not_in(hidden)),
            or_(TimelineEntry.parent_id.is_(None), TimelineEntry.parent_id.not_in(hidden)),
        )
    return condition


async def hides_entries(session: AsyncSession, opened: PlanAccess) -> bool:
    """Whether the timeline has entries this reader could read but for shielding (R-AGE-2):
    only then is the reader told that something is not shown. Filters do not count."""
    hidden = sorted({item_id for _type, item_id in opened.hidden})
    if not hidden:
        return False
    found = await session.scalar(
        select(TimelineEntry.id)
        .where(
            TimelineEntry.plan_id == opened.plan.id,
            TimelineEntry.part.in_(sorted(opened.readable_parts())),
            or_(TimelineEntry.item_id.in_(hidden), TimelineEntry.parent_id.in_(hidden)),
        )
        .limit(1)
    )
    return found is not None


def _filtered(query: Any, filters: TimelineFilter) -> Any:
    if filters.kinds:
        types = sorted({t for kind in filters.kinds for t in FILTERS.get(kind, ())})
        query = query.where(TimelineEntry.item_type.in_(types))
    if filters.person:
        kind, _, raw_id = filters.person.partition(":")
        try:
            who = uuid.UUID(raw_id)
        except ValueError:
            who = uuid.UUID(int=0)  # an unknown person matches nothing
        column = (
            TimelineEntry.actor_employee_id if kind == "employee" else TimelineEntry.actor_person_id
        )
        query = query.where(column == who)
    if filters.since:
        query = query.where(TimelineEntry.at >= datetime.combine(filters.since, time(), OSLO))
    if filters.until:
        end = datetime.combine(filters.until + timedelta(days=1), time(), OSLO)
        query = query.where(TimelineEntry.at < end)
    return query


async def page(
    session: AsyncSession,
    actor: Actor,
    plan_id: uuid.UUID,
    *,
    clock: Clock,
    filters: TimelineFilter | None = None,
    before: str | None = None,
    limit: int = PAGE_SIZE,
) -> TimelinePage:
    """One page of the timeline, newest first, from `before` (a cursor) on."""
    filters = filters or TimelineFilter()
    filters.check()
    opened = await access.open_plan(session, actor, plan_id, clock=clock)
    await access.check(session, actor, opened, Permission.SEE_PLAN, clock=clock)
    limit = max(1, min(limit, MAX_PAGE_SIZE))
    query = select(TimelineEntry).where(TimelineEntry.plan_id == plan_id, visible_to(opened))
    query = _filtered(query, filters)
    if before:
        at, entry_id = decode_cursor(before)
        query = query.where(tuple_(TimelineEntry.at, TimelineEntry.id) < tuple_(at, entry_id))
    query = query.order_by(TimelineEntry.at.desc(), TimelineEntry.id.desc()).limit(limit + 1)
    rows = list((await session.scalars(query)).all())
    more = len(rows) > limit
    rows = rows[:limit]
    actor_rows = (
        await session.execute(
            select(TimelineEntry.actor_person_id, TimelineEntry.actor_employee_id)
            .where(TimelineEntry.plan_id == plan_id, visible_to(opened))
            .distinct()
        )
    ).all()
    actors = [(person_id, employee_id) for person_id, employee_id in actor_rows]
    names = await _names(session, opened, rows, actors)
    await access.audit.record_done(session, actor, opened.plan, "timeline.read", clock=clock)
    return TimelinePage(
        plan=opened.plan,
        entries=[_view(row, names) for row in rows],
        next_cursor=encode_cursor(rows[-1]) if more and rows else None,
        people=_people(names, actors),
        hidden_shielded=await hides_entries(session, opened),
    )


async def entries_after(
    session: AsyncSession,
    actor: Actor,
    plan_id: uuid.UUID,
    entry_ids: list[uuid.UUID],
    *,
    clock: Clock,
) -> list[EntryView]:
    """The named new entries that this reader may see (for live updates), oldest first."""
    opened = await access.open_plan(session, actor, plan_id, clock=clock)
    await access.check(session, actor, opened, Permission.SEE_PLAN, clock=clock)
    rows = list(
        (
            await session.scalars(
                select(TimelineEntry)
                .where(
                    TimelineEntry.plan_id == plan_id,
                    TimelineEntry.id.in_(entry_ids),
                    visible_to(opened),
                )
                .order_by(TimelineEntry.at, TimelineEntry.id)
            )
        ).all()
    )
    names = await _names(session, opened, rows)
    return [_view(row, names) for row in rows]


async def _names(
    session: AsyncSession,
    opened: PlanAccess,
    rows: list[TimelineEntry],
    actors: Sequence[Actors] = (),
) -> Names:
    return await load_names(
        session,
        people=[r.actor_person_id for r in rows]
        + [r.on_behalf_of_person_id for r in rows]
        + [person_id for person_id, _ in actors]
        + [opened.plan.owner_id],
        employees=[r.actor_employee_id for r in rows] + [employee_id for _, employee_id in actors],
        units=[r.actor_unit_id for r in rows],
    )


def _view(entry: TimelineEntry, names: Names) -> EntryView:
    return EntryView(
        entry=entry,
        who=names.author(entry.actor_person_id, entry.actor_employee_id),
        unit=names.unit(entry.actor_unit_id),
        on_behalf_of=names.person(entry.on_behalf_of_person_id),
    )


def _people(names: Names, actors: Sequence[Actors]) -> list[tuple[str, str]]:
    """The people who made the plan's visible changes, for the "who" filter."""
    person_ids = {person_id for person_id, _ in actors if person_id}
    employee_ids = {employee_id for _, employee_id in actors if employee_id}
    people = [(f"person:{pid}", name) for pid, name in names.people.items() if pid in person_ids]
    people += [
        (f"employee:{eid}", name) for eid, name in names.employees.items() if eid in employee_ids
    ]
    return sorted(people, key=lambda pair: pair[1])
