"""require(), capabilities(), and the person- and municipality-level checks.

Every decision, allowed or denied, is written to the audit log (R-LOG-1). An allowed decision
commits with the work it guards; a denial is kept even though the request then rolls back.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import replace

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.access import audit
from app.access.actors import ActingBasis, Actor
from app.access.facts import plan_facts, plan_facts_many, power_of_attorney_in_force
from app.access.permissions import (
    CONSENT_LEVEL,
    NEEDS_CONSENT_LEVEL,
    TABLE,
    Permission,
    Purpose,
    Role,
)
from app.access.rules import (
    GRANTER_MIN_AGE,
    Decision,
    ItemFacts,
    PlanFacts,
    decide,
    guardian_role,
)
from app.clock import Clock, today_in_oslo
from app.errors import Forbidden, NotFound
from app.i18n import gettext_noop
from app.models import Person, Plan, PowerOfAttorney, ShieldedItem, Unit, UnitKind, UnitMembership
from app.people.identity_numbers import age_or_zero

PLAN_NOT_FOUND = gettext_noop("We could not find that plan.")
ITEM_NOT_FOUND = gettext_noop("We could not find that.")
NOT_ALLOWED = gettext_noop("You do not have access to do this.")
PERSON_NOT_FOUND = gettext_noop("We could not find that person.")
NEEDS_HIGH_LEVEL = gettext_noop(
    "To change who may see your plan, log in again with a high security level "
    "(BankID, Buypass or Commfides)."
)


def _below_consent_level(actor: Actor, permission: Permission) -> bool:
    """Sessions record the level they were made at; staff logins carry none that matters."""
    return (
        permission in NEEDS_CONSENT_LEVEL
        and actor.is_citizen
        and actor.login_level is not None
        and actor.login_level != CONSENT_LEVEL
    )


async def require(
    session: AsyncSession,
    actor: Actor,
    permission: Permission,
    plan_id: uuid.UUID,
    *,
    clock: Clock,
    item: ItemFacts | None = None,
    purpose: Purpose | None = None,
) -> Plan:
    """The plan, if the actor may do this to it (or to the item in it).

    Raises NotFound when the actor may not know the plan (or a shielded item) exists, and
    Forbidden when they may see it but not do this.
    """
    plan, _facts = await _require(session, actor, permission, plan_id, clock, item, purpose)
    return plan


async def require_with_capabilities(
    session: AsyncSession,
    actor: Actor,
    permission: Permission,
    plan_id: uuid.UUID,
    *,
    clock: Clock,
) -> tuple[Plan, dict[str, bool]]:
    """require(), plus the page's `can.*` flags from the same facts (no second load)."""
    plan, facts = await _require(session, actor, permission, plan_id, clock, None, None)
    return plan, _flags(facts)


async def _require(
    session: AsyncSession,
    actor: Actor,
    permission: Permission,
    plan_id: uuid.UUID,
    clock: Clock,
    item: ItemFacts | None,
    purpose: Purpose | None,
) -> tuple[Plan, PlanFacts]:
    plan = await session.get(Plan, plan_id)
    if plan is None:
        await _record(session, actor, permission, None, None, item, clock, "not_found", "no_plan")
        raise NotFound(PLAN_NOT_FOUND, code="plan_not_found")
    facts = await plan_facts(session, actor, plan, clock=clock)
    if item is not None and item.id is not None and Role.GUARDIAN_OF_YOUTH in facts.roles:
        item = await _with_shielding(session, plan.id, item)
    decision = decide(facts, permission, item=item, purpose=purpose)
    if decision.allowed and _below_consent_level(actor, permission):
        decision = Decision(False, True, decision.role, "needs_high_level")
    await _record(
        session,
        actor,
        permission,
        plan,
        facts,
        item,
        clock,
        _outcome(decision),
        decision.reason,
        decision.role,
    )
    if not decision.visible:
        if decision.reason == "shielded":
            raise NotFound(ITEM_NOT_FOUND, code="item_not_found")
        raise NotFound(PLAN_NOT_FOUND, code="plan_not_found")
    if decision.reason == "needs_high_level":
        raise Forbidden(NEEDS_HIGH_LEVEL, code="needs_high_level")
    if not decision.allowed:
        raise Forbidden(NOT_ALLOWED, code="not_allowed")
    return plan, facts


def _flags(facts: PlanFacts) -> dict[str, bool]:
    return {
        permission.value: decide(facts, permission).allowed
        for permission in Permission
        if permission in TABLE
    }


async def capabilities(
    session: AsyncSession, actor: Actor, plan: Plan, *, clock: Clock
) -> dict[str, bool]:
    """Flags for templates (`can.manage_grants`): what the actor may do to the plan as such.

    Not audited one by one: the read that shows the page is. Item-level rules (own unit,
    thread membership) answer False here; the service asks again for the item.
    """
    return _flags(await plan_facts(session, actor, plan, clock=clock))


async def capabilities_many(
    session: AsyncSession, actor: Actor, plans: Sequence[Plan], *, clock: Clock
) -> dict[uuid.UUID, dict[str, bool]]:
    """capabilities() for a list of plans, in the same few queries as for one."""
    facts = await plan_facts_many(session, actor, plans, clock=clock)
    return {plan_id: _flags(plan_facts_of) for plan_id, plan_facts_of in facts.items()}


async def roles_on(session: AsyncSession, actor: Actor, plan: Plan, *, clock: Clock) -> PlanFacts:
    """The facts behind the decisions, for pages that explain someone's access in words."""
    return await plan_facts(session, actor, plan, clock=clock)


MUNICIPALITY_PERMISSIONS = (
    Permission.DECIDE_CASE,
    Permission.KEEP_REGISTERS,
    Permission.VERIFY_POWER_OF_ATTORNEY,
)


async def municipality_capabilities(session: AsyncSession, actor: Actor) -> dict[str, bool]:
    """Flags for pages (`desk.verify_power_of_attorney`): the coordinating unit's work in the
    actor's own municipality. Not audited; the work itself asks require_in_municipality()."""
    in_ke = await _works_in_coordinating_unit(session, actor, actor.municipality_id)
    role = Role.KE_STAFF if in_ke else None
    return {
        permission.value: role is not None and role in TABLE[permission]
        for permission in MUNICIPALITY_PERMISSIONS
    }


async def require_in_municipality(
    session: AsyncSession,
    actor: Actor,
    permission: Permission,
    municipality_id: uuid.UUID,
    *,
    clock: Clock,
) -> None:
    """Registers, case decisions, verification of fullmakter: the coordinating unit's work."""
    role = Role.OTHER_EMPLOYEE if actor.employee_id else None
    if await _works_in_coordinating_unit(session, actor, municipality_id):
        role = Role.KE_STAFF
    allowed = role is not None and role in TABLE[permission]
    await audit.record(
        session,
        action=permission.value,
        outcome="allowed" if allowed else "denied",
        reason=None if allowed else "not_permitted",
        clock=clock,
        municipality_id=municipality_id if actor.municipality_id == municipality_id else None,
        actor_person_id=actor.person_id,
        actor_employee_id=actor.employee_id,
        on_behalf_of_person_id=actor.acting_for_person_id,  # R-REP-4: in every audit row
        actor_role=role.value if role else None,
        keep_on_rollback=not allowed,
    )
    if not allowed:
        raise Forbidden(NOT_ALLOWED, code="not_allowed")


async def _works_in_coordinating_unit(
    session: AsyncSession, actor: Actor, municipality_id: uuid.UUID | None
) -> bool:
    """Is the actor staff of this municipality's coordinating unit (the KE)?"""
    if actor.employee_id is None or municipality_id is None:
        return False
    if actor.municipality_id != municipality_id:
        return False
    in_ke = await session.scalar(
        select(Unit.id)
        .join(UnitMembership, UnitMembership.unit_id == Unit.id)
        .where(
            UnitMembership.employee_id == actor.employee_id,
            Unit.municipality_id == municipality_id,
            Unit.kind == UnitKind.COORDINATING_UNIT,
        )
        .limit(1)
    )
    return in_ke is not None


async def require_for_person(
    session: AsyncSession,
    actor: Actor,
    permission: Permission,
    person_id: uuid.UUID,
    *,
    clock: Clock,
) -> Person:
    """Decisions about a person rather than a plan: applying, reporting a need, fullmakter."""
    person = await session.get(Person, person_id)
    if person is None:
        raise NotFound(PERSON_NOT_FOUND, code="person_not_found")
    role = await _role_for_person(session, actor, person, clock=clock)
    rule = TABLE[permission].get(role) if role is not None else None
    allowed = rule is not None
    if allowed and role is Role.REPRESENTATIVE and permission is Permission.APPLY:
        allowed = await _fullmakt_lets_act(session, actor, person, clock=clock)
    reason = None if allowed else "not_permitted"
    if allowed and _below_consent_level(actor, permission):
        allowed, reason = False, "needs_high_level"
    await audit.record(
        session,
        action=permission.value,
        outcome="allowed" if allowed else "denied",
        reason=reason,
        clock=clock,
        actor_person_id=actor.person_id,
        actor_employee_id=actor.employee_id,
        on_behalf_of_person_id=actor.acting_for_person_id,
        actor_role=role.value if role else None,
        keep_on_rollback=not allowed,
    )
    if reason == "needs_high_level":
        raise Forbidden(NEEDS_HIGH_LEVEL, code="needs_high_level")
    if not allowed:
        raise Forbidden(NOT_ALLOWED, code="not_allowed")
    return person


async def _role_for_person(
    session: AsyncSession, actor: Actor, person: Person, *, clock: Clock
) -> Role | None:
    if not actor.is_citizen:
        # The KE registers paper applications; other staff report a need (access.md).
        if await _works_in_coordinating_unit(session, actor, actor.municipality_id):
            return Role.KE_STAFF
        return Role.OTHER_EMPLOYEE
    age = age_or_zero(person.birth_date, today_in_oslo(clock))
    if actor.acting_for_person_id is None:
        if person.id != actor.person_id:
            return None
        return Role.OWNER if age >= GRANTER_MIN_AGE else Role.YOUTH_OWNER
    if actor.acting_for_person_id != person.id:
        return None
    if actor.acting_basis is ActingBasis.PARENTAL_RESPONSIBILITY:
        return guardian_role(age)
    if actor.acting_basis is ActingBasis.POWER_OF_ATTORNEY:
        return Role.REPRESENTATIVE
    return None


async def _fullmakt_lets_act(
    session: AsyncSession, actor: Actor, person: Person, *, clock: Clock
) -> bool:
    acts = await session.scalar(
        select(PowerOfAttorney.acts).where(
            PowerOfAttorney.id == actor.power_of_attorney_id,
            PowerOfAttorney.granter_id == person.id,
            PowerOfAttorney.holder_id == actor.person_id,
            power_of_attorney_in_force(clock),
        )
    )
    return bool(acts)


async def _with_shielding(session: AsyncSession, plan_id: uuid.UUID, item: ItemFacts) -> ItemFacts:
    shielded = await session.scalar(
        select(ShieldedItem.id).where(
            ShieldedItem.plan_id == plan_id,
            ShieldedItem.item_type == item.type,
            ShieldedItem.item_id == item.id,
            ShieldedItem.ended_at.is_(None),
        )
    )
    if shielded is None:
        return item
    return replace(item, shielded=True)


def _outcome(decision: Decision) -> str:
    if decision.allowed:
        return "allowed"
    return "denied" if decision.visible else "not_found"


async def _record(
    session: AsyncSession,
    actor: Actor,
    permission: Permission,
    plan: Plan | None,
    facts: PlanFacts | None,
    item: ItemFacts | None,
    clock: Clock,
    outcome: str,
    reason: str,
    role: Role | None = None,
) -> None:
    unit = None
    if role is Role.PROVIDER and facts is not None and facts.grant_units:
        unit = sorted(facts.grant_units)[0]
    await audit.record(
        session,
        action=permission.value,
        outcome=outcome,
        reason=reason,
        clock=clock,
        municipality_id=plan.municipality_id if plan is not None else None,
        actor_person_id=actor.person_id,
        actor_employee_id=actor.employee_id,
        on_behalf_of_person_id=actor.acting_for_person_id,
        plan_id=plan.id if plan is not None else None,
        item_type=item.type if item is not None else None,
        item_id=item.id if item is not None else None,
        actor_role=role.value if role is not None else None,
        actor_unit_id=unit,
        keep_on_rollback=outcome != "allowed",
    )
