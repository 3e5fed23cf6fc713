"""Young people's own say: a guardian's consent that a 13-15-year-old may read their plan
(R-AGE-3), and at 16 the young person confirming what their guardian consented to (R-AGE-4)."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app import access
from app.access import Actor, Permission, audit
from app.access.facts import active_youth_access, grant_in_force
from app.access.rules import GUARDIAN_UNTIL_AGE, YOUTH_ACCESS_FROM_AGE
from app.clock import Clock, today_in_oslo
from app.consents.events import ConsentChanged, announce
from app.errors import InvalidInput
from app.i18n import gettext_noop
from app.models import Grant, Person, Plan, YouthAccess
from app.people.identity_numbers import age_or_zero
from app.timeline import service as timeline

YOUTH_ACCESS_AGE = gettext_noop("A child can be given access to read the plan from 13 until 16.")


async def set_youth_access(
    session: AsyncSession, actor: Actor, plan_id: uuid.UUID, *, on: bool, clock: Clock
) -> None:
    """R-AGE-3: the guardian lets a child of 13-15 log in and read the plan, or stops it."""
    plan = await access.require(session, actor, Permission.GRANT_YOUTH_ACCESS, plan_id, clock=clock)
    owner = await session.get(Person, plan.owner_id)
    assert owner is not None
    age = age_or_zero(owner.birth_date, today_in_oslo(clock))
    if not YOUTH_ACCESS_FROM_AGE <= age < GUARDIAN_UNTIL_AGE:
        raise InvalidInput(YOUTH_ACCESS_AGE, code="youth_access_age")
    current = await active_youth_access(session, plan.id)
    if on and current is None:
        session.add(
            YouthAccess(
                plan_id=plan.id, granted_by_person_id=actor.person_id, created_at=clock.now()
            )
        )
    elif not on and current is not None:
        current.ended_at = clock.now()
        current.ended_by_person_id = actor.person_id
    else:
        return
    await session.flush()
    kind = "youth_access.given" if on else "youth_access.ended"
    await audit.record_done(session, actor, plan, kind, clock=clock)
    await timeline.record(
        session, actor, plan, kind=kind, item_type="participant", item_id=None, clock=clock
    )
    await announce(
        session,
        ConsentChanged(plan.id, plan.owner_id, None, "youth_access"),
    )


async def grants_to_confirm(
    session: AsyncSession, actor: Actor, *, clock: Clock
) -> tuple[Plan | None, list[Grant]]:
    """R-AGE-4: at 16, the grants a guardian gave, for the young person to confirm or change."""
    if actor.person_id is None or actor.acting_for_person_id is not None:
        return None, []
    plans = await session.scalars(
        select(Plan).where(
            await access.visible_plans(session, actor, clock=clock),
            Plan.owner_id == actor.person_id,
        )
    )
    plan = plans.first()
    if plan is None:
        return None, []
    owner = await session.get(Person, plan.owner_id)
    assert owner is not None
    if age_or_zero(owner.birth_date, today_in_oslo(clock)) < GUARDIAN_UNTIL_AGE:
        return None, []
    pending = (
        await session.scalars(
            select(Grant).where(
                Grant.plan_id == plan.id,
                Grant.ended_at.is_(None),
                Grant.confirmed_by_owner_at.is_(None),
                Grant.granted_by_person_id.is_not(None),
                Grant.granted_by_person_id != owner.id,
                grant_in_force(today_in_oslo(clock)),
            )
        )
    ).all()
    return plan, list(pending)


async def confirm_grants(
    session: AsyncSession, actor: Actor, plan_id: uuid.UUID, *, clock: Clock
) -> int:
    """The young person keeps the grants their guardian gave (changing them is give/end)."""
    plan = await access.require(session, actor, Permission.MANAGE_GRANTS, plan_id, clock=clock)
    _plan, pending = await grants_to_confirm(session, actor, clock=clock)
    if _plan is None or _plan.id != plan.id:
        return 0
    for grant in pending:
        grant.confirmed_by_owner_at = clock.now()
    await session.flush()
    await audit.record_done(session, actor, plan, "grant.confirmed", clock=clock)
    return len(pending)
