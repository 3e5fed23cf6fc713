"""THE authorization module: the only place that answers "may this person do this?".

    require(session, actor, Permission.X, plan_id, *, clock)   -> Plan, or NotFound / Forbidden
    visible_plans(session, actor, *, clock)                    -> WHERE clause for plan lists
    capabilities(session, actor, plan, *, clock)               -> {"manage_grants": True, ...}
    open_plan(session, actor, plan_id, *, clock)               -> PlanAccess (facts loaded once)
    open_plans(session, actor, plans, *, clock)                -> {plan id: PlanAccess} (lists)
    check(session, actor, opened, Permission.X, *, item, clock) -> None, or NotFound / Forbidden

The rules are the table in permissions.py (access.md as data) and the pure functions in
rules.py; facts.py gathers what they need; every decision goes to the audit log (audit.py).
tests/access/test_single_door.py fails if plan data is queried anywhere else.
"""

from app.access.actors import ActingBasis, Actor
from app.access.decisions import (
    capabilities,
    capabilities_many,
    municipality_capabilities,
    require,
    require_for_person,
    require_in_municipality,
    require_with_capabilities,
    roles_on,
)
from app.access.permissions import Permission, Purpose, Role
from app.access.plan_access import PlanAccess, check, open_plan, open_plans, peek_plan
from app.access.powers_of_attorney import (
    powers_given_or_held,
    require_granter,
    require_party,
    require_verifier,
    require_verifying_unit,
)
from app.access.rules import ItemFacts
from app.access.scopes import visible_plans

__all__ = [
    "ActingBasis",
    "Actor",
    "ItemFacts",
    "PlanAccess",
    "Permission",
    "Purpose",
    "Role",
    "capabilities",
    "check",
    "capabilities_many",
    "municipality_capabilities",
    "open_plan",
    "open_plans",
    "peek_plan",
    "powers_given_or_held",
    "require",
    "require_for_person",
    "require_granter",
    "require_in_municipality",
    "require_with_capabilities",
    "require_party",
    "require_verifier",
    "require_verifying_unit",
    "roles_on",
    "visible_plans",
]
