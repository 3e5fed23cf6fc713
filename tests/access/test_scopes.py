"""visible_plans() and require() must agree (style.md convention 4): a plan is in an actor's
lists exactly when require(..., SEE_PLAN) lets them see it.

Checked for every actor of the test world against every plan, as the world is built and after
each of the changes that end or start access (a grant running out, a participant leaving, an
employee leaving a unit, a fullmakt ending, youth access withdrawn, ...), and on the evening
before and just after midnight of the 12th, 13th and 16th birthdays.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from app import access
from app.clock import OSLO, today_in_oslo
from app.errors import NotFound
from app.models import ConsentMethod, Grant, Plan, UnitMembership
from tests.access.access_fixtures import World, build_world
from tests.support.clock import FrozenClock

Change = Callable[[World], Awaitable[None]]


async def disagreements(session: AsyncSession, world: World) -> list[str]:
    """Every (actor, plan) for which the list and the door give different answers."""
    clock = world.clock
    plans = world.plans()
    ids = {plan.id for plan in plans.values()}
    found = []
    for actor_name, actor in world.actors().items():
        where = await access.visible_plans(session, actor, clock=clock)
        listed = set((await session.scalars(select(Plan.id).where(where))).all()) & ids
        for plan_name, plan in plans.items():
            try:
                await access.require(
                    session, actor, access.Permission.SEE_PLAN, plan.id, clock=clock
                )
                allowed = True
            except NotFound:
                allowed = False
            if allowed is not (plan.id in listed):
                found.append(
                    f"{actor_name} on {plan_name}: require says {allowed}, "
                    f"visible_plans says {plan.id in listed}"
                )
    return found


async def _yesterday(world: World) -> date:
    return today_in_oslo(world.clock) - timedelta(days=1)


async def _grants_expired(world: World) -> None:
    for grant in await world.grants_of(world.relative_participant):
        grant.valid_until = await _yesterday(world)
    for grant in await world.grants_of(world.provider_participant):
        grant.valid_until = await _yesterday(world)


async def _grants_start_tomorrow(world: World) -> None:
    tomorrow = today_in_oslo(world.clock) + timedelta(days=1)
    for participant in (world.relative_participant, world.provider_participant):
        for grant in await world.grants_of(participant):
            grant.valid_from = tomorrow


async def _grants_end_today(world: World) -> None:  # R-CON-5: still good until the end of the day
    today = today_in_oslo(world.clock)
    for participant in (world.relative_participant, world.provider_participant):
        for grant in await world.grants_of(participant):
            grant.valid_until = today


async def _paper_grants_unverified(world: World) -> None:
    for participant in (world.relative_participant, world.provider_participant):
        for grant in await world.grants_of(participant):
            grant.method = ConsentMethod.PAPER
            grant.verified_at = None


async def _paper_grants_verified(world: World) -> None:
    for participant in (world.relative_participant, world.provider_participant):
        for grant in await world.grants_of(participant):
            grant.method = ConsentMethod.PAPER
            grant.verified_at = world.clock.now()
            grant.verified_by_employee_id = world.ke_staff.id


async def _grants_withdrawn(world: World) -> None:  # R-CON-3
    for participant in (world.relative_participant, world.provider_participant):
        await world.set_grants(participant, {})


async def _participants_left(world: World) -> None:
    for participant in (world.relative_participant, world.provider_participant):
        participant.left_at = world.clock.now()


async def _provider_left_home_care(world: World) -> None:
    await world.session.execute(
        delete(UnitMembership).where(
            UnitMembership.employee_id == world.provider.id,
            UnitMembership.unit_id == world.home_care.id,
        )
    )


async def _provider_moved_to_the_school(world: World) -> None:
    """Works in the school now, still listed for home care: the grant does not follow."""
    await _provider_left_home_care(world)
    world.session.add(
        UnitMembership(
            employee_id=world.provider.id, unit_id=world.school.id, created_at=world.clock.now()
        )
    )


async def _ke_staff_left_the_ke(world: World) -> None:
    await world.session.execute(
        delete(UnitMembership).where(UnitMembership.employee_id == world.ke_staff.id)
    )


async def _coordinator_replaced(world: World) -> None:
    for plan in world.plans().values():
        if plan.municipality_id == world.a.id:
            plan.coordinator_id = world.other_employee.id


async def _fullmakt_ended(world: World) -> None:
    world.power_of_attorney.ended_at = world.clock.now()


async def _fullmakt_expired(world: World) -> None:
    world.power_of_attorney.valid_until = await _yesterday(world)


async def _fullmakt_not_verified(world: World) -> None:
    world.power_of_attorney.verified_at = None


async def _fullmakt_verified_later(world: World) -> None:
    world.power_of_attorney.verified_at = world.clock.now() + timedelta(hours=1)


async def _fullmakt_with_one_part(world: World) -> None:
    await world.set_power(scope="messages", acts=False, manages_consent=False)


async def _fullmakt_from_a_minor(world: World) -> None:
    """Bad register data: the granter turns out to be 15. Nobody may act on it (R-REP-1)."""
    today = today_in_oslo(world.clock)
    world.adult.birth_date = today.replace(year=today.year - 15)


async def _youth_access_withdrawn(world: World) -> None:
    world.youth_access.ended_at = world.clock.now()


async def _youth_access_for_the_other_youth(world: World) -> None:
    world.youth_access.plan_id = world.plan_youth_closed.id


async def _employee_of_b_in_a_unit_of_a(world: World) -> None:
    """A membership across municipalities (bad data) still opens nothing of A to B's staff."""
    world.session.add(
        UnitMembership(
            employee_id=world.provider_b.id,
            unit_id=world.ke_unit.id,
            created_at=world.clock.now(),
        )
    )


CHANGES: dict[str, Change | None] = {
    "as built": None,
    "grants expired yesterday": _grants_expired,
    "grants start tomorrow": _grants_start_tomorrow,
    "grants end today": _grants_end_today,
    "paper grants not verified": _paper_grants_unverified,
    "paper grants verified": _paper_grants_verified,
    "grants withdrawn": _grants_withdrawn,
    "participants left": _participants_left,
    "provider left home care": _provider_left_home_care,
    "provider moved to the school": _provider_moved_to_the_school,
    "KE staff left the KE": _ke_staff_left_the_ke,
    "coordinator replaced": _coordinator_replaced,
    "fullmakt ended": _fullmakt_ended,
    "fullmakt expired": _fullmakt_expired,
    "fullmakt not verified": _fullmakt_not_verified,
    "fullmakt verified in an hour": _fullmakt_verified_later,
    "fullmakt for one part, read only": _fullmakt_with_one_part,
    "fullmakt from a 15-year-old": _fullmakt_from_a_minor,
    "youth access withdrawn": _youth_access_withdrawn,
    "youth access moved": _youth_access_for_the_other_youth,
    "employee of B in a unit of A": _employee_of_b_in_a_unit_of_a,
}


@pytest.mark.parametrize("change", list(CHANGES), ids=str)
async def test_visible_plans_agrees_with_require_for_every_actor_and_plan(
    session: AsyncSession, clock: FrozenClock, change: str
) -> None:
    world = await build_world(session, clock)
    apply = CHANGES[change]
    if apply is not None:
        await apply(world)
        await session.flush()
    assert await disagreements(session, world) == []


async def test_visible_plans_lists_the_expected_plans_for_each_actor(
    session: AsyncSession, clock: FrozenClock
) -> None:
    """The agreement above would also hold if both said no to everything; this pins the lists."""
    world = await build_world(session, clock)
    names = {plan.id: name for name, plan in world.plans().items()}
    expected = {
        "owner_adult": {"plan_adult"},
        "owner_sixteen": {"plan_sixteen"},
        "owner_youth_with_access": {"plan_youth"},
        "owner_youth_without_access": set(),
        "owner_child": set(),
        "owner_b": {"plan_b"},
        "guardian_of_child": {"plan_child"},
        "guardian_of_youth": {"plan_youth"},
        "guardian_of_youth_closed": {"plan_youth_closed"},
        "former_guardian_of_sixteen": set(),
        "guardian_as_themself": set(),
        "representative": {"plan_adult"},
        "representative_as_themself": set(),
        "relative": {"plan_adult"},
        "ke_staff": {"plan_child", "plan_youth", "plan_youth_closed", "plan_sixteen", "plan_adult"},
        "coordinator": {
            "plan_child",
            "plan_youth",
            "plan_youth_closed",
            "plan_sixteen",
            "plan_adult",
        },
        "provider": {"plan_adult"},
        "provider_without_grant": set(),
        "other_employee": set(),
        "ke_staff_b": {"plan_b"},
        "coordinator_b": {"plan_b"},
        "provider_b": {"plan_b"},
    }
    for actor_name, actor in world.actors().items():
        where = await access.visible_plans(session, actor, clock=clock)
        listed = {names[i] for i in (await session.scalars(select(Plan.id).where(where))).all()}
        assert listed == expected[actor_name], actor_name


def _at_oslo(day: date, hour: int, minute: int) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=OSLO).astimezone(UTC)


BIRTHDAY = date(2026, 11, 23)  # the frozen clock's day: everyone below has a birthday today


@pytest.mark.parametrize(
    "instant",
    [
        _at_oslo(BIRTHDAY - timedelta(days=1), 12, 0),
        _at_oslo(BIRTHDAY - timedelta(days=1), 23, 30),
        _at_oslo(BIRTHDAY, 0, 30),
        _at_oslo(BIRTHDAY, 12, 0),
        _at_oslo(BIRTHDAY + timedelta(days=1), 0, 30),
    ],
    ids=["day-before", "eve-23:30-oslo", "birthday-00:30-oslo", "birthday", "day-after"],
)
async def test_visible_plans_agrees_with_require_at_the_age_boundaries(
    session: AsyncSession, clock: FrozenClock, instant: datetime
) -> None:
    world = await build_world(session, clock)
    world.child.birth_date = BIRTHDAY.replace(year=BIRTHDAY.year - 12)
    world.youth.birth_date = BIRTHDAY.replace(year=BIRTHDAY.year - 13)
    world.youth_closed.birth_date = BIRTHDAY.replace(year=BIRTHDAY.year - 16)
    world.sixteen.birth_date = BIRTHDAY.replace(year=BIRTHDAY.year - 16)
    await session.flush()
    clock.set(instant)
    assert await disagreements(session, world) == []
    # ... and the boundary did move: the youth (13 today) sees the plan from midnight Oslo time.
    youth = world.citizen(world.youth)
    where = await access.visible_plans(session, youth, clock=clock)
    listed = (await session.scalars(select(Plan.id).where(where))).all()
    assert (world.plan_youth.id in listed) is (today_in_oslo(clock) >= BIRTHDAY)


async def test_paper_grants_are_checked_like_electronic_ones(
    session: AsyncSession, clock: FrozenClock
) -> None:
    """The relative's paper grant counts only once verified (R-CON-4), in both answers."""
    world = await build_world(session, clock)
    await _paper_grants_unverified(world)
    await session.flush()
    relative = world.citizen(world.relative)
    where = await access.visible_plans(session, relative, clock=clock)
    assert (await session.scalars(select(Plan.id).where(where))).all() == []
    grants = (
        await session.scalars(select(Grant).where(Grant.plan_id == world.plan_adult.id))
    ).all()
    assert grants and all(g.method is ConsentMethod.PAPER for g in grants)
