"""R-SAFE-1: empty and over-long text, and dates in the wrong order, are refused with the field
at fault, and nothing is saved. Limits: app/plan_items/texts.py."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from app.actions import service as actions
from app.clock import today_in_oslo
from app.errors import InvalidInput
from app.goals import service as goals
from app.life_situation import service as life
from app.models import (
    Action,
    Contribution,
    Contributor,
    Cooperation,
    Goal,
    GoalReview,
    LifeSituation,
    ProgressNote,
    ReviewAssessment,
    SubPlanKind,
    SubPlanLink,
    TimelineEntry,
)
from app.plan_frame import service as frame
from app.plan_items import texts
from tests.plan_content.plan_world import PlanWorld, count, home_visit
from tests.support.clock import FrozenClock

MODELS = (
    Action,
    Contribution,
    Cooperation,
    Goal,
    GoalReview,
    LifeSituation,
    ProgressNote,
    SubPlanLink,
    TimelineEntry,
)


@dataclass
class Setting:
    session: AsyncSession
    world: PlanWorld
    clock: FrozenClock
    goal: Goal
    action: Action
    contribution: Contribution


Case = Callable[[Setting], Awaitable[Any]]


def _goal(text: str, **more: Any) -> Case:
    return lambda s: goals.propose_goal(
        s.session, s.world.owner, s.world.plan_id, goals.GoalInput(text, **more), clock=s.clock
    )


def _goal_change(text: str) -> Case:
    return lambda s: goals.change_goal(
        s.session,
        s.world.owner,
        s.world.plan_id,
        s.goal.id,
        goals.GoalChange(text),
        seen_version=s.goal.version,
        clock=s.clock,
    )


def _review(text: str) -> Case:
    return lambda s: goals.add_review(
        s.session,
        s.world.owner,
        s.world.plan_id,
        s.goal.id,
        goals.ReviewInput(ReviewAssessment.ON_TRACK, text),
        clock=s.clock,
    )


def _action(**changes: Any) -> Case:
    return lambda s: actions.create_action(
        s.session,
        s.world.coordinator,
        s.world.plan_id,
        home_visit(s.world, **changes),
        clock=s.clock,
    )


def _action_change(**changes: Any) -> Case:
    return lambda s: actions.change_action(
        s.session,
        s.world.coordinator,
        s.world.plan_id,
        s.action.id,
        home_visit(s.world, **changes),
        seen_version=s.action.version,
        clock=s.clock,
    )


def _note(text: str) -> Case:
    return lambda s: actions.add_note(
        s.session, s.world.coordinator, s.world.plan_id, s.action.id, text, clock=s.clock
    )


def _words(**fields: str) -> Case:
    return lambda s: life.write_own_words(
        s.session,
        s.world.owner,
        s.world.plan_id,
        life.OwnWords(**fields),
        seen_version=None,
        clock=s.clock,
    )


def _contribution(text: str, who: str = "") -> Case:
    return lambda s: frame.add_contribution(
        s.session,
        s.world.owner,
        s.world.plan_id,
        frame.ContributionInput(Contributor.RELATIVE, text, who=who),
        clock=s.clock,
    )


def _cooperation(partner: str, description: str = "", contact: str = "") -> Case:
    return lambda s: frame.add_cooperation(
        s.session,
        s.world.coordinator,
        s.world.plan_id,
        frame.CooperationInput(partner, description, contact),
        clock=s.clock,
    )


def _sub_plan(title: str, owner_unit: str = "", url: str = "") -> Case:
    return lambda s: frame.add_sub_plan(
        s.session,
        s.world.coordinator,
        s.world.plan_id,
        frame.SubPlanInput(SubPlanKind.OTHER, title, owner_unit, url),
        clock=s.clock,
    )


def _contribution_change(contributor: Contributor, text: str) -> Case:
    async def change(s: Setting) -> Contribution:
        try:
            return await frame.change_contribution(
                s.session,
                s.world.owner,
                s.world.plan_id,
                s.contribution.id,
                frame.ContributionInput(contributor, text),
                seen_version=1,
                clock=s.clock,
            )
        finally:
            await s.session.flush()
            await s.session.refresh(s.contribution)
            kept = (s.contribution.contributor, s.contribution.text, s.contribution.version)
            assert kept == (Contributor.OWNER, "Middag", 1)

    return change


def _over(limit: int) -> str:
    return "å" * (limit + 1)


TODAY_PLUS = timedelta(days=3)
CASES: dict[str, tuple[Case, str, str]] = {
    "goal empty": (_goal(" \n "), "text", "empty"),
    "goal too long": (_goal(_over(texts.GOAL)), "text", "too_long"),
    "goal change empty": (_goal_change(""), "text", "empty"),
    "goal change too long": (_goal_change(_over(texts.GOAL)), "text", "too_long"),
    "review empty": (_review(""), "text", "empty"),
    "review too long": (_review(_over(texts.LONG)), "text", "too_long"),
    "action title empty": (_action(title=""), "title", "empty"),
    "action title too long": (_action(title=_over(texts.SHORT)), "title", "too_long"),
    "action extent too long": (_action(extent=_over(texts.EXTENT)), "extent", "too_long"),
    "action method too long": (_action(method=_over(texts.LONG)), "method", "too_long"),
    "action change title empty": (_action_change(title="  "), "title", "empty"),
    "note empty": (_note(""), "text", "empty"),
    "note too long": (_note(_over(texts.LONG)), "text", "too_long"),
    "own words too long": (_words(needs=_over(texts.LONG)), "needs", "too_long"),
    "own view too long": (_words(own_view=_over(texts.LONG)), "own_view", "too_long"),
    "contribution empty": (_contribution(""), "text", "empty"),
    "contributor too long": (_contribution("Mat", who=_over(texts.SHORT)), "who", "too_long"),
    "contribution change to a service without unit": (
        _contribution_change(Contributor.SERVICE, "Middag"),
        "unit_id",
        "no_unit",
    ),
    "contribution change empty": (
        _contribution_change(Contributor.RELATIVE, " "),
        "text",
        "empty",
    ),
    "cooperation partner empty": (_cooperation(""), "partner", "empty"),
    "cooperation contact too long": (
        _cooperation("NAV", contact=_over(texts.SHORT)),
        "contact",
        "too_long",
    ),
    "cooperation description too long": (
        _cooperation("NAV", description=_over(texts.LONG)),
        "description",
        "too_long",
    ),
    "sub-plan title empty": (_sub_plan(""), "title", "empty"),
    "sub-plan link not https": (_sub_plan("IOP", url="http://skule.example"), "url", "bad_url"),
    "sub-plan link without host": (_sub_plan("IOP", url="https://"), "url", "bad_url"),
}


@pytest.fixture
async def setting(session: AsyncSession, world: PlanWorld, clock: FrozenClock) -> Setting:
    goal = await goals.propose_goal(
        session, world.owner, world.plan_id, goals.GoalInput("Gå tur"), clock=clock
    )
    action = await actions.create_action(
        session, world.coordinator, world.plan_id, home_visit(world), clock=clock
    )
    contribution = await frame.add_contribution(
        session,
        world.owner,
        world.plan_id,
        frame.ContributionInput(Contributor.OWNER, "Middag"),
        clock=clock,
    )
    return Setting(session, world, clock, goal, action, contribution)


async def _counts(session: AsyncSession) -> list[int]:
    return [await count(session, model) for model in MODELS]


@pytest.mark.parametrize("case", sorted(CASES))
async def test_r_safe_1_bad_text_is_refused_with_its_field_and_nothing_is_saved(
    setting: Setting, case: str
) -> None:
    work, field, code = CASES[case]
    before = await _counts(setting.session)
    goal_text, action_title = setting.goal.text, setting.action.title
    with pytest.raises(InvalidInput) as error:
        await work(setting)
    assert (error.value.field, error.value.error_code, error.value.status) == (field, code, 422)
    # The pages show the error and commit what else the request did: nothing of this.
    await setting.session.flush()
    assert await _counts(setting.session) == before
    await setting.session.refresh(setting.goal)
    await setting.session.refresh(setting.action)
    assert (setting.goal.text, setting.action.title) == (goal_text, action_title)
    assert setting.goal.version == setting.action.version == 1


async def test_r_safe_1_text_exactly_at_the_limit_is_kept_trimmed(setting: Setting) -> None:
    s = setting
    goal = await _goal("  " + "g" * texts.GOAL + "  ")(s)
    assert goal.text == "g" * texts.GOAL
    action = await _action(title="t" * texts.SHORT, extent="e" * texts.EXTENT)(s)
    assert len(action.title) == texts.SHORT
    note = await _note("linje ein\r\nlinje to")(s)
    assert note.text == "linje ein\nlinje to"


async def test_r_safe_1_a_deadline_before_the_start_is_refused(setting: Setting) -> None:
    today = today_in_oslo(setting.clock)
    before = await _counts(setting.session)
    for work in (
        _action(start_date=today, deadline=today - timedelta(days=1)),
        _action_change(start_date=today, deadline=today - timedelta(days=1)),
    ):
        with pytest.raises(InvalidInput) as error:
            await work(setting)
        assert (error.value.field, error.value.error_code) == ("deadline", "end_before_start")
    assert await _counts(setting.session) == before
    same_day = await _action(start_date=today, deadline=today)(setting)
    assert same_day.deadline == today
