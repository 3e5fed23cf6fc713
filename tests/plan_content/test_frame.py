"""R-PLAN-6: the plan period and revision date; R-PLAN-7: closing a plan makes it read-only."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from app.actions import service as actions
from app.clock import today_in_oslo
from app.errors import Conflict, Forbidden, InvalidInput
from app.goals import service as goals
from app.life_situation import service as life
from app.models import (
    ActionStatus,
    Contributor,
    GoalStatus,
    PlanStatus,
    ReviewAssessment,
    SubPlanKind,
)
from app.plan_frame import service as frame
from app.plan_view import service as plan_view
from app.timeline import service as timeline
from tests.plan_content.plan_world import PlanWorld, home_visit, timeline_rows
from tests.support.clock import FrozenClock


@pytest.mark.parametrize(
    ("start", "end", "revision", "field", "code"),
    [
        (0, -1, 0, "period_end", "end_before_start"),
        (0, 100, 101, "revision_date", "revision_outside"),
        (10, 100, 9, "revision_date", "revision_outside"),
        (0, None, 50, "period_start", "missing_dates"),
        (0, 100, None, "period_start", "missing_dates"),
    ],
)
async def test_r_plan_6_dates_in_the_wrong_order_are_refused(
    session: AsyncSession,
    world: PlanWorld,
    clock: FrozenClock,
    start: int,
    end: int | None,
    revision: int | None,
    field: str,
    code: str,
) -> None:
    today = today_in_oslo(clock)
    plan = world.base.plan
    kept = (plan.period_start, plan.period_end, plan.revision_date, plan.version)

    def day(offset: int | None) -> Any:
        return None if offset is None else today + timedelta(days=offset)

    with pytest.raises(InvalidInput) as error:
        await frame.set_dates(
            session,
            world.coordinator,
            world.plan_id,
            frame.PlanDates(day(start), day(end), day(revision)),
            seen_version=plan.version,
            clock=clock,
        )
    assert (error.value.field, error.value.error_code) == (field, code)
    await session.flush()
    await session.refresh(plan)
    assert (plan.period_start, plan.period_end, plan.revision_date, plan.version) == kept


async def test_r_plan_6_the_coordinator_keeps_the_dates_and_the_edges_are_allowed(
    session: AsyncSession, world: PlanWorld, clock: FrozenClock
) -> None:
    today = today_in_oslo(clock)
    for revision in (today, today + timedelta(days=30)):  # on either edge of the period
        await frame.set_dates(
            session,
            world.coordinator,
            world.plan_id,
            frame.PlanDates(today, today + timedelta(days=30), revision),
            seen_version=None,
            clock=clock,
        )
    assert world.base.plan.revision_date == today + timedelta(days=30)
    for other in (world.owner, world.ke):
        with pytest.raises(Forbidden):
            await frame.set_dates(
                session,
                other,
                world.plan_id,
                frame.PlanDates(today, today + timedelta(days=60), today),
                seen_version=None,
                clock=clock,
            )


async def test_r_plan_7_the_owner_asks_once_and_the_ke_closes(
    session: AsyncSession, world: PlanWorld, clock: FrozenClock
) -> None:
    await frame.request_close(session, world.owner, world.plan_id, clock=clock)
    assert world.base.plan.close_requested_at == clock.now()
    with pytest.raises(Conflict) as twice:
        await frame.request_close(session, world.owner, world.plan_id, clock=clock)
    assert twice.value.error_code == "close_already_requested"
    for not_ke in (world.coordinator, world.owner):
        with pytest.raises(Forbidden):
            await frame.close_plan(session, not_ke, world.plan_id, seen_version=None, clock=clock)
    with pytest.raises(Forbidden):  # the coordinator does not ask, the owner's side does
        await frame.request_close(session, world.coordinator, world.plan_id, clock=clock)
    await frame.close_plan(session, world.ke, world.plan_id, seen_version=None, clock=clock)
    assert world.base.plan.status is PlanStatus.CLOSED
    with pytest.raises(Conflict) as again:
        await frame.close_plan(session, world.ke, world.plan_id, seen_version=None, clock=clock)
    assert again.value.error_code == "plan_closed"
    page = await timeline.page(session, world.ke, world.plan_id, clock=clock)
    assert [e.entry.kind for e in page.entries] == ["plan.closed", "plan.close_requested"]


async def test_r_plan_7_a_stale_close_is_refused(
    session: AsyncSession, world: PlanWorld, clock: FrozenClock
) -> None:
    plan = world.base.plan
    seen = plan.version
    today = today_in_oslo(clock)
    await frame.set_dates(
        session,
        world.coordinator,
        world.plan_id,
        frame.PlanDates(today, today + timedelta(days=9), today),
        seen_version=seen,
        clock=clock,
    )
    with pytest.raises(Conflict) as stale:
        await frame.close_plan(session, world.ke, world.plan_id, seen_version=seen, clock=clock)
    assert stale.value.error_code == "stale_version" and plan.status is PlanStatus.ACTIVE


Write = Callable[[], Awaitable[Any]]


async def test_r_plan_7_every_write_to_a_closed_plan_is_refused(
    session: AsyncSession, world: PlanWorld, clock: FrozenClock
) -> None:
    plan_id, owner, coordinator = world.plan_id, world.owner, world.coordinator
    today = today_in_oslo(clock)
    words = await life.write_own_words(
        session, owner, plan_id, life.OwnWords(needs="Hjelp"), seen_version=None, clock=clock
    )
    goal = await goals.propose_goal(session, owner, plan_id, goals.GoalInput("Mål"), clock=clock)
    proposal = await goals.propose_goal(
        session, coordinator, plan_id, goals.GoalInput("Forslag"), clock=clock
    )
    review = await goals.add_review(
        session,
        owner,
        plan_id,
        goal.id,
        goals.ReviewInput(ReviewAssessment.PARTLY, "Litt"),
        clock=clock,
    )
    action = await actions.create_action(
        session, coordinator, plan_id, home_visit(world), clock=clock
    )
    note = await actions.add_note(session, coordinator, plan_id, action.id, "Notat", clock=clock)
    contribution = await frame.add_contribution(
        session, owner, plan_id, frame.ContributionInput(Contributor.OWNER, "Mat"), clock=clock
    )
    cooperation = await frame.add_cooperation(
        session, coordinator, plan_id, frame.CooperationInput("NAV"), clock=clock
    )
    sub_plan = await frame.add_sub_plan(
        session, coordinator, plan_id, frame.SubPlanInput(SubPlanKind.IOP, "IOP"), clock=clock
    )
    await frame.close_plan(session, world.ke, plan_id, seen_version=None, clock=clock)
    entries = len(await timeline_rows(session, plan_id))

    writes: dict[str, Write] = {
        "own words": lambda: life.write_own_words(
            session,
            owner,
            plan_id,
            life.OwnWords(needs="Ny"),
            seen_version=words.version,
            clock=clock,
        ),
        "propose goal": lambda: goals.propose_goal(
            session, owner, plan_id, goals.GoalInput("Nytt"), clock=clock
        ),
        "change goal": lambda: goals.change_goal(
            session,
            owner,
            plan_id,
            goal.id,
            goals.GoalChange("Endra"),
            seen_version=None,
            clock=clock,
        ),
        "decide goal": lambda: goals.set_goal_status(
            session,
            owner,
            plan_id,
            proposal.id,
            GoalStatus.ACCEPTED,
            seen_version=None,
            clock=clock,
        ),
        "add review": lambda: goals.add_review(
            session,
            owner,
            plan_id,
            goal.id,
            goals.ReviewInput(ReviewAssessment.REACHED, "Ja"),
            clock=clock,
        ),
        "change review": lambda: goals.change_review(
            session,
            owner,
            plan_id,
            review.id,
            goals.ReviewInput(ReviewAssessment.REACHED, "Ja"),
            seen_version=None,
            clock=clock,
        ),
        "create action": lambda: actions.create_action(
            session, coordinator, plan_id, home_visit(world), clock=clock
        ),
        "change action": lambda: actions.change_action(
            session,
            coordinator,
            plan_id,
            action.id,
            home_visit(world, title="Ny"),
            seen_version=None,
            clock=clock,
        ),
        "action status": lambda: actions.set_action_status(
            session,
            coordinator,
            plan_id,
            action.id,
            ActionStatus.DONE,
            seen_version=None,
            clock=clock,
        ),
        "add note": lambda: actions.add_note(
            session, owner, plan_id, action.id, "Hei", clock=clock
        ),
        "change note": lambda: actions.change_note(
            session, coordinator, plan_id, note.id, "Ny", seen_version=None, clock=clock
        ),
        "dates": lambda: frame.set_dates(
            session,
            coordinator,
            plan_id,
            frame.PlanDates(today, today + timedelta(days=9), today),
            seen_version=None,
            clock=clock,
        ),
        "add contribution": lambda: frame.add_contribution(
            session,
            owner,
            plan_id,
            frame.ContributionInput(Contributor.OWNER, "X"),
            clock=clock,
        ),
        "withdraw contribution": lambda: frame.change_contribution(
            session, owner, plan_id, contribution.id, None, seen_version=None, clock=clock
        ),
        "add cooperation": lambda: frame.add_cooperation(
            session, coordinator, plan_id, frame.CooperationInput("Skule"), clock=clock
        ),
        "withdraw cooperation": lambda: frame.change_cooperation(
            session, coordinator, plan_id, cooperation.id, None, seen_version=None, clock=clock
        ),
        "add sub-plan": lambda: frame.add_sub_plan(
            session,
            coordinator,
            plan_id,
            frame.SubPlanInput(SubPlanKind.OTHER, "X"),
            clock=clock,
        ),
        "withdraw sub-plan": lambda: frame.change_sub_plan(
            session, coordinator, plan_id, sub_plan.id, None, seen_version=None, clock=clock
        ),
        "ask to close": lambda: frame.request_close(session, owner, plan_id, clock=clock),
        "close again": lambda: frame.close_plan(
            session, world.ke, plan_id, seen_version=None, clock=clock
        ),
    }
    refused = {}
    for name, write in writes.items():
        with pytest.raises(Conflict) as error:
            await write()
        refused[name] = error.value.error_code
    assert refused == dict.fromkeys(writes, "plan_closed")
    assert len(await timeline_rows(session, plan_id)) == entries

    view = await plan_view.plan_view(session, owner, plan_id, clock=clock)
    assert view.is_closed and view.units == [] and view.people == []
    [shown_goal] = view.goals
    [shown_action] = shown_goal.actions or view.loose_actions
    assert not (shown_goal.can_edit or shown_goal.can_decide or shown_goal.can_review)
    assert shown_goal.next_statuses == []
    assert not (shown_action.can_update or shown_action.can_comment)
    assert not view.proposed[0].can_decide
