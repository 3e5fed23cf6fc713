"""Age tiers from the clock (R-AGE-1..5): no job runs, yet access changes on the birthday.

For a child born in winter (Oslo is UTC+1), one born in summer (UTC+2) and one born on 29
February, the clock is set to the day before, late on the eve, just after midnight Oslo time on
the birthday, the birthday itself and the day after, around the 12th, 13th and 16th birthdays.
At each instant the guardian's role, the young person's own access and the plan lists must match
the age the child has in Oslo at that instant.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app import access
from app.access import audit
from app.access.actors import Actor
from app.clock import OSLO, today_in_oslo
from app.errors import Forbidden, NotFound
from app.models import AuditEvent, Plan
from app.people.identity_numbers import age_on
from tests.access.access_fixtures import World, build_world
from tests.support.clock import FrozenClock

P = access.Permission
WINTER_BIRTH = date(2012, 1, 20)
SUMMER_BIRTH = date(2012, 7, 10)
LEAP_BIRTH = date(2012, 2, 29)


def _birthday(born: date, years: int) -> date:
    """The date someone turns `years` in Oslo: 29 February is 1 March in common years."""
    try:
        return born.replace(year=born.year + years)
    except ValueError:
        return date(born.year + years, 3, 1)


def _oslo(day: date, hour: int, minute: int) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=OSLO).astimezone(UTC)


@dataclass(frozen=True)
class Moment:
    name: str
    born: date
    instant: datetime

    @property
    def age(self) -> int:
        return age_on(self.born, self.instant.astimezone(OSLO).date())


def _moments() -> list[Moment]:
    moments = []
    for season, born in (("winter", WINTER_BIRTH), ("summer", SUMMER_BIRTH), ("29feb", LEAP_BIRTH)):
        for years in (12, 13, 16):
            day = _birthday(born, years)
            eve = day - timedelta(days=1)
            for label, instant in (
                ("day-before", datetime.combine(eve, time(12), tzinfo=UTC)),
                ("eve-23:30-oslo", _oslo(eve, 23, 30)),
                ("birthday-00:30-oslo", _oslo(day, 0, 30)),
                ("birthday", datetime.combine(day, time(12), tzinfo=UTC)),
                ("day-after", datetime.combine(day + timedelta(days=1), time(12), tzinfo=UTC)),
            ):
                moments.append(Moment(f"{season}-{years}th-{label}", born, instant))
    return moments


MOMENTS = _moments()


def test_the_moments_straddle_oslo_midnight_in_utc() -> None:
    """The eve is still the day before in Oslo although it is late in UTC, and just after
    midnight in Oslo is still the eve in UTC: winter 22:30Z / 23:30Z, summer 21:30Z / 22:30Z."""
    by_name = {moment.name: moment for moment in MOMENTS}
    winter_eve = by_name["winter-16th-eve-23:30-oslo"].instant
    winter_birthday = by_name["winter-16th-birthday-00:30-oslo"].instant
    assert winter_eve == datetime(2028, 1, 19, 22, 30, tzinfo=UTC)
    assert winter_birthday == datetime(2028, 1, 19, 23, 30, tzinfo=UTC)
    summer_eve = by_name["summer-16th-eve-23:30-oslo"].instant
    summer_birthday = by_name["summer-16th-birthday-00:30-oslo"].instant
    assert summer_eve == datetime(2028, 7, 9, 21, 30, tzinfo=UTC)
    assert summer_birthday == datetime(2028, 7, 9, 22, 30, tzinfo=UTC)
    assert by_name["29feb-13th-birthday"].instant.date() == date(2025, 3, 1)
    assert by_name["29feb-16th-birthday"].instant.date() == date(2028, 2, 29)
    for moment in MOMENTS:
        expected = moment.age
        before = "day-before" in moment.name or "eve" in moment.name
        years = int(moment.name.split("-")[1].removesuffix("th"))
        assert expected == (years - 1 if before else years), moment.name


async def _world_at(session: AsyncSession, clock: FrozenClock, moment: Moment) -> World:
    clock.set(moment.instant - timedelta(days=1))  # the world is built the day before
    world = await build_world(session, clock)
    world.youth.birth_date = moment.born  # youth access given by the guardian
    world.youth_closed.birth_date = moment.born  # no youth access
    await session.flush()
    clock.set(moment.instant)
    return world


async def _outcome(
    session: AsyncSession,
    actor: Actor,
    permission: access.Permission,
    plan: Plan,
    clock: FrozenClock,
    item: access.ItemFacts | None = None,
) -> str:
    try:
        await access.require(session, actor, permission, plan.id, clock=clock, item=item)
    except NotFound:
        return "not_found"
    except Forbidden:
        return "forbidden"
    return "allowed"


async def _listed(session: AsyncSession, actor: Actor, plan: Plan, clock: FrozenClock) -> bool:
    where = await access.visible_plans(session, actor, clock=clock)
    return plan.id in set((await session.scalars(select(Plan.id).where(where))).all())


def _ids(moment: Moment) -> str:
    return moment.name


@pytest.mark.parametrize("moment", MOMENTS, ids=_ids)
async def test_r_age_1_2_4_the_guardians_role_follows_the_oslo_birthday(
    session: AsyncSession, clock: FrozenClock, moment: Moment
) -> None:
    world = await _world_at(session, clock, moment)
    age = moment.age
    guardian = world.guardian(world.youth_guardian, world.youth)
    facts = await access.roles_on(session, guardian, world.plan_youth, clock=clock)
    assert facts.owner_age == age
    if age < 12:  # R-AGE-1
        assert facts.roles == {access.Role.GUARDIAN_OF_CHILD}
    elif age < 16:  # R-AGE-2
        assert facts.roles == {access.Role.GUARDIAN_OF_YOUTH}
    else:  # R-AGE-4: ended on the birthday, no job needed
        assert facts.roles == frozenset()

    see = await _outcome(session, guardian, P.SEE_PLAN, world.plan_youth, clock)
    decide_goal = await _outcome(session, guardian, P.DECIDE_GOAL, world.plan_youth, clock)
    youth_access = await _outcome(session, guardian, P.GRANT_YOUTH_ACCESS, world.plan_youth, clock)
    assert see == decide_goal == ("allowed" if age < 16 else "not_found")
    expected_youth_access = "forbidden" if age < 12 else "allowed" if age < 16 else "not_found"
    assert youth_access == expected_youth_access
    assert await _listed(session, guardian, world.plan_youth, clock) is (age < 16)
    # The other guardian, whose child has no youth access, fares the same.
    closed = world.guardian(world.closed_guardian, world.youth_closed)
    assert await _listed(session, closed, world.plan_youth_closed, clock) is (age < 16)
    closed_see = await _outcome(session, closed, P.SEE_PLAN, world.plan_youth_closed, clock)
    assert closed_see == ("allowed" if age < 16 else "not_found")


@pytest.mark.parametrize("moment", MOMENTS, ids=_ids)
async def test_r_age_2_shielding_hides_items_from_the_guardian_from_12_to_16(
    session: AsyncSession, clock: FrozenClock, moment: Moment
) -> None:
    world = await _world_at(session, clock, moment)
    age = moment.age
    guardian = world.guardian(world.youth_guardian, world.youth)
    goal_id = uuid.uuid4()
    await world.shield(world.plan_youth, "goal", goal_id)
    item = access.ItemFacts("goal", goal_id)
    outcome = await _outcome(session, guardian, P.READ_GOALS_ACTIONS, world.plan_youth, clock, item)
    # Under 12 shielding has no effect; from 12 the item does not exist for the guardian;
    # from 16 the guardian has no access at all.
    assert outcome == ("allowed" if age < 12 else "not_found")
    unshielded = access.ItemFacts("goal", uuid.uuid4())
    other = await _outcome(
        session, guardian, P.READ_GOALS_ACTIONS, world.plan_youth, clock, unshielded
    )
    assert other == ("allowed" if age < 16 else "not_found")
    # The young person and the coordinator still see the shielded item.
    youth = world.citizen(world.youth)
    own = await _outcome(session, youth, P.READ_GOALS_ACTIONS, world.plan_youth, clock, item)
    assert own == ("allowed" if age >= 13 else "not_found")
    coordinator = world.staff(world.coordinator)
    assert await _outcome(
        session, coordinator, P.READ_GOALS_ACTIONS, world.plan_youth, clock, item
    ) == ("allowed")
    await audit.seal_pending(session)
    reasons = (
        await session.scalars(
            select(AuditEvent.reason).where(
                AuditEvent.actor_person_id == world.youth_guardian.id,
                AuditEvent.item_id == goal_id,
            )
        )
    ).all()
    expected_reason = "allowed" if age < 12 else "shielded" if age < 16 else "not_visible"
    assert reasons == [expected_reason]


@pytest.mark.parametrize("moment", MOMENTS, ids=_ids)
async def test_r_age_3_4_the_young_persons_own_access_from_13_and_16(
    session: AsyncSession, clock: FrozenClock, moment: Moment
) -> None:
    world = await _world_at(session, clock, moment)
    age = moment.age
    youth, closed = world.citizen(world.youth), world.citizen(world.youth_closed)
    facts = await access.roles_on(session, youth, world.plan_youth, clock=clock)
    if age >= 16:
        assert facts.roles == {access.Role.OWNER}
    elif age >= 13:
        assert facts.roles == {access.Role.YOUTH_OWNER}
    else:
        assert facts.roles == frozenset()

    # R-AGE-3: from 13 with the guardian's consent; without it not before 16.
    see = await _outcome(session, youth, P.SEE_PLAN, world.plan_youth, clock)
    assert see == ("allowed" if age >= 13 else "not_found")
    assert await _listed(session, youth, world.plan_youth, clock) is (age >= 13)
    closed_see = await _outcome(session, closed, P.SEE_PLAN, world.plan_youth_closed, clock)
    assert closed_see == ("allowed" if age >= 16 else "not_found")
    assert await _listed(session, closed, world.plan_youth_closed, clock) is (age >= 16)

    # R-AGE-4: from 16 the owner is in charge of the grants; before, the guardian is.
    manage = await _outcome(session, youth, P.MANAGE_GRANTS, world.plan_youth, clock)
    assert manage == ("allowed" if age >= 16 else "forbidden" if age >= 13 else "not_found")
    youth_plan = await session.get(Plan, world.plan_youth.id)
    assert youth_plan is not None
    can = await access.capabilities(session, youth, youth_plan, clock=clock)
    assert can["manage_grants"] is (age >= 16)
    assert can["read_goals_actions"] is (age >= 13)
    assert can["grant_youth_access"] is False
    guardian = world.guardian(world.youth_guardian, world.youth)
    guardian_can = await access.capabilities(session, guardian, youth_plan, clock=clock)
    assert guardian_can["manage_grants"] is (age < 16)


async def test_r_age_4_a_context_chosen_the_evening_before_ends_at_midnight_oslo(
    session: AsyncSession, clock: FrozenClock
) -> None:
    """One actor, one session: nothing is refreshed between the two requests but the clock."""
    moment = next(m for m in MOMENTS if m.name == "winter-16th-eve-23:30-oslo")
    world = await _world_at(session, clock, moment)
    guardian = world.guardian(world.youth_guardian, world.youth)
    assert await _outcome(session, guardian, P.SEE_PLAN, world.plan_youth, clock) == "allowed"
    clock.advance(timedelta(hours=1))  # 00:30 in Oslo, still the 19th in UTC
    assert clock.now().date() == date(2028, 1, 19)
    assert today_in_oslo(clock) == date(2028, 1, 20)
    assert await _outcome(session, guardian, P.SEE_PLAN, world.plan_youth, clock) == "not_found"
    assert not await _listed(session, guardian, world.plan_youth, clock)


@pytest.mark.parametrize("age", [6, 7, 8, 11])
async def test_r_age_5_the_childs_own_view_is_written_by_the_guardian_or_coordinator(
    session: AsyncSession, clock: FrozenClock, age: int
) -> None:
    """From 7 the plan has a place for the child's own view; a child under 13 has no login of
    their own, so the guardian or the coordinator writes it down with them."""
    world = await build_world(session, clock)
    today = today_in_oslo(clock)
    world.child.birth_date = today.replace(year=today.year - age) - timedelta(days=3)
    await session.flush()
    guardian = world.guardian(world.child_guardian, world.child)
    coordinator = world.staff(world.coordinator)
    child = world.citizen(world.child)
    for actor in (guardian, coordinator):
        assert await _outcome(session, actor, P.WRITE_OWN_WORDS, world.plan_child, clock) == (
            "allowed"
        )
    assert await _outcome(session, child, P.WRITE_OWN_WORDS, world.plan_child, clock) == (
        "not_found"
    )
