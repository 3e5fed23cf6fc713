"""R-PLAN-1: the nine content items, filled in one by one; the KE sees which are missing but not
what the plan says. R-AGE-5: the child's own view, from 7."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from app.actions import service as actions
from app.clock import today_in_oslo
from app.completeness import service as completeness
from app.goals import service as goals
from app.life_situation import service as life
from app.models import Contributor, RegisteredGuardianship
from app.plan_frame import service as frame
from app.plan_view import service as plan_view
from app.plans import service as plans
from tests.consents.world import born
from tests.factories import make_person
from tests.plan_content.plan_world import VAULT, PlanWorld, home_visit, nurse_may_write
from tests.support.clock import FrozenClock
from tests.support.logins import citizen


async def _done(session: AsyncSession, world: PlanWorld, clock: FrozenClock) -> set[str]:
    view = await plan_view.plan_view(session, world.coordinator, world.plan_id, clock=clock)
    assert [item.key for item in view.completeness] == [
        key for key, _ in completeness.CONTENT_ITEMS
    ]
    return {item.key for item in view.completeness if item.done}


async def test_r_plan_1_completeness_grows_item_by_item(
    session: AsyncSession, world: PlanWorld, clock: FrozenClock
) -> None:
    plan_id = world.plan_id
    assert await _done(session, world, clock) == {"coordinator", "period"}

    # A proposal is not yet a goal of the plan, and words without needs are not enough.
    await goals.propose_goal(
        session, world.coordinator, plan_id, goals.GoalInput("Trene"), clock=clock
    )
    words = await life.write_own_words(
        session,
        world.owner,
        plan_id,
        life.OwnWords(what_matters="Heime"),
        seen_version=None,
        clock=clock,
    )
    await goals.propose_goal(session, world.owner, plan_id, goals.GoalInput("Gå tur"), clock=clock)
    assert "goals_needs" not in await _done(session, world, clock)
    await life.write_own_words(
        session,
        world.owner,
        plan_id,
        life.OwnWords(what_matters="Heime", needs="Hjelp"),
        seen_version=words.version,
        clock=clock,
    )
    assert "goals_needs" in await _done(session, world, clock)

    await nurse_may_write(session, world, clock)  # a participant, with the owner's consent
    assert {"participants", "consent"} <= await _done(session, world, clock)

    await frame.add_contribution(
        session,
        world.owner,
        plan_id,
        frame.ContributionInput(Contributor.OWNER, "Eg lagar middag sjølv"),
        clock=clock,
    )
    assert "contributions" in await _done(session, world, clock)

    action = await actions.create_action(
        session, world.nurse, plan_id, home_visit(world, method=""), clock=clock
    )
    done = await _done(session, world, clock)
    assert "actions" in done and "how" not in done
    await actions.change_action(
        session,
        world.nurse,
        plan_id,
        action.id,
        home_visit(world, method="Besøk heime"),
        seen_version=action.version,
        clock=clock,
    )
    assert "how" in await _done(session, world, clock)

    cooperation = await frame.add_cooperation(
        session, world.coordinator, plan_id, frame.CooperationInput("NAV"), clock=clock
    )
    assert await _done(session, world, clock) == {key for key, _ in completeness.CONTENT_ITEMS}
    await frame.change_cooperation(
        session,
        world.coordinator,
        plan_id,
        cooperation.id,
        None,
        seen_version=cooperation.version,
        clock=clock,
    )
    assert "cooperation" not in await _done(session, world, clock)


async def test_r_plan_1_the_ke_sees_the_completeness_panel_but_not_the_goals(
    session: AsyncSession, world: PlanWorld, clock: FrozenClock
) -> None:
    await life.write_own_words(
        session,
        world.owner,
        world.plan_id,
        life.OwnWords(needs="Hjelp"),
        seen_version=None,
        clock=clock,
    )
    await goals.propose_goal(
        session, world.owner, world.plan_id, goals.GoalInput("Gå tur"), clock=clock
    )
    view = await plan_view.plan_view(session, world.ke, world.plan_id, clock=clock)
    assert not view.shows_goals and not view.shows_life_situation and not view.shows_notes
    assert view.goals == [] and view.proposed == [] and view.life_situation is None
    assert view.loose_actions == [] and view.contributions == []
    done = {item.key for item in view.completeness if item.done}
    assert done == {"goals_needs", "coordinator", "period"}
    assert {item.key for item in view.missing} == {
        "participants",
        "contributions",
        "actions",
        "how",
        "consent",
        "cooperation",
    }


async def test_r_age_5_own_view_is_kept_only_from_age_7(
    session: AsyncSession, world: PlanWorld, clock: FrozenClock
) -> None:
    toddler = await make_person(
        session, vault=VAULT, clock=clock, born=born(clock, 6), serial=8, given_name="Per"
    )
    session.add(
        RegisteredGuardianship(
            guardian_id=world.small_child_guardian.id, child_id=toddler.id, created_at=clock.now()
        )
    )
    today = today_in_oslo(clock)
    toddler_plan = await plans.start_plan(
        session,
        world.base.municipality,
        toddler,
        coordinator=world.base.coordinator,
        period_start=today,
        period_end=today + timedelta(days=300),
        revision_date=today + timedelta(days=100),
        clock=clock,
    )
    guardian = citizen(world.small_child_guardian, acting_for=toddler)
    words = life.OwnWords(needs="Leike", own_view="Eg vil ha hund")
    saved = await life.write_own_words(
        session, guardian, toddler_plan.id, words, seen_version=None, clock=clock
    )
    assert saved.own_view == "" and saved.needs == "Leike"
    view = await plan_view.plan_view(session, guardian, toddler_plan.id, clock=clock)
    assert not view.shows_own_view

    seven = world.small_child_parent  # Mia is 9
    saved = await life.write_own_words(
        session, seven, world.small_child_plan.id, words, seen_version=None, clock=clock
    )
    assert saved.own_view == "Eg vil ha hund"
    view = await plan_view.plan_view(session, seven, world.small_child_plan.id, clock=clock)
    assert view.shows_own_view
