"""The pure rules of app/access/rules.py, without a database: age arithmetic, the evaluation of
every cell of permissions.TABLE, R-REP-2 (a representative never has more than the owner) and
grant coverage (write implies read)."""

from __future__ import annotations

import calendar
import uuid
from collections.abc import Iterator
from dataclasses import replace
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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
from app.access.rules import (
    GRANTER_MIN_AGE,
    GUARDIAN_UNTIL_AGE,
    SHIELDING_FROM_AGE,
    YOUTH_ACCESS_FROM_AGE,
    ItemFacts,
    PlanFacts,
    PowerOfAttorneyScope,
    decide,
    grant_covers,
    guardian_role,
    is_visible,
    latest_birth_date_for_age,
    own_role,
)
from app.models import GrantMode, PlanPart
from app.people.identity_numbers import age_on, age_or_zero

PLAN_ID, MUNICIPALITY_ID, OWNER_ID = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
OWN_UNIT, OTHER_UNIT = uuid.uuid4(), uuid.uuid4()
AGES = (SHIELDING_FROM_AGE, YOUTH_ACCESS_FROM_AGE, GUARDIAN_UNTIL_AGE, 18)


# --- age arithmetic ------------------------------------------------------------------------------


def _days(first: date, last: date) -> Iterator[date]:
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)


def _births_near(today: date, years: int) -> set[date]:
    """The dates either side of the boundary, and every 29 February near it."""
    latest = latest_birth_date_for_age(today, years)
    near = {latest - timedelta(days=1), latest, latest + timedelta(days=1)}
    for year in range(today.year - years - 1, today.year - years + 2):
        if calendar.isleap(year):
            near.add(date(year, 2, 29))
    return {born for born in near if born <= today}


def test_r_age_latest_birth_date_agrees_with_age_on_for_every_day_of_a_leap_cycle() -> None:
    checked = 0
    for today in _days(date(2024, 1, 1), date(2028, 12, 31)):
        for years in AGES:
            latest = latest_birth_date_for_age(today, years)
            assert age_on(latest, today) >= years, (today, years)
            assert age_on(latest + timedelta(days=1), today) < years, (today, years)
            for born in _births_near(today, years):
                assert (born <= latest) == (age_on(born, today) >= years), (today, years, born)
                checked += 1
    assert checked > 5 * 365 * len(AGES) * 3


@pytest.mark.parametrize(
    ("today", "years", "latest"),
    [
        # 29 February counts as 1 March in common years (rules.md, R-AGE).
        (date(2025, 2, 28), 13, date(2012, 2, 28)),  # born 29 Feb 2012: still 12 today
        (date(2025, 3, 1), 13, date(2012, 3, 1)),  # ... and 13 from 1 March
        (date(2028, 2, 29), 16, date(2012, 2, 29)),  # a leap year: the birthday itself
        (date(2024, 2, 29), 13, date(2011, 2, 28)),  # today is 29 Feb, that year had none
    ],
)
def test_r_age_29_february_births(today: date, years: int, latest: date) -> None:
    assert latest_birth_date_for_age(today, years) == latest


@settings(max_examples=400, deadline=None)
@given(
    born=st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)),
    today=st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)),
    years=st.integers(min_value=1, max_value=120),
)
def test_r_age_latest_birth_date_is_the_sql_form_of_age_or_zero(
    born: date, today: date, years: int
) -> None:
    try:
        latest = latest_birth_date_for_age(today, years)
    except ValueError:  # before year 1
        return
    assert (born <= latest) == (age_or_zero(born, today) >= years)


@pytest.mark.parametrize("age", range(0, 20))
def test_r_age_1_2_4_tiers_by_age(age: int) -> None:
    expected_guardian = (
        Role.GUARDIAN_OF_CHILD if age < 12 else Role.GUARDIAN_OF_YOUTH if age < 16 else None
    )
    assert guardian_role(age) is expected_guardian
    assert own_role(age, youth_access=False) is (Role.OWNER if age >= 16 else None)
    expected_youth = Role.OWNER if age >= 16 else Role.YOUTH_OWNER if age >= 13 else None
    assert own_role(age, youth_access=True) is expected_youth
    assert GRANTER_MIN_AGE == GUARDIAN_UNTIL_AGE == 16


# --- grant coverage ------------------------------------------------------------------------------

grant_maps = st.dictionaries(st.sampled_from(list(PlanPart)), st.sampled_from(list(GrantMode)))


@given(grants=grant_maps, part=st.sampled_from(list(PlanPart)))
def test_r_con_2_write_implies_read_and_read_never_implies_write(
    grants: dict[PlanPart, GrantMode], part: PlanPart
) -> None:
    held = grants.get(part)
    assert grant_covers(grants, part, GrantMode.READ) is (held is not None)
    assert grant_covers(grants, part, GrantMode.WRITE) is (held is GrantMode.WRITE)
    if grant_covers(grants, part, GrantMode.WRITE):
        assert grant_covers(grants, part, GrantMode.READ)


@given(grants=grant_maps, mode=st.sampled_from(list(GrantMode)))
def test_r_con_2_any_grant_lets_one_see_that_the_plan_exists(
    grants: dict[PlanPart, GrantMode], mode: GrantMode
) -> None:
    assert grant_covers(grants, None, mode) is bool(grants)


def test_r_con_2_a_grant_covers_only_its_own_part() -> None:
    grants = {PlanPart.GOALS_ACTIONS: GrantMode.WRITE}
    for part in PlanPart:
        covered = part is PlanPart.GOALS_ACTIONS
        assert grant_covers(grants, part, GrantMode.READ) is covered
        assert grant_covers(grants, part, GrantMode.WRITE) is covered


# --- every cell of the table ---------------------------------------------------------------------


def _facts(roles: set[Role], **changes: object) -> PlanFacts:
    facts = PlanFacts(
        plan_id=PLAN_ID,
        municipality_id=MUNICIPALITY_ID,
        owner_id=OWNER_ID,
        owner_age=40,
        roles=frozenset(roles),
    )
    return replace(facts, **changes)  # type: ignore[arg-type]


def _grant_for(permission: Permission, mode: GrantMode) -> dict[PlanPart, GrantMode]:
    part = PART.get(permission)
    return {part if part is not None else PlanPart.NOTES: mode}


def _other_part(permission: Permission) -> PlanPart:
    part = PART.get(permission)
    return next(p for p in PlanPart if p is not part)


_ALL_PARTS = frozenset(PlanPart)


def _minimal(
    permission: Permission, role: Role, rule: Rule
) -> tuple[PlanFacts, ItemFacts | None, Purpose | None]:
    """The least the actor needs for this rule to allow."""
    if isinstance(rule, Allow):
        return _facts({role}), None, None
    if isinstance(rule, ByGrant):
        item = None
        if rule.own_unit or rule.member:
            item = ItemFacts("action", uuid.uuid4(), OWN_UNIT, actor_is_member=rule.member)
        if rule.own_words:
            item = ItemFacts("contribution", uuid.uuid4(), actor_wrote=True)
        facts = _facts(
            {role}, grants=_grant_for(permission, rule.mode), grant_units=frozenset({OWN_UNIT})
        )
        return facts, item, None
    if isinstance(rule, ByScope):
        part = PART.get(permission)
        scope = PowerOfAttorneyScope(
            frozenset({part}) if part is not None else frozenset({PlanPart.NOTES}),
            acts=permission in WRITES,
            manages_consent=rule.needs_consent_power,
        )
        return _facts({role}, power_of_attorney=scope), None, None
    if isinstance(rule, ForPurpose):
        return _facts({role}), None, rule.purpose
    if isinstance(rule, MeantForOwner):
        return _facts({role}), ItemFacts("thread", uuid.uuid4(), meant_for_owner=True), None
    raise AssertionError(f"no minimal facts for {rule!r}")


def _knock_outs(
    permission: Permission,
    role: Role,
    rule: Rule,
    facts: PlanFacts,
    item: ItemFacts | None,
    purpose: Purpose | None,
) -> Iterator[tuple[str, PlanFacts, ItemFacts | None, Purpose | None]]:
    """Each condition of the rule taken away, one at a time: every one must deny."""
    if isinstance(rule, ByGrant):
        if rule.mode is GrantMode.WRITE:
            read = replace(facts, grants=_grant_for(permission, GrantMode.READ))
            yield "read grant only", read, item, purpose
        if PART.get(permission) is not None:
            elsewhere = replace(facts, grants={_other_part(permission): GrantMode.WRITE})
            yield "grant on another part", elsewhere, item, purpose
        if rule.own_unit:
            other = ItemFacts("action", uuid.uuid4(), OTHER_UNIT, actor_is_member=rule.member)
            yield "another unit's item", facts, other, purpose
            yield "no item", facts, None, purpose
        if rule.member:
            assert item is not None
            yield "not a member", facts, replace(item, actor_is_member=False), purpose
        if rule.own_words:
            assert item is not None
            yield "someone else's words", facts, replace(item, actor_wrote=False), purpose
            yield "a unit's item", facts, replace(item, responsible_unit_id=OWN_UNIT), purpose
            yield "no item", facts, None, purpose
    if isinstance(rule, ByScope):
        scope = facts.power_of_attorney
        assert scope is not None
        part = PART.get(permission)
        if part is not None:
            narrower = replace(scope, parts=_ALL_PARTS - {part})
            yield (
                "part outside the fullmakt",
                replace(facts, power_of_attorney=narrower),
                item,
                purpose,
            )
        if permission in WRITES:
            read_only = replace(scope, acts=False, parts=_ALL_PARTS, manages_consent=True)
            yield "read-only fullmakt", replace(facts, power_of_attorney=read_only), item, purpose
        if rule.needs_consent_power:
            no_consent = replace(scope, manages_consent=False, parts=_ALL_PARTS, acts=True)
            yield (
                "no power over consent",
                replace(facts, power_of_attorney=no_consent),
                item,
                purpose,
            )
    if isinstance(rule, ForPurpose):
        yield "no purpose", facts, item, None
        for other_purpose in Purpose:
            if other_purpose is not rule.purpose:
                yield f"purpose {other_purpose.value}", facts, item, other_purpose
    if isinstance(rule, MeantForOwner):
        assert item is not None
        yield "a thread not meant for them", facts, replace(item, meant_for_owner=False), purpose
        yield "no item", facts, None, purpose


# Decided about a person (require_for_person) or a municipality (require_in_municipality), never
# through decide() for a plan; test_matrix.py tries them through those doors.
NOT_ABOUT_A_PLAN = frozenset(
    {
        Permission.APPLY,
        Permission.REPORT_NEED,
        Permission.REGISTER_PAPER_APPLICATION,
        Permission.MANAGE_POWERS_OF_ATTORNEY,
        Permission.DECIDE_CASE,
        Permission.KEEP_REGISTERS,
        Permission.VERIFY_POWER_OF_ATTORNEY,
    }
)
PLAN_PERMISSIONS = [permission for permission in TABLE if permission not in NOT_ABOUT_A_PLAN]


def _cells() -> Iterator[tuple[Permission, Role]]:
    for permission in PLAN_PERMISSIONS:
        for role in Role:
            yield permission, role


@pytest.mark.parametrize(("permission", "role"), list(_cells()), ids=lambda v: str(v))
def test_decide_answers_every_plan_cell_of_the_table(permission: Permission, role: Role) -> None:
    rule = TABLE[permission].get(role)
    if rule is None:
        # A role the row does not name is denied, however much else the actor holds.
        facts = _facts(
            {role},
            grants=dict.fromkeys(PlanPart, GrantMode.WRITE),
            grant_units=frozenset({OWN_UNIT}),
            power_of_attorney=PowerOfAttorneyScope(_ALL_PARTS, acts=True, manages_consent=True),
        )
        member_item = ItemFacts("action", uuid.uuid4(), OWN_UNIT, actor_is_member=True)
        for any_purpose in (None, *Purpose):
            decision = decide(facts, permission, item=member_item, purpose=any_purpose)
            assert not decision.allowed
            assert decision.visible is is_visible(facts)
            assert decision.reason == ("not_permitted" if decision.visible else "not_visible")
        return
    facts, item, purpose = _minimal(permission, role, rule)
    decision = decide(facts, permission, item=item, purpose=purpose)
    assert decision.allowed and decision.visible and decision.role is role, decision
    for what, less, less_item, less_purpose in _knock_outs(
        permission, role, rule, facts, item, purpose
    ):
        denied = decide(less, permission, item=less_item, purpose=less_purpose)
        assert not denied.allowed, what
        assert denied.visible is is_visible(less), what


def test_r_con_2_without_any_grant_a_relative_or_provider_sees_nothing() -> None:
    for role in (Role.RELATIVE, Role.PROVIDER):
        decision = decide(_facts({role}), Permission.SEE_PLAN)
        assert decision == decide(_facts({role}), Permission.READ_NOTES)
        assert not decision.visible and decision.reason == "not_visible"


def test_other_employees_never_see_a_plan() -> None:
    for permission in TABLE:
        assert not decide(_facts({Role.OTHER_EMPLOYEE}), permission).visible


def test_r_rep_1_a_representative_without_a_fullmakt_in_force_sees_nothing() -> None:
    assert not is_visible(_facts({Role.REPRESENTATIVE}))


@pytest.mark.parametrize("permission", PLAN_PERMISSIONS, ids=str)
def test_r_age_2_a_shielded_item_does_not_exist_for_a_guardian_of_a_youth(
    permission: Permission,
) -> None:
    shielded = ItemFacts("goal", uuid.uuid4(), shielded=True)
    decision = decide(_facts({Role.GUARDIAN_OF_YOUTH}, owner_age=14), permission, item=shielded)
    assert (decision.allowed, decision.visible, decision.reason) == (False, False, "shielded")
    # Shielding is about guardians of 12-15-year-olds only; the owner and the coordinator keep it.
    for role in (Role.YOUTH_OWNER, Role.COORDINATOR, Role.GUARDIAN_OF_CHILD):
        assert decide(_facts({role}), permission, item=shielded).reason != "shielded"


# --- R-REP-2 -------------------------------------------------------------------------------------

scopes = st.builds(
    PowerOfAttorneyScope,
    parts=st.frozensets(st.sampled_from(list(PlanPart))),
    acts=st.booleans(),
    manages_consent=st.booleans(),
)
items = st.one_of(
    st.none(),
    st.builds(
        ItemFacts,
        type=st.sampled_from(["goal", "action", "note", "thread", "meeting"]),
        id=st.just(uuid.uuid4()),
        responsible_unit_id=st.sampled_from([None, OWN_UNIT, OTHER_UNIT]),
        actor_is_member=st.booleans(),
        meant_for_owner=st.booleans(),
    ),
)


@settings(max_examples=600, deadline=None)
@given(
    scope=scopes,
    permission=st.sampled_from(PLAN_PERMISSIONS),
    item=items,
    purpose=st.one_of(st.none(), st.sampled_from(list(Purpose))),
)
def test_r_rep_2_a_representative_never_has_more_than_the_owner(
    scope: PowerOfAttorneyScope,
    permission: Permission,
    item: ItemFacts | None,
    purpose: Purpose | None,
) -> None:
    represented = decide(
        _facts({Role.REPRESENTATIVE}, power_of_attorney=scope),
        permission,
        item=item,
        purpose=purpose,
    )
    owner = decide(_facts({Role.OWNER}), permission, item=item, purpose=purpose)
    if represented.allowed:
        assert owner.allowed
        part = PART.get(permission)
        assert part is None or part in scope.parts  # within the fullmakt's parts
        assert permission not in WRITES or scope.acts  # a read-only fullmakt never writes
        assert permission is not Permission.MANAGE_GRANTS or scope.manages_consent


@settings(max_examples=200, deadline=None)
@given(scope=scopes)
def test_r_rep_2_a_fullmakt_for_everything_gives_what_the_owner_has(
    scope: PowerOfAttorneyScope,
) -> None:
    full = replace(scope, parts=_ALL_PARTS, acts=True, manages_consent=True)
    for permission in PLAN_PERMISSIONS:
        represented = decide(_facts({Role.REPRESENTATIVE}, power_of_attorney=full), permission)
        owner = decide(_facts({Role.OWNER}), permission)
        assert represented.allowed is owner.allowed, permission
