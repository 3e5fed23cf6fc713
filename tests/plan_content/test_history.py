"""R-PLAN-5: nothing is deleted; every change keeps what was there before on the timeline, and
only the author corrects a note or a review."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from app.actions import service as actions
from app.clock import today_in_oslo
from app.errors import Forbidden
from app.goals import service as goals
from app.life_situation import service as life
from app.models import (
    ActionStatus,
    Contribution,
    Contributor,
    Cooperation,
    GoalStatus,
    ReviewAssessment,
    SubPlanKind,
    SubPlanLink,
)
from app.plan_frame import service as frame
from app.plan_view import service as plan_view
from app.timeline import service as timeline
from tests.plan_content.plan_world import (
    PlanWorld,
    count,
    denial_reasons,
    home_visit,
    nurse_may_write,
    timeline_rows,
)
from tests.support.clock import FrozenClock

Changes = list[tuple[str, dict[str, list[Any]]]]


async def _changes(session: AsyncSession, world: PlanWorld) -> Changes:
    return [(e.kind, e.changes) for e in await timeline_rows(session, world.plan_id)]


async def test_r_plan_5_withdrawn_frame_items_stay_on_the_timeline(
    session: AsyncSession, world: PlanWorld, clock: FrozenClock
) -> None:
    plan_id, coordinator = world.plan_id, world.coordinator
    contribution = await frame.add_contribution(
        session,
        world.owner,
        plan_id,
        frame.ContributionInput(Contributor.SERVICE, "Middag", unit_id=world.base.home_care.id),
        clock=clock,
    )
    cooperation = await frame.add_cooperation(
        session,
        coordinator,
        plan_id,
        frame.CooperationInput("NAV", contact="Nav-kontoret"),
        clock=clock,
    )
    sub_plan = await frame.add_sub_plan(
        session,
        coordinator,
        plan_id,
        frame.SubPlanInput(SubPlanKind.IOP, "IOP", url="https://skule.example/iop"),
        clock=clock,
    )
    clock.advance(timedelta(minutes=5))
    withdrawn_at = clock.now().isoformat()
    await frame.change_contribution(
        session,
        world.owner,
        plan_id,
        contribution.id,
        None,
        seen_version=contribution.version,
        clock=clock,
    )
    await frame.change_cooperation(
        session,
        coordinator,
        plan_id,
        cooperation.id,
        None,
        seen_version=cooperation.version,
        clock=clock,
    )
    await frame.change_sub_plan(
        session,
        coordinator,
        plan_id,
        sub_plan.id,
        None,
        seen_version=sub_plan.version,
        clock=clock,
    )
    assert [await count(session, m) for m in (Contribution, Cooperation, SubPlanLink)] == [1, 1, 1]
    view = await plan_view.plan_view(session, world.owner, plan_id, clock=clock)
    assert view.contributions == [] and view.cooperation == [] and view.sub_plans == []
    page = await timeline.page(session, world.owner, plan_id, clock=clock)
    kinds = [view.entry.kind for view in page.entries]
    assert kinds == [
        "sub_plan.withdrawn",
        "cooperation.withdrawn",
        "contribution.withdrawn",
        "sub_plan.added",
        "cooperation.added",
        "contribution.added",
    ]
    for entry in page.entries[:3]:
        assert entry.entry.changes == {"withdrawn_at": [None, withdrawn_at]}
    assert page.entries[5].entry.changes == {
        "contributor": [None, "service"],
        "unit_id": [None, str(world.base.home_care.id)],
        "text": [None, "Middag"],
    }


async def test_r_plan_5_every_change_keeps_the_values_before_it(
    session: AsyncSession, world: PlanWorld, clock: FrozenClock
) -> None:
    plan_id, owner, coordinator = world.plan_id, world.owner, world.coordinator
    today = today_in_oslo(clock)
    words = await life.write_own_words(
        session, owner, plan_id, life.OwnWords(needs="Hjelp"), seen_version=None, clock=clock
    )
    await life.write_own_words(
        session,
        owner,
        plan_id,
        life.OwnWords(needs="Hjelp heime", resources="Søster"),
        seen_version=words.version,
        clock=clock,
    )
    goal = await goals.propose_goal(
        session, coordinator, plan_id, goals.GoalInput("Trene"), clock=clock
    )
    goal = await goals.change_goal(
        session,
        coordinator,
        plan_id,
        goal.id,
        goals.GoalChange("Trene meir", due_date=today),
        seen_version=goal.version,
        clock=clock,
    )
    goal = await goals.set_goal_status(
        session,
        owner,
        plan_id,
        goal.id,
        GoalStatus.ACCEPTED,
        seen_version=goal.version,
        clock=clock,
    )
    action = await actions.create_action(
        session, coordinator, plan_id, home_visit(world), clock=clock
    )
    action = await actions.change_action(
        session,
        coordinator,
        plan_id,
        action.id,
        home_visit(world, title="Heimebesøk", deadline=today),
        seen_version=action.version,
        clock=clock,
    )
    await actions.set_action_status(
        session,
        coordinator,
        plan_id,
        action.id,
        ActionStatus.PAUSED,
        seen_version=action.version,
        clock=clock,
    )
    plan = world.base.plan
    assert plan.period_end is not None and plan.revision_date is not None
    old_end, old_revision = plan.period_end, plan.revision_date
    new_end = today + timedelta(days=200)
    await frame.set_dates(
        session,
        coordinator,
        plan_id,
        frame.PlanDates(today, new_end, today + timedelta(days=30)),
        seen_version=plan.version,
        clock=clock,
    )
    cooperation = await frame.add_cooperation(
        session, coordinator, plan_id, frame.CooperationInput("NAV"), clock=clock
    )
    await frame.change_cooperation(
        session,
        coordinator,
        plan_id,
        cooperation.id,
        frame.CooperationInput("NAV Vest"),
        seen_version=cooperation.version,
        clock=clock,
    )
    changed = [c for c in await _changes(session, world) if not c[0].endswith(".added")]
    assert changed == [
        ("life_situation.written", {"needs": [None, "Hjelp"]}),
        (
            "life_situation.written",
            {"needs": ["Hjelp", "Hjelp heime"], "resources": ["", "Søster"]},
        ),
        ("goal.proposed", {"text": [None, "Trene"], "status": [None, "proposed"]}),
        ("goal.changed", {"text": ["Trene", "Trene meir"], "due_date": [None, today.isoformat()]}),
        ("goal.accepted", {"status": ["proposed", "accepted"]}),
        (
            "action.changed",
            {"title": ["Hjemmebesøk", "Heimebesøk"], "deadline": [None, today.isoformat()]},
        ),
        ("action.status", {"status": ["planned", "paused"]}),
        (
            "plan.dates",
            {
                "period_end": [old_end.isoformat(), new_end.isoformat()],
                "revision_date": [old_revision.isoformat(), (today + timedelta(30)).isoformat()],
            },
        ),
        ("cooperation.changed", {"partner": ["NAV", "NAV Vest"]}),
    ]


async def test_r_plan_5_a_corrected_note_keeps_its_old_words_and_only_its_author_corrects_it(
    session: AsyncSession, world: PlanWorld, clock: FrozenClock
) -> None:
    await nurse_may_write(session, world, clock)
    visit = await actions.create_action(
        session, world.nurse, world.plan_id, home_visit(world), clock=clock
    )
    note = await actions.add_note(
        session, world.nurse, world.plan_id, visit.id, "Besøk kl 10", clock=clock
    )
    corrected = await actions.change_note(
        session,
        world.nurse,
        world.plan_id,
        note.id,
        "Besøk kl 11",
        seen_version=note.version,
        clock=clock,
    )
    assert corrected.text == "Besøk kl 11" and corrected.version == 2
    for other in (world.coordinator, world.owner):
        with pytest.raises(Forbidden):
            await actions.change_note(
                session, other, world.plan_id, note.id, "Feil", seen_version=2, clock=clock
            )
        assert "not_author" in await denial_reasons(session, other)
    history = [(kind, c) for kind, c in await _changes(session, world) if kind.startswith("note")]
    assert history == [
        ("note.progress", {"text": [None, "Besøk kl 10"]}),
        ("note.changed", {"text": ["Besøk kl 10", "Besøk kl 11"]}),
    ]
    view = await plan_view.plan_view(session, world.coordinator, world.plan_id, clock=clock)
    [shown] = view.loose_actions[0].notes
    assert shown.note.text == "Besøk kl 11" and not shown.can_edit


async def test_r_plan_5_a_corrected_review_keeps_its_old_words_and_only_its_author_corrects_it(
    session: AsyncSession, world: PlanWorld, clock: FrozenClock
) -> None:
    goal = await goals.propose_goal(
        session, world.owner, world.plan_id, goals.GoalInput("Gå tur"), clock=clock
    )
    yesterday = today_in_oslo(clock) - timedelta(days=1)
    review = await goals.add_review(
        session,
        world.coordinator,
        world.plan_id,
        goal.id,
        goals.ReviewInput(ReviewAssessment.PARTLY, "Litt", reviewed_on=yesterday),
        clock=clock,
    )
    fixed = await goals.change_review(
        session,
        world.coordinator,
        world.plan_id,
        review.id,
        goals.ReviewInput(ReviewAssessment.ON_TRACK, "Godt"),
        seen_version=review.version,
        clock=clock,
    )
    assert fixed.reviewed_on == yesterday  # kept when no new date is given
    with pytest.raises(Forbidden):
        await goals.change_review(
            session,
            world.owner,
            world.plan_id,
            review.id,
            goals.ReviewInput(ReviewAssessment.REACHED, "Nådd"),
            seen_version=fixed.version,
            clock=clock,
        )
    assert "not_author" in await denial_reasons(session, world.owner)
    history = [(k, c) for k, c in await _changes(session, world) if k.startswith("review")]
    assert history == [
        (
            "review.added",
            {
                "assessment": [None, "partly"],
                "text": [None, "Litt"],
                "reviewed_on": [None, yesterday.isoformat()],
            },
        ),
        ("review.changed", {"assessment": ["partly", "on_track"], "text": ["Litt", "Godt"]}),
    ]
    assert isinstance(fixed.reviewed_on, date) and fixed.text == "Godt"
