"""The plan's frame (R-PLAN-1 items 4, 7 and 9; R-PLAN-6, R-PLAN-7): the period and revision
date, what each participant contributes, cooperation with other services, links to sub-plans,
and closing the plan. Entries are withdrawn, never deleted (R-PLAN-5).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app import access
from app.access import Actor, ItemFacts, Permission, PlanAccess
from app.actions.service import Choice
from app.clock import Clock
from app.errors import Conflict, InvalidInput, NotFound
from app.i18n import gettext_noop
from app.models import (
    Contribution,
    Contributor,
    Cooperation,
    Participant,
    PlanStatus,
    SubPlanKind,
    SubPlanLink,
    Unit,
)
from app.plan_items import texts, versions
from app.plan_items.writing import ensure_open, stamp_new, written_by
from app.timeline import service as timeline

PLAN_FIELDS = ("period_start", "period_end", "revision_date")
CONTRIBUTION_FIELDS = ("contributor", "unit_id", "who", "text", "withdrawn_at")
COOPERATION_FIELDS = ("partner", "description", "contact", "withdrawn_at")
SUB_PLAN_FIELDS = ("kind", "title", "owner_unit", "url", "withdrawn_at")

NOT_FOUND = gettext_noop("We could not find that.")
NO_DATES = gettext_noop("Give the start and end of the plan period and the revision date.")
REVISION_OUTSIDE = gettext_noop("The revision date must be within the plan period.")
BAD_URL = gettext_noop("The link must be a web address starting with https://")
UNKNOWN_UNIT = gettext_noop("That service does not exist in this municipality.")
NEEDS_UNIT = gettext_noop("Choose the service that contributes.")
ALREADY_CLOSED = gettext_noop("This plan is already closed.")
ALREADY_WITHDRAWN = gettext_noop("This was already withdrawn.")
ALREADY_ASKED = gettext_noop("The coordinating unit has already been asked to close this plan.")


@dataclass(frozen=True)
class PlanDates:
    period_start: date | None
    period_end: date | None
    revision_date: date | None


@dataclass(frozen=True)
class ContributionInput:
    contributor: Contributor
    text: str
    who: str = ""
    unit_id: uuid.UUID | None = None


@dataclass(frozen=True)
class CooperationInput:
    partner: str
    description: str = ""
    contact: str = ""


@dataclass(frozen=True)
class SubPlanInput:
    kind: SubPlanKind
    title: str
    owner_unit: str = ""
    url: str = ""


async def _opened(
    session: AsyncSession, actor: Actor, plan_id: uuid.UUID, permission: Permission, clock: Clock
) -> PlanAccess:
    opened = await access.open_plan(session, actor, plan_id, clock=clock)
    await access.check(session, actor, opened, permission, clock=clock)
    ensure_open(opened.plan)
    return opened


async def _record(
    session: AsyncSession,
    actor: Actor,
    opened: PlanAccess,
    kind: str,
    item_type: str,
    item: Any,
    changes: dict[str, Any],
    clock: Clock,
) -> None:
    await timeline.record(
        session,
        actor,
        opened.plan,
        kind=kind,
        item_type=item_type,
        item_id=item.id,
        item_version=item.version,
        changes=changes,
        unit_id=opened.unit_id if actor.employee_id else None,
        clock=clock,
    )


async def set_dates(
    session: AsyncSession,
    actor: Actor,
    plan_id: uuid.UUID,
    dates: PlanDates,
    *,
    seen_version: int | None,
    clock: Clock,
) -> None:
    """The plan period and the revision date (R-PLAN-6), kept by the coordinator."""
    opened = await _opened(session, actor, plan_id, Permission.EDIT_PLAN_FRAME, clock)
    plan = opened.plan
    versions.expect(plan, seen_version, item_type="plan")
    if not (dates.period_start and dates.period_end and dates.revision_date):
        raise InvalidInput(NO_DATES, code="missing_dates", field="period_start")
    texts.check_order(dates.period_start, dates.period_end, field="period_end", period=True)
    if not dates.period_start <= dates.revision_date <= dates.period_end:
        raise InvalidInput(REVISION_OUTSIDE, code="revision_outside", field="revision_date")
    before = versions.snapshot(plan, PLAN_FIELDS)
    plan.period_start, plan.period_end = dates.period_start, dates.period_end
    plan.revision_date = dates.revision_date
    plan.updated_at = clock.now()
    await session.flush()
    changes = versions.diff(before, versions.snapshot(plan, PLAN_FIELDS))
    await _record(session, actor, opened, "plan.dates", "plan", plan, changes, clock)


async def _contribution_unit(
    session: AsyncSession, opened: PlanAccess, data: ContributionInput
) -> uuid.UUID | None:
    if data.contributor is not Contributor.SERVICE:
        return None
    if data.unit_id is None:
        raise InvalidInput(NEEDS_UNIT, code="no_unit", field="unit_id")
    unit = await session.get(Unit, data.unit_id)
    if unit is None or unit.municipality_id != opened.plan.municipality_id:
        raise InvalidInput(UNKNOWN_UNIT, code="unknown_unit", field="unit_id")
    return unit.id


async def group_units(session: AsyncSession, opened: PlanAccess) -> list[Choice]:
    """The services taking part in the plan's responsibility group: whose contribution the
    owner's side may write down ("home care helps me shower")."""
    if opened.plan.status is PlanStatus.CLOSED:
        return []
    rows = await session.execute(
        select(Unit.id, Unit.name)
        .join(Participant, Participant.unit_id == Unit.id)
        .where(Participant.plan_id == opened.plan.id, Participant.left_at.is_(None))
        .distinct()
        .order_by(Unit.name)
    )
    return [Choice(unit_id, name) for unit_id, name in rows]


async def _may_write_contribution(
    session: AsyncSession,
    actor: Actor,
    opened: PlanAccess,
    unit_id: uuid.UUID | None,
    *,
    wrote: bool,
    clock: Clock,
    item_id: uuid.UUID | None = None,
) -> None:
    """A service's contribution is its own unit's to write, a relative's is their own words."""
    item = contribution_item(unit_id, wrote=wrote, item_id=item_id)
    await access.check(
        session, actor, opened, Permission.WRITE_CONTRIBUTION, item=item, clock=clock
    )
    ensure_open(opened.plan)


def contribution_item(
    unit_id: uuid.UUID | None, *, wrote: bool, item_id: uuid.UUID | None = None
) -> ItemFacts:
    """What access decides a contribution on: whose unit it speaks for, and who wrote it."""
    return ItemFacts("contribution", item_id, responsible_unit_id=unit_id, actor_wrote=wrote)


async def add_contribution(
    session: AsyncSession,
    actor: Actor,
    plan_id: uuid.UUID,
    data: ContributionInput,
    *,
    clock: Clock,
) -> Contribution:
    opened = await access.open_plan(session, actor, plan_id, clock=clock)
    unit_id = await _contribution_unit(session, opened, data)
    await _may_write_contribution(session, actor, opened, unit_id, wrote=True, clock=clock)
    item = Contribution(
        id=uuid.uuid4(),
        plan_id=plan_id,
        contributor=data.contributor,
        unit_id=unit_id,
        who=texts.clean(data.who, field="who", limit=texts.SHORT, required=False),
        text=texts.clean(data.text, field="text", limit=texts.LONG),
    )
    stamp_new(item, actor, clock)
    session.add(item)
    await session.flush()
    changes = versions.created(versions.snapshot(item, CONTRIBUTION_FIELDS))
    await _record(
        session, actor, opened, "contribution.added", "contribution", item, changes, clock
    )
    return item


async def change_contribution(
    session: AsyncSession,
    actor: Actor,
    plan_id: uuid.UUID,
    item_id: uuid.UUID,
    data: ContributionInput | None,
    *,
    seen_version: int | None,
    clock: Clock,
) -> Contribution:
    """New words for a contribution, or (with `data` None) withdraw it."""
    opened = await access.open_plan(session, actor, plan_id, clock=clock)
    item = await _find(session, Contribution, plan_id, item_id)
    wrote = written_by(actor, item)
    await _may_write_contribution(
        session, actor, opened, item.unit_id, wrote=wrote, clock=clock, item_id=item.id
    )
    versions.expect(item, seen_version, item_type="contribution")
    values = None
    if data is not None:
        unit_id = await _contribution_unit(session, opened, data)
        if unit_id != item.unit_id:  # moving it to another service needs a say over both
            await _may_write_contribution(
                session, actor, opened, unit_id, wrote=wrote, clock=clock, item_id=item.id
            )
        values = {
            "contributor": data.contributor,
            "unit_id": unit_id,
            "who": texts.clean(data.who, field="who", limit=texts.SHORT, required=False),
            "text": texts.clean(data.text, field="text", limit=texts.LONG),
        }
    await _change(session, actor, opened, item, "contribution", CONTRIBUTION_FIELDS, values, clock)
    return item


def _cooperation_fields(data: CooperationInput) -> dict[str, str]:
    return {
        "partner": texts.clean(data.partner, field="partner", limit=texts.SHORT),
        "description": texts.clean(
            data.description, field="description", limit=texts.LONG, required=False
        ),
        "contact": texts.clean(data.contact, field="contact", limit=texts.SHORT, required=False),
    }


async def add_cooperation(
    session: AsyncSession, actor: Actor, plan_id: uuid.UUID, data: CooperationInput, *, clock: Clock
) -> Cooperation:
    opened = await _opened(session, actor, plan_id, Permission.EDIT_PLAN_FRAME, clock)
    item = Cooperation(id=uuid.uuid4(), plan_id=plan_id, **_cooperation_fields(data))
    stamp_new(item, actor, clock)
    session.add(item)
    await session.flush()
    changes = versions.created(versions.snapshot(item, COOPERATION_FIELDS))
    await _record(session, actor, opened, "cooperation.added", "cooperation", item, changes, clock)
    return item


async def change_cooperation(
    session: AsyncSession,
    actor: Actor,
    plan_id: uuid.UUID,
    item_id: uuid.UUID,
    data: CooperationInput | None,
    *,
    seen_version: int | None,
    clock: Clock,
) -> Cooperation:
    opened = await _opened(session, actor, plan_id, Permission.EDIT_PLAN_FRAME, clock)
    item = await _find(session, Cooperation, plan_id, item_id)
    versions.expect(item, seen_version, item_type="cooperation")
    values = _cooperation_fields(data) if data is not None else None
    await _change(session, actor, opened, item, "cooperation", COOPERATION_FIELDS, values, clock)
    return item


def _sub_plan_fields(data: SubPlanInput) -> dict[str, Any]:
    url = texts.clean(data.url, field="url", limit=500, required=False)
    if url and (urlsplit(url).scheme != "https" or not urlsplit(url).netloc):
        raise InvalidInput(BAD_URL, code="bad_url", field="url")
    return {
        "kind": data.kind,
        "title": texts.clean(data.title, field="title", limit=texts.SHORT),
        "owner_unit": texts.clean(
            data.owner_unit, field="owner_unit", limit=texts.SHORT, required=False
        ),
        "url": url,
    }


async def add_sub_plan(
    session: AsyncSession, actor: Actor, plan_id: uuid.UUID, data: SubPlanInput, *, clock: Clock
) -> SubPlanLink:
    opened = await _opened(session, actor, plan_id, Permission.EDIT_PLAN_FRAME, clock)
    item = SubPlanLink(id=uuid.uuid4(), plan_id=plan_id, **_sub_plan_fields(data))
    stamp_new(item, actor, clock)
    session.add(item)
    await session.flush()
    changes = versions.created(versions.snapshot(item, SUB_PLAN_FIELDS))
    await _record(session, actor, opened, "sub_plan.added", "sub_plan", item, changes, clock)
    return item


async def change_sub_plan(
    session: AsyncSession,
    actor: Actor,
    plan_id: uuid.UUID,
    item_id: uuid.UUID,
    data: SubPlanInput | None,
    *,
    seen_version: int | None,
    clock: Clock,
) -> SubPlanLink:
    opened = await _opened(session, actor, plan_id, Permission.EDIT_PLAN_FRAME, clock)
    item = await _find(session, SubPlanLink, plan_id, item_id)
    versions.expect(item, seen_version, item_type="sub_plan")
    values = _sub_plan_fields(data) if data is not None else None
    await _change(session, actor, opened, item, "sub_plan", SUB_PLAN_FIELDS, values, clock)
    return item


Item = TypeVar("Item", Contribution, Cooperation, SubPlanLink)


async def _change(
    session: AsyncSession,
    actor: Actor,
    opened: PlanAccess,
    item: Contribution | Cooperation | SubPlanLink,
    item_type: str,
    fields: tuple[str, ...],
    values: dict[str, Any] | None,
    clock: Clock,
) -> None:
    """New values (all checked before any is set, so a refused change leaves nothing to
    flush), or with `values` None withdraw the entry; either way on the timeline."""
    before = versions.snapshot(item, fields)
    if values is None:
        if item.withdrawn_at is not None:
            raise Conflict(ALREADY_WITHDRAWN, code="already_withdrawn")
        item.withdrawn_at = clock.now()
    else:
        for name, value in values.items():
            setattr(item, name, value)
    item.updated_at = clock.now()
    await session.flush()
    changes = versions.diff(before, versions.snapshot(item, fields))
    kind = f"{item_type}.withdrawn" if values is None else f"{item_type}.changed"
    await _record(session, actor, opened, kind, item_type, item, changes, clock)


async def _find(
    session: AsyncSession, model: type[Item], plan_id: uuid.UUID, item_id: uuid.UUID
) -> Item:
    item = await session.get(model, item_id)
    if item is None or item.plan_id != plan_id:
        raise NotFound(NOT_FOUND, code="item_not_found")
    return item


async def request_close(
    session: AsyncSession, actor: Actor, plan_id: uuid.UUID, *, clock: Clock
) -> None:
    """The owner's side asks the coordinating unit to close the plan (access.md)."""
    opened = await _opened(session, actor, plan_id, Permission.REQUEST_CLOSE, clock)
    if opened.plan.close_requested_at is not None:
        raise Conflict(ALREADY_ASKED, code="close_already_requested")
    opened.plan.close_requested_at = clock.now()
    await session.flush()
    changes = {"close_requested_at": [None, versions.plain(opened.plan.close_requested_at)]}
    await _record(
        session, actor, opened, "plan.close_requested", "plan", opened.plan, changes, clock
    )


async def close_plan(
    session: AsyncSession,
    actor: Actor,
    plan_id: uuid.UUID,
    *,
    seen_version: int | None,
    clock: Clock,
) -> None:
    """The KE closes the plan: from now on it is read-only (R-PLAN-7)."""
    opened = await access.open_plan(session, actor, plan_id, clock=clock)
    await access.check(session, actor, opened, Permission.CLOSE_PLAN, clock=clock)
    plan = opened.plan
    if plan.status is PlanStatus.CLOSED:
        raise Conflict(ALREADY_CLOSED, code="plan_closed")
    versions.expect(plan, seen_version, item_type="plan")
    plan.status = PlanStatus.CLOSED
    plan.closed_at = plan.updated_at = clock.now()
    await session.flush()
    changes = {"status": ["active", "closed"]}
    await _record(session, actor, opened, "plan.closed", "plan", plan, changes, clock)
