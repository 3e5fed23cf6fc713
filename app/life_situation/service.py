"""The owner's own words: what matters to me, my situation, my resources, my needs, and from
the age of 7 the child's own view (R-AGE-5). First on the plan page; the coordinator may write
them down for the owner, marked as written by the coordinator."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app import access
from app.access import Actor, Permission, Role
from app.access.rules import OWN_VIEW_FROM_AGE
from app.clock import Clock
from app.errors import StaleVersion
from app.models import LifeSituation
from app.plan_items import texts, versions
from app.plan_items.writing import ensure_open, stamp_new
from app.timeline import service as timeline

FIELDS = ("what_matters", "situation", "resources", "needs", "own_view")


@dataclass(frozen=True)
class OwnWords:
    what_matters: str = ""
    situation: str = ""
    resources: str = ""
    needs: str = ""
    own_view: str = ""


async def write_own_words(
    session: AsyncSession,
    actor: Actor,
    plan_id: uuid.UUID,
    words: OwnWords,
    *,
    seen_version: int | None,
    clock: Clock,
) -> LifeSituation:
    """Save the owner's words. `seen_version` is the version the writer started from (None for
    the first words of a plan): a newer one on the server is a conflict (R-SAFE-2)."""
    opened = await access.open_plan(session, actor, plan_id, clock=clock)
    await access.check(session, actor, opened, Permission.WRITE_OWN_WORDS, clock=clock)
    ensure_open(opened.plan)
    cleaned = {
        name: texts.clean(getattr(words, name), field=name, limit=texts.LONG, required=False)
        for name in FIELDS
    }
    if opened.facts.owner_age < OWN_VIEW_FROM_AGE:
        cleaned["own_view"] = ""
    current = await session.scalar(select(LifeSituation).where(LifeSituation.plan_id == plan_id))
    by_coordinator = opened.decide(Permission.WRITE_OWN_WORDS).role is Role.COORDINATOR
    if current is None:
        versions.expect_absent(seen_version, item_type="life_situation")
        # Everything set before the insert: a later change would be a second version.
        current = LifeSituation(
            id=uuid.uuid4(),
            plan_id=plan_id,
            written_by_coordinator=by_coordinator,
            updated_by_person_id=actor.person_id,
            updated_by_employee_id=actor.employee_id,
            **cleaned,
        )
        stamp_new(current, actor, clock)
        before: dict[str, object] = {}
        try:
            async with session.begin_nested():
                session.add(current)
        except IntegrityError:  # someone wrote the first words at the same moment
            raise StaleVersion(
                versions.STALE, item_type="life_situation", current_version=1
            ) from None
    else:
        # Someone who started from no words at all must not overwrite words written since.
        versions.expect(current, seen_version or 0, item_type="life_situation")
        before = versions.snapshot(current, FIELDS)
        for name, value in cleaned.items():
            setattr(current, name, value)
        current.updated_at = clock.now()
        current.written_by_coordinator = by_coordinator
        current.updated_by_person_id = actor.person_id
        current.updated_by_employee_id = actor.employee_id
    await session.flush()
    after = versions.snapshot(current, FIELDS)
    # The first words list only what was written, like every other item's first entry.
    changes = versions.diff(before, after) if before else versions.created(after)
    await timeline.record(
        session,
        actor,
        opened.plan,
        kind="life_situation.written",
        item_type="life_situation",
        item_id=current.id,
        item_version=current.version,
        changes=changes,
        unit_id=opened.unit_id if actor.employee_id else None,
        clock=clock,
    )
    return current
