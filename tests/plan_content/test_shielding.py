"""R-AGE-2: what a 12-15-year-old shields does not exist for the guardian: not on the plan page,
not on the timeline, not to write to. The coordinator still sees it."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from app.access import Actor
from app.actions import service as actions
from app.errors import NotFound
from app.goals import service as goals
from app.models import GoalStatus, ReviewAssessment
from app.plan_view import service as plan_view
from app.shielding import service as shielding
from app.timeline import service as timeline
from tests.plan_content.plan_world import PlanWorld, give_youth_access, home_visit
from tests.support.clock import FrozenClock


def _shown_ids(view: plan_view.PlanView) -> set[uuid.UUID]:
    goal_views = view.goals + view.proposed + view.other_goals
    goal_views += [sub for g in goal_views for sub in g.sub_goals]
    action_views = view.loose_actions + [a for g in goal_views for a in g.actions]
    return (
        {g.goal.id for g in goal_views}
        | {r.review.id for g in goal_views for r in g.reviews}
        | {a.action.id for a in action_views}
        | {n.note.id for a in action_views for n in a.notes}
        | {g.id for g in view.all_goals}
    )


async def _timeline_ids(
    session: AsyncSession, actor: Actor, plan_id: uuid.UUID, clock: FrozenClock
) -> set[uuid.UUID | None]:
    page = await timeline.page(session, actor, plan_id, clock=clock, limit=100)
    return {e.entry.item_id for e in page.entries} | {e.entry.parent_id for e in page.entries}


async def test_r_age_2_shielded_goals_actions_and_what_hangs_on_them_vanish_for_the_guardian(
    session: AsyncSession, world: PlanWorld, clock: FrozenClock
) -> None:
    plan_id, parent, coordinator = world.base.child_plan.id, world.parent, world.coordinator
    await give_youth_access(session, world, clock)
    secret = await goals.propose_goal(
        session, world.child, plan_id, goals.GoalInput("Bli kjæreste med Kari"), clock=clock
    )
    open_goal = await goals.propose_goal(
        session, coordinator, plan_id, goals.GoalInput("Lekser"), clock=clock
    )
    for goal in (secret, open_goal):
        await goals.set_goal_status(
            session,
            parent,
            plan_id,
            goal.id,
            GoalStatus.ACCEPTED,
            seen_version=None,
            clock=clock,
        )
    review = await goals.add_review(
        session,
        world.child,
        plan_id,
        secret.id,
        goals.ReviewInput(ReviewAssessment.PARTLY, "Snakka litt"),
        clock=clock,
    )
    talk = await actions.create_action(
        session,
        coordinator,
        plan_id,
        home_visit(world, title="Samtale med helsesjukepleiar", goal_ids=(secret.id,)),
        clock=clock,
    )
    homework = await actions.create_action(
        session,
        coordinator,
        plan_id,
        home_visit(world, title="Leksehjelp", goal_ids=(open_goal.id,)),
        clock=clock,
    )
    parents_note = await actions.add_note(
        session, parent, plan_id, talk.id, "Eg kan køyre", clock=clock
    )
    coordinators_note = await actions.add_note(
        session, coordinator, plan_id, talk.id, "Første samtale", clock=clock
    )
    private_note = await actions.add_note(
        session, coordinator, plan_id, homework.id, "Ida vil ikkje at mor skal vite", clock=clock
    )
    parents_homework_note = await actions.add_note(
        session, parent, plan_id, homework.id, "Ho les mykje", clock=clock
    )
    shown_before = _shown_ids(await plan_view.plan_view(session, parent, plan_id, clock=clock))
    hidden = {
        secret.id,
        review.id,
        talk.id,
        parents_note.id,
        coordinators_note.id,
        private_note.id,
        parents_homework_note.id,
    }
    assert hidden <= shown_before

    await shielding.shield(session, world.child, plan_id, "goal", secret.id, clock=clock)
    await shielding.shield(session, world.child, plan_id, "action", talk.id, clock=clock)
    for note in (private_note, parents_homework_note):  # shielded by themselves
        await shielding.shield(session, coordinator, plan_id, "note", note.id, clock=clock)

    view = await plan_view.plan_view(session, parent, plan_id, clock=clock)
    assert _shown_ids(view) == shown_before - hidden
    assert {open_goal.id, homework.id} <= _shown_ids(view)
    seen_on_timeline = await _timeline_ids(session, parent, plan_id, clock)
    assert seen_on_timeline.isdisjoint(hidden)
    assert {open_goal.id, homework.id} <= seen_on_timeline
    for coordinating in (coordinator, world.child):
        assert hidden <= _shown_ids(
            await plan_view.plan_view(session, coordinating, plan_id, clock=clock)
        )
        assert hidden <= await _timeline_ids(session, coordinating, plan_id, clock)

    writes = {
        "change goal": goals.change_goal(
            session,
            parent,
            plan_id,
            secret.id,
            goals.GoalChange("Anna"),
            seen_version=None,
            clock=clock,
        ),
        "goal status": goals.set_goal_status(
            session,
            parent,
            plan_id,
            secret.id,
            GoalStatus.ACTIVE,
            seen_version=None,
            clock=clock,
        ),
        "sub-goal": goals.propose_goal(
            session, parent, plan_id, goals.GoalInput("Under", parent_id=secret.id), clock=clock
        ),
        "review": goals.add_review(
            session,
            parent,
            plan_id,
            secret.id,
            goals.ReviewInput(ReviewAssessment.PARTLY, "?"),
            clock=clock,
        ),
        "change review": goals.change_review(
            session,
            parent,
            plan_id,
            review.id,
            goals.ReviewInput(ReviewAssessment.PARTLY, "?"),
            seen_version=None,
            clock=clock,
        ),
        "note": actions.add_note(session, parent, plan_id, talk.id, "Hei", clock=clock),
        "change own note": actions.change_note(
            session, parent, plan_id, parents_note.id, "Anna", seen_version=None, clock=clock
        ),
        "change own shielded note": actions.change_note(
            session,
            parent,
            plan_id,
            parents_homework_note.id,
            "Anna",
            seen_version=None,
            clock=clock,
        ),
        "change someone's shielded note": actions.change_note(
            session, parent, plan_id, private_note.id, "Anna", seen_version=None, clock=clock
        ),
    }
    for name, write in writes.items():
        with pytest.raises(NotFound) as error:
            await write
        assert error.value.error_code == "item_not_found", name
    await session.refresh(secret)
    assert secret.text == "Bli kjæreste med Kari" and secret.status is GoalStatus.ACCEPTED
