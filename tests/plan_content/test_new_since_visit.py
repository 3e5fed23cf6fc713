"""The plan page marks what others changed since the reader's last visit, and counts it; the
reader's own changes are not news, nor is what they may not see."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from app.actions import service as actions
from app.goals import service as goals
from app.life_situation import service as life
from app.models import ActionStatus
from app.plan_view import service as plan_view
from tests.plan_content.plan_world import READ_LIFE, PlanWorld, home_visit, invite_relative
from tests.support.clock import FrozenClock


async def test_changes_by_others_since_the_last_visit_are_new_and_counted(
    session: AsyncSession, world: PlanWorld, clock: FrozenClock
) -> None:
    plan_id, owner, coordinator = world.plan_id, world.owner, world.coordinator
    old_goal = await goals.propose_goal(
        session, owner, plan_id, goals.GoalInput("Gå tur"), clock=clock
    )
    unchanged = await actions.create_action(
        session, coordinator, plan_id, home_visit(world, title="Gammalt"), clock=clock
    )
    first = await plan_view.plan_view(session, owner, plan_id, clock=clock)
    assert first.last_visit is None and first.new_count == 0
    visited_at = clock.now()

    clock.advance(timedelta(hours=2))
    proposal = await goals.propose_goal(
        session, coordinator, plan_id, goals.GoalInput("Trene"), clock=clock
    )
    visit = await actions.create_action(
        session, coordinator, plan_id, home_visit(world, goal_ids=(old_goal.id,)), clock=clock
    )
    progress = await actions.add_note(session, coordinator, plan_id, visit.id, "Gjort", clock=clock)
    comment = await actions.add_note(session, owner, plan_id, visit.id, "Takk", clock=clock)
    await goals.change_goal(
        session,
        owner,
        plan_id,
        old_goal.id,
        goals.GoalChange("Gå lang tur"),
        seen_version=None,
        clock=clock,
    )

    clock.advance(timedelta(hours=1))
    view = await plan_view.plan_view(session, owner, plan_id, clock=clock)
    assert view.last_visit == visited_at
    [walk] = view.goals
    [shown_proposal] = view.proposed
    [shown_visit] = walk.actions
    [old_action] = view.loose_actions
    notes = {n.note.id: n.is_new for n in shown_visit.notes}
    assert shown_proposal.goal.id == proposal.id and shown_proposal.is_new
    assert shown_visit.is_new and notes == {progress.id: True, comment.id: False}
    assert not walk.is_new  # only the owner changed it
    assert old_action.action.id == unchanged.id and not old_action.is_new
    assert view.new_count == 3

    again = await plan_view.plan_view(session, owner, plan_id, clock=clock)
    assert again.last_visit == clock.now() and again.new_count == 0

    # A print or PDF is not a visit: the next visit still counts from the last one.
    clock.advance(timedelta(hours=1))
    await actions.set_action_status(
        session,
        coordinator,
        plan_id,
        unchanged.id,
        ActionStatus.DONE,
        seen_version=None,
        clock=clock,
    )
    clock.advance(timedelta(minutes=1))
    exported = await plan_view.plan_view(session, owner, plan_id, clock=clock, export=True)
    assert exported.last_visit is None and exported.new_count == 0
    after_print = await plan_view.plan_view(session, owner, plan_id, clock=clock)
    assert after_print.new_count == 1 and after_print.loose_actions[0].is_new


async def test_only_what_the_reader_may_see_is_news(
    session: AsyncSession, world: PlanWorld, clock: FrozenClock
) -> None:
    await invite_relative(session, world, clock, READ_LIFE)
    first = await plan_view.plan_view(session, world.relative, world.plan_id, clock=clock)
    assert first.new_count == 0 and not first.shows_goals
    clock.advance(timedelta(minutes=5))
    await goals.propose_goal(
        session, world.coordinator, world.plan_id, goals.GoalInput("Trene"), clock=clock
    )
    await life.write_own_words(
        session,
        world.owner,
        world.plan_id,
        life.OwnWords(needs="Hjelp"),
        seen_version=None,
        clock=clock,
    )
    clock.advance(timedelta(minutes=5))
    view = await plan_view.plan_view(session, world.relative, world.plan_id, clock=clock)
    assert view.new_count == 1 and view.goals == view.proposed == []
    assert view.life_situation is not None and view.life_situation.needs == "Hjelp"
