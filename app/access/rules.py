"""Pure rules: age tiers and the evaluation of the permission table. No I/O, no clock reads.

Everything here is a function of facts the loader in app/access/facts.py gathered, so the
rules can be tested exhaustively without a database.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from app.access.permissions import (
    PART,
    TABLE,
    WRITES,
    Allow,
    ByGrant,
    ByScope,
    ForPurpose,
    MeantForOwner,
    Permission,
    Purpose,
    Role,
    Rule,
)
from app.models import GrantMode, PlanPart

GUARDIAN_UNTIL_AGE = 16  # R-AGE-4: from 16 the young person is in charge
SHIELDING_FROM_AGE = 12  # R-AGE-2
YOUTH_ACCESS_FROM_AGE = 13  # R-AGE-3
OWN_VIEW_FROM_AGE = 7  # R-AGE-5
ADULT_AGE = 18  # R-REP-1: a holder of a fullmakt
GRANTER_MIN_AGE = 16  # R-REP-1: a granter of a fullmakt

# Items a child of 12-15 may shield; meetings and the coordinator never are (R-AGE-2).
SHIELDABLE_ITEM_TYPES = frozenset({"goal", "action", "note", "thread"})


def latest_birth_date_for_age(today: date, years: int) -> date:
    """The latest birth date of someone who is at least `years` old today (Oslo date).

    A 29 February birthday counts as 1 March in other years, so on 28 February of a common
    year someone born on 29 February is not yet a year older.
    """
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # today is 29 February and that year has none
        return date(today.year - years, 2, 28)


def guardian_role(owner_age: int) -> Role | None:
    """R-AGE-1, R-AGE-2, R-AGE-4: what a guardian is to a child of this age, if anything."""
    if owner_age >= GUARDIAN_UNTIL_AGE:
        return None
    return Role.GUARDIAN_OF_YOUTH if owner_age >= SHIELDING_FROM_AGE else Role.GUARDIAN_OF_CHILD


def own_role(owner_age: int, *, youth_access: bool) -> Role | None:
    """The owner's own standing: in charge from 16, reading from 13 with consent (R-AGE-3)."""
    if owner_age >= GUARDIAN_UNTIL_AGE:
        return Role.OWNER
    if owner_age >= YOUTH_ACCESS_FROM_AGE and youth_access:
        return Role.YOUTH_OWNER
    return None


@dataclass(frozen=True)
class PowerOfAttorneyScope:
    parts: frozenset[PlanPart]  # every part when the fullmakt says "all"
    acts: bool
    manages_consent: bool


@dataclass(frozen=True)
class PlanFacts:
    """What the access rules need to know about one actor and one plan."""

    plan_id: uuid.UUID
    municipality_id: uuid.UUID
    owner_id: uuid.UUID
    owner_age: int
    roles: frozenset[Role]
    grants: Mapping[PlanPart, GrantMode] = field(default_factory=dict)
    # Units the employee takes part for, and still works in (leaving a unit ends it at once).
    grant_units: frozenset[uuid.UUID] = frozenset()
    power_of_attorney: PowerOfAttorneyScope | None = None


@dataclass(frozen=True)
class ItemFacts:
    """An item inside a plan, as the owning service knows it."""

    type: str
    id: uuid.UUID | None = None
    responsible_unit_id: uuid.UUID | None = None
    actor_is_member: bool = False  # of a thread or a meeting
    meant_for_owner: bool = False  # a thread the owner (13-15) is part of
    shielded: bool = False  # filled in by the loader, never by the caller
    actor_wrote: bool = False  # the actor wrote it (or is writing it now)
    # For changing something already written that only its author may change (a note, a
    # review): False refuses, None means the rule does not apply.
    written_by_actor: bool | None = None


@dataclass(frozen=True)
class Decision:
    allowed: bool
    visible: bool
    role: Role | None
    reason: str


def grant_covers(
    grants: Mapping[PlanPart, GrantMode], part: PlanPart | None, mode: GrantMode
) -> bool:
    if part is None:  # "see that the plan exists": any grant will do
        return bool(grants)
    held = grants.get(part)
    return held is GrantMode.WRITE or (held is GrantMode.READ and mode is GrantMode.READ)


def _rule_allows(
    rule: Rule,
    permission: Permission,
    facts: PlanFacts,
    item: ItemFacts | None,
    purpose: Purpose | None,
) -> bool:
    part = PART.get(permission)
    if isinstance(rule, Allow):
        return True
    if isinstance(rule, ByGrant):
        if not grant_covers(facts.grants, part, rule.mode):
            return False
        if rule.own_unit and (item is None or item.responsible_unit_id not in facts.grant_units):
            return False
        if rule.own_words and (
            item is None or not item.actor_wrote or item.responsible_unit_id is not None
        ):
            return False
        return not rule.member or (item is not None and item.actor_is_member)
    if isinstance(rule, ByScope):
        # R-REP-2: never more than the owner would have, and only within the fullmakt.
        scope = facts.power_of_attorney
        if scope is None or (part is not None and part not in scope.parts):
            return False
        if permission in WRITES and not scope.acts:
            return False
        if rule.needs_consent_power and not scope.manages_consent:
            return False
        owner_rule = TABLE[permission].get(Role.OWNER)
        return owner_rule is not None and _rule_allows(owner_rule, permission, facts, item, purpose)
    if isinstance(rule, ForPurpose):
        return purpose is rule.purpose
    if isinstance(rule, MeantForOwner):
        return item is not None and item.meant_for_owner
    raise TypeError(f"unknown rule {rule!r}")


def is_visible(facts: PlanFacts) -> bool:
    """May the actor know the plan exists at all? If not, every answer is "not found"."""
    rules = TABLE[Permission.SEE_PLAN]
    return any(
        role in rules and _rule_allows(rules[role], Permission.SEE_PLAN, facts, None, None)
        for role in facts.roles
    )


def decide(
    facts: PlanFacts,
    permission: Permission,
    *,
    item: ItemFacts | None = None,
    purpose: Purpose | None = None,
) -> Decision:
    if not is_visible(facts):
        return Decision(False, False, None, "not_visible")
    # R-AGE-2: a shielded item does not exist for someone who is only a guardian of the child.
    if item is not None and item.shielded and facts.roles <= {Role.GUARDIAN_OF_YOUTH}:
        return Decision(False, False, Role.GUARDIAN_OF_YOUTH, "shielded")
    if item is not None and item.written_by_actor is False:
        held = sorted(facts.roles, key=_ROLE_ORDER.index)
        return Decision(False, True, held[0] if held else None, "not_author")
    rules = TABLE[permission]
    for role in sorted(facts.roles, key=_ROLE_ORDER.index):
        rule = rules.get(role)
        if rule is not None and _rule_allows(rule, permission, facts, item, purpose):
            return Decision(True, True, role, purpose.value if purpose else "allowed")
    held = sorted(facts.roles, key=_ROLE_ORDER.index)
    return Decision(False, True, held[0] if held else None, "not_permitted")


_ROLE_ORDER = list(Role)
