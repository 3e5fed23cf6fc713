"""Unsaved text, kept while someone types (R-SAFE-1: nothing typed is lost).

The page saves a form's fields a moment after the person stops typing; a reload, a lost
connection or a conflict brings them back. A draft belongs to one person, one plan and one form,
and is removed when the form is saved. Drafts are text about the plan, so writing one is checked
and logged like any other write.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from app import access
from app.access import Actor, Permission
from app.clock import Clock
from app.db import insert_on_conflict
from app.errors import InvalidInput
from app.i18n import gettext_noop
from app.idempotency.service import actor_key
from app.models import Draft
from app.plan_items import texts

# "goal:new", "goal:<uuid>", "note:<uuid>", "life_situation", ...
FORM_KEY = re.compile(r"^[a-z_]{1,30}(:(new|[0-9a-f-]{36}))?$")
MAX_FIELDS = 20
BAD_FORM = gettext_noop("This draft cannot be kept.")


def _check(form: str, fields: dict[str, Any]) -> dict[str, str]:
    if not FORM_KEY.match(form) or len(fields) > MAX_FIELDS:
        raise InvalidInput(BAD_FORM, code="bad_draft")
    kept: dict[str, str] = {}
    for name, value in fields.items():
        if name in ("csrf_token", "request_key") or not isinstance(value, str):
            continue
        if len(name) > 40 or len(value) > texts.LONG + 100:
            raise InvalidInput(BAD_FORM, code="bad_draft")
        kept[name] = value
    return kept


async def save_draft(
    session: AsyncSession,
    actor: Actor,
    plan_id: uuid.UUID,
    form: str,
    fields: dict[str, Any],
    *,
    clock: Clock,
) -> None:
    opened = await access.open_plan(session, actor, plan_id, clock=clock)
    await access.check(session, actor, opened, Permission.SEE_PLAN, clock=clock)
    kept = _check(form, fields)
    values = {
        "visitor": actor_key(actor),
        "plan_id": plan_id,
        "form": form,
        "fields": kept,
        "saved_at": clock.now(),
    }
    statement = insert_on_conflict(session, Draft).values(**values)
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=["visitor", "plan_id", "form"],
            set_={"fields": kept, "saved_at": values["saved_at"]},
        )
    )
    await access.audit.record_done(session, actor, opened.plan, "draft.saved", clock=clock)


async def drafts_for(session: AsyncSession, actor: Actor, plan_id: uuid.UUID) -> dict[str, Draft]:
    """The actor's drafts in a plan the caller has already opened through access."""
    rows = await session.scalars(
        select(Draft).where(Draft.visitor == actor_key(actor), Draft.plan_id == plan_id)
    )
    return {draft.form: draft for draft in rows}


async def discard_draft(
    session: AsyncSession, actor: Actor, plan_id: uuid.UUID, form: str, *, clock: Clock
) -> None:
    """The writer throws their draft away."""
    opened = await access.open_plan(session, actor, plan_id, clock=clock)
    await access.check(session, actor, opened, Permission.SEE_PLAN, clock=clock)
    await forget_saved(session, actor, plan_id, form)
    await access.audit.record_done(session, actor, opened.plan, "draft.discarded", clock=clock)


async def forget_saved(session: AsyncSession, actor: Actor, plan_id: uuid.UUID, form: str) -> None:
    """The form was saved by a service that checked access: its draft is no longer needed."""
    await session.execute(
        delete(Draft).where(
            Draft.visitor == actor_key(actor), Draft.plan_id == plan_id, Draft.form == form
        )
    )
