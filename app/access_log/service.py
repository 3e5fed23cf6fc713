"""The owner's access log (R-LOG-3): who used the plan, when, on whose behalf, in plain words.

Reads the plan's audit rows newest first, a page at a time by keyset on (occurred_at, id), so
page 1,000 costs what page 1 does (quality.md P7). A page takes a fixed number of queries
whatever its length (P8): the access decision, the people in the log, their units, the page,
and for a guardian of a 12-15-year-old one more to know whether anything was held back.

R-AGE-2: someone who is only a guardian of a 12-15-year-old never sees rows about an item the
child has shielded, not even who touched it or when; the page says once that something is not
shown. Whether anything is held back is answered for the whole log, not the filtered view, so
narrowing the period cannot reveal when a shielded item was used.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, literal, or_, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from app import access
from app.access import Actor, Permission, Purpose, Role
from app.access_log.cursor import Cursor
from app.access_log.entry import (
    REFUSED,
    Entry,
    UnitsByEmployee,
    Who,
    entry_of,
    full_name,
    person_in_log,
)
from app.access_log.schemas import Shown
from app.clock import OSLO, Clock
from app.errors import InvalidInput
from app.i18n import gettext_noop
from app.models import (
    AuditEvent,
    Employee,
    Person,
    ShieldedItem,
    Unit,
    UnitMembership,
)

DEFAULT_LIMIT = 50
MAX_LIMIT = 200

BOTH_CURSORS = gettext_noop("Ask for older or for newer entries, not both at once.")
INVALID_PERSON = gettext_noop("Choose someone from the list, or everyone.")
INVALID_PERIOD = gettext_noop("The from date must be on or before the to date.")
INVALID_LIMIT = gettext_noop("Ask for between 1 and 200 entries at a time.")

_ActorPerson = aliased(Person, name="actor_person")
_OnBehalfOf = aliased(Person, name="on_behalf_of")


@dataclass(frozen=True)
class Page:
    entries: Sequence[Entry]
    next_cursor: str | None  # older entries
    newer_cursor: str | None  # newer entries, when this page is not the newest
    people: Sequence[Who]  # everyone in this view of the log, for the filter
    hidden_shielded: bool


def check_period(since: date | None, until: date | None) -> None:
    """Raises InvalidInput when the period ends before it starts."""
    if since is not None and until is not None and since > until:
        raise InvalidInput(INVALID_PERIOD, code="invalid_period")


async def entries(
    session: AsyncSession,
    actor: Actor,
    plan_id: uuid.UUID,
    *,
    clock: Clock,
    person: str | None = None,
    since: date | None = None,
    until: date | None = None,
    outcome: Shown = Shown.ALLOWED,
    own: bool = False,
    after: str | None = None,
    before: str | None = None,
    limit: int = DEFAULT_LIMIT,
    purpose: Purpose | None = None,
) -> Page:
    """One page of the plan's access log, newest first.

    `after` gives the entries older than that cursor, `before` the newer ones. `since` and
    `until` are Oslo dates, both inclusive. The reader's own use is left out unless `own` is
    set or they choose themself as `person`. The coordinating unit reads only with
    `purpose=Purpose.AUDIT_DUTY`, and that read is itself logged as a control read.

    Raises NotFound or Forbidden (app.access), or InvalidInput for a malformed cursor, person
    key, period or limit. The access decision is audited like any other.
    """
    plan = await access.require(
        session, actor, Permission.READ_ACCESS_LOG, plan_id, clock=clock, purpose=purpose
    )
    older_than = Cursor.decode(after) if after else None
    newer_than = Cursor.decode(before) if before else None
    if older_than is not None and newer_than is not None:
        raise InvalidInput(BOTH_CURSORS, code="invalid_cursor")
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidInput(INVALID_LIMIT, code="invalid_limit")
    check_period(since, until)
    chosen = _person_filter(person)

    facts = await access.roles_on(session, actor, plan, clock=clock)
    hide_shielded = facts.roles == {Role.GUARDIAN_OF_YOUTH}
    shown = [AuditEvent.plan_id == plan.id, _outcome_filter(outcome)]
    if hide_shielded:
        shown.append(~_about_shielded_item(plan.id))

    people = await _people_in_log(session, shown)
    units = await _units(session, [employee for _p, employee, _n in people if employee])

    query = _entry_query().where(*shown, *_period_filter(since, until))
    if chosen is not None:
        query = query.where(chosen)
    elif not own:
        query = query.where(_not_by(actor))
    rows, next_cursor, newer_cursor = await _one_page(
        session, query, older_than=older_than, newer_than=newer_than, limit=limit
    )
    page = [entry_of(actor, row, units) for row in rows]

    hidden = False
    if hide_shielded:
        anything = exists().where(AuditEvent.plan_id == plan.id, _about_shielded_item(plan.id))
        hidden = bool(await session.scalar(select(anything)))
    found = (person_in_log(actor, *someone, units) for someone in people)
    listed = sorted(
        (who for who in found if who is not None),
        key=lambda who: (who.kind != "you", (who.name or "").casefold()),
    )
    return Page(page, next_cursor, newer_cursor, listed, hidden)


async def _one_page(
    session: AsyncSession,
    query: Any,
    *,
    older_than: Cursor | None,
    newer_than: Cursor | None,
    limit: int,
) -> tuple[list[Any], str | None, str | None]:
    """The page's rows, newest first, with the cursors to the older and the newer pages."""
    key = tuple_(AuditEvent.occurred_at, AuditEvent.id)
    if newer_than is None:
        if older_than is not None:
            query = query.where(key < _cursor_values(older_than))
        query = query.order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
    else:
        query = query.where(key > _cursor_values(newer_than))
        query = query.order_by(AuditEvent.occurred_at.asc(), AuditEvent.id.asc())
    rows = list((await session.execute(query.limit(limit + 1))).all())
    more = len(rows) > limit  # one row past the page says there is another page
    rows = rows[:limit]
    if newer_than is not None:
        rows.reverse()
    first = _cursor_of(rows[0]) if rows else None
    last = _cursor_of(rows[-1]) if rows else None
    if newer_than is None:
        return rows, last if more else None, first if older_than is not None else None
    return rows, last, first if more else None


def _person_filter(key: str | None) -> ColumnElement[bool] | None:
    if not key:
        return None
    kind, _, value = key.partition(":")
    try:
        chosen = uuid.UUID(value)
    except ValueError:
        raise InvalidInput(INVALID_PERSON, code="invalid_person") from None
    if kind == "p":
        return and_(AuditEvent.actor_person_id == chosen, AuditEvent.actor_employee_id.is_(None))
    if kind == "e":
        return AuditEvent.actor_employee_id == chosen
    raise InvalidInput(INVALID_PERSON, code="invalid_person")


def _not_by(actor: Actor) -> ColumnElement[bool]:
    """Rows someone other than the reader wrote (rows without an actor included)."""
    if actor.employee_id is not None:
        return or_(
            AuditEvent.actor_employee_id.is_(None),
            AuditEvent.actor_employee_id != actor.employee_id,
        )
    return or_(
        AuditEvent.actor_person_id.is_(None),
        AuditEvent.actor_person_id != actor.person_id,
        AuditEvent.actor_employee_id.is_not(None),
    )


def _outcome_filter(outcome: Shown) -> ColumnElement[bool]:
    if outcome is Shown.DENIED:
        return AuditEvent.outcome.in_(REFUSED)
    return AuditEvent.outcome == "allowed"


def _about_shielded_item(plan_id: uuid.UUID) -> ColumnElement[bool]:
    return exists().where(
        ShieldedItem.plan_id == plan_id,
        ShieldedItem.item_type == AuditEvent.item_type,
        ShieldedItem.item_id == AuditEvent.item_id,
        ShieldedItem.ended_at.is_(None),
    )


def _period_filter(since: date | None, until: date | None) -> list[ColumnElement[bool]]:
    filters = []
    start = _start_of_day(since) if since is not None else None
    if start is not None:
        filters.append(AuditEvent.occurred_at >= start)
    if until is not None and until < date.max:
        end = _start_of_day(until + timedelta(days=1))
        if end is not None:
            filters.append(AuditEvent.occurred_at < end)
    return filters


def _start_of_day(day: date) -> datetime | None:
    """Midnight in Oslo, in UTC; None for a day so far back that it bounds nothing."""
    try:
        return datetime.combine(day, time.min, tzinfo=OSLO).astimezone(UTC)
    except (OverflowError, ValueError):
        return None


def _cursor_values(cursor: Cursor) -> Any:
    # Typed binds, so both databases compare the stored forms of the two columns.
    return tuple_(
        literal(cursor.occurred_at, AuditEvent.occurred_at.type),
        literal(cursor.id, AuditEvent.id.type),
    )


def _cursor_of(row: Any) -> str:
    return Cursor(row.occurred_at, row.id).encode()


def _entry_query() -> Any:
    return (
        select(
            AuditEvent.id,
            AuditEvent.occurred_at,
            AuditEvent.action,
            AuditEvent.outcome,
            AuditEvent.reason,
            AuditEvent.actor_role,
            AuditEvent.actor_person_id,
            AuditEvent.actor_employee_id,
            AuditEvent.on_behalf_of_person_id,
            _ActorPerson.given_name.label("person_given"),
            _ActorPerson.family_name.label("person_family"),
            Employee.name.label("employee_name"),
            Unit.name.label("unit_name"),
            _OnBehalfOf.given_name.label("behalf_given"),
            _OnBehalfOf.family_name.label("behalf_family"),
        )
        .outerjoin(_ActorPerson, _ActorPerson.id == AuditEvent.actor_person_id)
        .outerjoin(Employee, Employee.id == AuditEvent.actor_employee_id)
        .outerjoin(Unit, Unit.id == AuditEvent.actor_unit_id)
        .outerjoin(_OnBehalfOf, _OnBehalfOf.id == AuditEvent.on_behalf_of_person_id)
    )


async def _people_in_log(
    session: AsyncSession, shown: list[ColumnElement[bool]]
) -> list[tuple[uuid.UUID | None, uuid.UUID | None, str | None]]:
    """(person id, employee id, name) of everyone with a row in this view of the log."""
    rows = await session.execute(
        select(
            AuditEvent.actor_person_id,
            AuditEvent.actor_employee_id,
            _ActorPerson.given_name,
            _ActorPerson.family_name,
            Employee.name,
        )
        .distinct()
        .outerjoin(_ActorPerson, _ActorPerson.id == AuditEvent.actor_person_id)
        .outerjoin(Employee, Employee.id == AuditEvent.actor_employee_id)
        .where(*shown)
    )
    return [
        (person_id, employee_id, employee_name if employee_id else full_name(given, family))
        for person_id, employee_id, given, family, employee_name in rows
    ]


async def _units(session: AsyncSession, employee_ids: Sequence[uuid.UUID]) -> UnitsByEmployee:
    """The units each employee in the log works in now (all in their own municipality)."""
    if not employee_ids:
        return {}
    rows = await session.execute(
        select(UnitMembership.employee_id, Unit.name, Unit.kind)
        .join(Unit, Unit.id == UnitMembership.unit_id)
        .where(UnitMembership.employee_id.in_(set(employee_ids)))
        .order_by(Unit.name)
    )
    units: UnitsByEmployee = {}
    for employee_id, name, kind in rows:
        units.setdefault(employee_id, []).append((name, kind))
    return units
