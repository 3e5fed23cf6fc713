"""One plan opened for one actor: the facts loaded once, then any number of decisions on items.

    opened = await open_plan(session, actor, plan_id, clock=clock)   # 404 if not visible
    await check(session, actor, opened, Permission.UPDATE_ACTION, item=..., clock=clock)
    opened.allows(Permission.UPDATE_ACTION, item)     # a flag for a page, not audited
    opened.hides("goal", goal_id)                      # shielded from this reader (R-AGE-2)

Pages with many items decide per item from the same facts, so the number of queries does not
grow with the number of items (quality.md P8). Every `check` is an audited decision, like
`require`.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.access.actors import Actor
from app.access.decisions import (
    ITEM_NOT_FOUND,
    NEEDS_HIGH_LEVEL,
    NOT_ALLOWED,
    PLAN_NOT_FOUND,
    _below_consent_level,
    _flags,
    _outcome,
    _record,
)
from app.access.facts import plan_facts, plan_facts_many
from app.access.permissions import Permission, Purpose, Role
from app.access.rules import Decision, ItemFacts, PlanFacts, decide, is_visible
from app.clock import Clock
from app.errors import Forbidden, NotFound
from app.models import Plan, ShieldedItem

# The parts of the timeline, and the permission that lets someone read each.
PART_READERS: dict[str, Permission] = {
    "plan": Permission.SEE_PLAN,
    "life_situation": Permission.READ_LIFE_SITUATION,
    "goals_actions": Permission.READ_GOALS_ACTIONS,
    "notes": Permission.READ_NOTES,
    "meetings": Permission.READ_MINUTES,
    "documents": Permission.READ_GOALS_ACTIONS,
}


@dataclass(frozen=True)
class PlanAccess:
    plan: Plan
    facts: PlanFacts
    can: dict[str, bool]
    hidden: frozenset[tuple[str, uuid.UUID]]  # items shielded from this reader

    def hides(self, item_type: str, item_id: uuid.UUID | None) -> bool:
        return item_id is not None and (item_type, item_id) in self.hidden

    def decide(
        self, permission: Permission, item: ItemFacts | None = None, purpose: Purpose | None = None
    ) -> Decision:
        if item is not None and self.hides(item.type, item.id):
            item = replace(item, shielded=True)
        return decide(self.facts, permission, item=item, purpose=purpose)

    def allows(self, permission: Permission, item: ItemFacts | None = None) -> bool:
        """For page flags: the same answer `check` would give, without an audit row."""
        return self.decide(permission, item).allowed

    @property
    def is_employee_in_group(self) -> bool:
        return bool(self.facts.roles & {Role.PROVIDER, Role.COORDINATOR})

    @property
    def unit_id(self) -> uuid.UUID | None:
        """The unit an employee takes part for (shown beside what they write)."""
        return min(self.facts.grant_units) if self.facts.grant_units else None

    def unit_for(self, item_unit_id: uuid.UUID | None) -> uuid.UUID | None:
        """The unit an employee writes for about an item: the item's own unit when they take
        part for it, else the unit they take part for. A coordinator who writes on home care's
        action writes as the coordinator, not as home care."""
        if item_unit_id is not None and item_unit_id in self.facts.grant_units:
            return item_unit_id
        return self.unit_id

    @property
    def is_owner_side(self) -> bool:
        """The owner, or someone who acts for them: their goals count as accepted at once."""
        return bool(
            self.facts.roles
            & {Role.OWNER, Role.GUARDIAN_OF_CHILD, Role.GUARDIAN_OF_YOUTH, Role.REPRESENTATIVE}
        )

    @property
    def is_coordinator(self) -> bool:
        return Role.COORDINATOR in self.facts.roles

    def readable_parts(self) -> frozenset[str]:
        parts = {part for part, needed in PART_READERS.items() if self.allows(needed)}
        # Messages on the timeline: only for those who may read every thread (the owner's side,
        # the coordinator), since the timeline does not know each thread's members.
        if self.allows(Permission.READ_MESSAGES, ItemFacts(type="thread")):
            parts.add("messages")
        if self.allows(Permission.READ_ACCESS_LOG) or self.allows(Permission.RECORD_PAPER_CONSENT):
            parts.add("group")
        return frozenset(parts)


async def open_plan(
    session: AsyncSession,
    actor: Actor,
    plan_id: uuid.UUID,
    *,
    clock: Clock,
    intent: Permission = Permission.SEE_PLAN,
) -> PlanAccess:
    """The plan and what the actor may do in it. NotFound when it is not visible, audited as a
    refusal of `intent` (what the caller was about to do); otherwise nothing is decided yet:
    `check` does that, per permission and item."""
    plan = await session.get(Plan, plan_id)
    facts = await plan_facts(session, actor, plan, clock=clock) if plan is not None else None
    if plan is None or facts is None or not is_visible(facts):
        await _record(session, actor, intent, plan, facts, None, clock, "not_found", "no_plan")
        raise NotFound(PLAN_NOT_FOUND, code="plan_not_found")
    return await _opened(session, plan, facts)


async def peek_plan(
    session: AsyncSession, actor: Actor, plan: Plan, *, clock: Clock
) -> PlanAccess | None:
    """What someone else could do in the plan, asked by the system, not by them (whom to tell
    that something is new): nothing is written to the audit log in their name, and nothing
    is shown to them. None when they may not know the plan exists."""
    facts = await plan_facts(session, actor, plan, clock=clock)
    return await _opened(session, plan, facts) if is_visible(facts) else None


async def open_plans(
    session: AsyncSession, actor: Actor, plans: Sequence[Plan], *, clock: Clock
) -> dict[uuid.UUID, PlanAccess]:
    """`open_plan` for a list (the unit inbox): the plans the actor may know of, in the same
    few queries for fifty plans as for one (quality.md P8). The caller found the plans through
    `visible_plans`; one it may not know of is left out, not refused."""
    facts = await plan_facts_many(session, actor, plans, clock=clock)
    visible = [plan for plan in plans if is_visible(facts[plan.id])]
    shielding = [plan.id for plan in visible if Role.GUARDIAN_OF_YOUTH in facts[plan.id].roles]
    hidden = await _shielded(session, shielding)
    return {
        plan.id: PlanAccess(
            plan, facts[plan.id], _flags(facts[plan.id]), hidden.get(plan.id, frozenset())
        )
        for plan in visible
    }


async def _opened(session: AsyncSession, plan: Plan, facts: PlanFacts) -> PlanAccess:
    hidden: frozenset[tuple[str, uuid.UUID]] = frozenset()
    if Role.GUARDIAN_OF_YOUTH in facts.roles:
        hidden = (await _shielded(session, [plan.id])).get(plan.id, frozenset())
    return PlanAccess(plan, facts, _flags(facts), hidden)


async def _shielded(
    session: AsyncSession, plan_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, frozenset[tuple[str, uuid.UUID]]]:
    """What each plan shields from a guardian of a 12-15-year-old (R-AGE-2)."""
    if not plan_ids:
        return {}
    rows = await session.execute(
        select(ShieldedItem.plan_id, ShieldedItem.item_type, ShieldedItem.item_id).where(
            ShieldedItem.plan_id.in_(plan_ids), ShieldedItem.ended_at.is_(None)
        )
    )
    found: dict[uuid.UUID, set[tuple[str, uuid.UUID]]] = {}
    for plan_id, item_type, item_id in rows:
        found.setdefault(plan_id, set()).add((item_type, item_id))
    return {plan_id: frozenset(items) for plan_id, items in found.items()}


async def check(
    session: AsyncSession,
    actor: Actor,
    opened: PlanAccess,
    permission: Permission,
    *,
    clock: Clock,
    item: ItemFacts | None = None,
    purpose: Purpose | None = None,
) -> None:
    """`require` for a plan already opened: decide, write the audit row, raise if refused."""
    decision = opened.decide(permission, item, purpose)
    if decision.allowed and _below_consent_level(actor, permission):
        decision = Decision(False, True, decision.role, "needs_high_level")
    if item is not None and opened.hides(item.type, item.id):
        item = ItemFacts(type=item.type, id=item.id, shielded=True)
    await _record(
        session,
        actor,
        permission,
        opened.plan,
        opened.facts,
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
