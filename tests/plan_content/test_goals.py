"""R-PLAN-3: goals are the owner's. Others propose; the owner's side accepts or declines."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from app.errors import Forbidden, InvalidInput, NotFound
from app.goals import service as goals
from app.models import GoalStatus, ReviewAssessment
from app.plan_view import service as plan_view
from tests.plan_content.plan_world import (
    PlanWorld,
    denial_reasons,
    give_youth_access,
    nurse_may_write,
    representative_of_owner,
)
from tests.support.clock import FrozenClock

S = GoalStatus


async def test_r_plan_3_owner_goal_is_accepted_at_once(
    session: AsyncSession, world: PlanWorld, clock: FrozenClock
) -> None:
    goal = await goals.propose_goal(
        session, world.owner, world.plan_id, goals.GoalInput("  Gå tur  "), clock=clock
    )
    assert goal.status is S.ACCEPTED and goal.text == "Gå tur"
    assert goal.decided_by_person_id == world.base.owner.id and goal.decided_at == clock.now()
    assert goal.created_by_person_id == world.base.owner.id and goal.version == 1


async def test_r_plan_3_guardian_of_child_under_12_goal_is_accepted_at_once(
    session: AsyncSession, world: PlanWorld, clock: FrozenClock
) -> None:
    goal = await goals.propose_goal(
        session,
        world.small_child_parent,
        world.small_child_plan.id,
        goals.GoalInput("Leike ute"),
        clock=clock,
    )
    assert goal.status is S.ACCEPTED
    assert goal.on_behalf_of_person_id == world.small_child.id


async def test_r_plan_3_representative_goal_is_accepted_at_once(
    session: AsyncSession, world: PlanWorld, clock: FrozenClock
) -> None:
    representative = await representative_of_owner(session, world, clock)
    goal = await goals.propose_goal(
        session, representative, world.plan_id, goals.GoalInput("Flytte"), clock=clock
    )
    assert goal.status is S.ACCEPTED
    assert goal.created_by_person_id == world.base.relative.id
    assert goal.on_behalf_of_person_id == world.base.owner.id


async def test_r_plan_3_goal_by_coordinator_provider_or_guardian_of_youth_is_proposed(
    session: AsyncSession, world: PlanWorld, clock: FrozenClock
) -> None:
    await nurse_may_write(session, world, clock)
    by_coordinator = await goals.propose_goal(
        session, world.coordinator, world.plan_id, goals.GoalInput("Trene"), clock=clock
    )
    by_nurse = await goals.propose_goal(
        session, world.nurse, world.plan_id, goals.GoalInput("Ete godt"), clock=clock
    )
    by_parent = await goals.propose_goal(
        session, world.parent, world.base.child_plan.id, goals.GoalInput("Lekser"), clock=clock
    )
    for goal in (by_coordinator, by_nurse, by_parent):
        assert goal.status is S.PROPOSED
        assert goal.decided_by_person_id is None and goal.decided_at is None
    assert by_nurse.proposed_by_unit_id == world.base.home_care.id


async def test_r_plan_3_owner_accepts_and_declines_proposals(
    session: AsyncSession, world: PlanWorld, clock: FrozenClock
) -> None:
    first = await goals.propose_goal(
        session, world.coordinator, world.plan_id, goals.GoalInput("Trene"), clock=clock
    )
    second = await goals.propose_goal(
        session, world.coordinator, world.plan_id, goals.GoalInput("Svømme"), clock=clock
    )
    accepted = await goals.set_goal_status(
        session,
        world.owner,
        world.plan_id,
        first.id,
        S.ACCEPTED,
        seen_version=first.version,
        clock=clock,
    )
    declined = await goals.set_goal_status(
        session,
        world.owner,
        world.plan_id,
        second.id,
        S.DECLINED,
        seen_version=second.version,
        clock=clock,
    )
    assert accepted.status is S.ACCEPTED and declined.status is S.DECLINED
    assert accepted.decided_by_person_id == world.base.owner.id
    view = await plan_view.plan_view(session, world.owner, world.plan_id, clock=clock)
    assert [g.goal.id for g in view.goals] == [first.id]
    assert [g.goal.id for g in view.other_goals] == [second.id]  # declined, never deleted
    assert [g.id for g in view.all_goals] == [first.id]


async def test_r_plan_3_guardian_of_youth_decides_but_the_youth_owner_cannot(
    session: AsyncSession, world: PlanWorld, clock: FrozenClock
) -> None:
    await give_youth_access(session, world, clock)
    plan_id = world.base.child_plan.id
    # Ida (14) may read and propose, but writing decisions stays with her guardian (R-AGE-3).
    own = await goals.propose_goal(
        session, world.child, plan_id, goals.GoalInput("Kor"), clock=clock
    )
    assert own.status is S.PROPOSED
    with pytest.raises(Forbidden):
        await goals.set_goal_status(
            session,
            world.child,
            plan_id,
            own.id,
            S.ACCEPTED,
            seen_version=own.version,
            clock=clock,
        )
    decided = await goals.set_goal_status(
        session,
        world.parent,
        plan_id,
        own.id,
        S.ACCEPTED,
        seen_version=own.version,
        clock=clock,
    )
    assert decided.status is S.ACCEPTED and decided.decided_by_person_id == world.base.parent.id


async def test_r_plan_3_only_the_owner_side_decides(
    session: AsyncSession, world: PlanWorld, clock: FrozenClock
) -> None:
    await nurse_may_write(session, world, clock)
    goal = await goals.propose_goal(
        session, world.coordinator, world.plan_id, goals.GoalInput("Trene"), clock=clock
    )
    for outsider in (world.coordinator, world.nurse, world.ke):
        with pytest.raises(Forbidden):
            await goals.set_goal_status(
                session,
                outsider,
                world.plan_id,
                goal.id,
                S.ACCEPTED,
                seen_version=goal.version,
                clock=clock,
            )
    with pytest.raises(NotFound):  # a relative without grants may not know the plan exists
        await goals.set_goal_status(
            session,
            world.relative,
            world.plan_id,
            goal.id,
            S.ACCEPTED,
            seen_version=goal.version,
            clock=clock,
        )
    assert goal.status is S.PROPOSED


@pytest.mark.parametrize(
    ("start", "path", "forbidden"),
    [
        (S.PROPOSED, [], [S.ACTIVE, S.ACHIEVED, S.STOPPED, S.PROPOSED]),
        (S.ACCEPTED, [], [S.PROPOSED, S.DECLINED, S.ACCEPTED]),
        (S.PROPOSED, [S.DECLINED], [S.PROPOSED, S.DECLINED, S.ACTIVE, S.ACHIEVED, S.STOPPED]),
        (S.ACCEPTED, [S.ACTIVE], [S.ACCEPTED, S.PROPOSED, S.DECLINED, S.ACTIVE]),
        (S.ACCEPTED, [S.ACHIEVED], [S.ACHIEVED, S.STOPPED, S.ACCEPTED, S.PROPOSED, S.DECLINED]),
        (S.ACCEPTED, [S.STOPPED], [S.STOPPED, S.ACHIEVED, S.ACCEPTED, S.PROPOSED, S.DECLINED]),
    ],
)
async def test_r_plan_3_transitions_refuse_what_the_table_does_not_allow(
    session: AsyncSession,
    world: PlanWorld,
    clock: FrozenClock,
    start: GoalStatus,
    path: list[GoalStatus],
    forbidden: list[GoalStatus],
) -> None:
    writer = world.owner if start is S.ACCEPTED else world.coordinator
    goal = await goals.propose_goal(
        session, writer, world.plan_id, goals.GoalInput("Mål"), clock=clock
    )
    assert goal.status is start
    for status in path:
        goal = await goals.set_goal_status(
            session,
            world.owner,
            world.plan_id,
            goal.id,
            status,
            seen_version=goal.version,
            clock=clock,
        )
    version, status = goal.version, goal.status
    assert set(forbidden) == set(GoalStatus) - goals.TRANSITIONS[status]
    for refused in forbidden:
        with pytest.raises(InvalidInput) as error:
            await goals.set_goal_status(
                session,
                world.owner,
                world.plan_id,
                goal.id,
                refused,
                seen_version=version,
                clock=clock,
            )
        assert error.value.error_code == "goal_status_not_allowed"
        assert error.value.field == "status"
    assert goal.status is status and goal.version == version


async def test_r_plan_3_every_allowed_transition_goes_through(
    session: AsyncSession, world: PlanWorld, clock: FrozenClock
) -> None:
    goal = await goals.propose_goal(
        session, world.coordinator, world.plan_id, goals.GoalInput("Mål"), clock=clock
    )
    for status in (S.DECLINED, S.ACCEPTED, S.ACTIVE, S.ACHIEVED, S.ACTIVE, S.STOPPED, S.ACTIVE):
        goal = await goals.set_goal_status(
            session,
            world.owner,
            world.plan_id,
            goal.id,
            status,
            seen_version=goal.version,
            clock=clock,
        )
        assert goal.status is status
    assert goal.version == 8


async def test_r_plan_3_sub_goals_but_no_sub_sub_goals(
    session: AsyncSession, world: PlanWorld, clock: FrozenClock
) -> None:
    main = await goals.propose_goal(
        session, world.owner, world.plan_id, goals.GoalInput("Bu heime"), clock=clock
    )
    sub = await goals.propose_goal(
        session,
        world.owner,
        world.plan_id,
        goals.GoalInput("Lage mat", parent_id=main.id),
        clock=clock,
    )
    assert sub.parent_id == main.id
    with pytest.raises(InvalidInput) as nested:
        await goals.propose_goal(
            session,
            world.owner,
            world.plan_id,
            goals.GoalInput("Kjøpe inn", parent_id=sub.id),
            clock=clock,
        )
    assert nested.value.error_code == "bad_parent" and nested.value.field == "parent_id"
    other_plan_goal = await goals.propose_goal(
        session,
        world.small_child_parent,
        world.small_child_plan.id,
        goals.GoalInput("Leike"),
        clock=clock,
    )
    for parent_id in (other_plan_goal.id, uuid.uuid4()):
        with pytest.raises(NotFound):
            await goals.propose_goal(
                session,
                world.owner,
                world.plan_id,
                goals.GoalInput("Feil", parent_id=parent_id),
                clock=clock,
            )
    view = await plan_view.plan_view(session, world.owner, world.plan_id, clock=clock)
    [shown] = view.goals
    assert shown.goal.id == main.id and [g.goal.id for g in shown.sub_goals] == [sub.id]


async def test_r_plan_3_a_proposal_is_revised_by_proposers_an_accepted_goal_by_the_owner(
    session: AsyncSession, world: PlanWorld, clock: FrozenClock
) -> None:
    goal = await goals.propose_goal(
        session, world.coordinator, world.plan_id, goals.GoalInput("Trene"), clock=clock
    )
    goal = await goals.change_goal(
        session,
        world.coordinator,
        world.plan_id,
        goal.id,
        goals.GoalChange("Trene to gonger"),
        seen_version=goal.version,
        clock=clock,
    )
    goal = await goals.set_goal_status(
        session,
        world.owner,
        world.plan_id,
        goal.id,
        S.ACCEPTED,
        seen_version=goal.version,
        clock=clock,
    )
    with pytest.raises(Forbidden):
        await goals.change_goal(
            session,
            world.coordinator,
            world.plan_id,
            goal.id,
            goals.GoalChange("Anna"),
            seen_version=goal.version,
            clock=clock,
        )
    goal = await goals.change_goal(
        session,
        world.owner,
        world.plan_id,
        goal.id,
        goals.GoalChange("Trene kvar veke"),
        seen_version=goal.version,
        clock=clock,
    )
    assert goal.text == "Trene kvar veke"


async def test_r_plan_3_reviews_only_of_accepted_goals_and_not_in_the_future(
    session: AsyncSession, world: PlanWorld, clock: FrozenClock
) -> None:
    proposed = await goals.propose_goal(
        session, world.coordinator, world.plan_id, goals.GoalInput("Trene"), clock=clock
    )
    review = goals.ReviewInput(ReviewAssessment.ON_TRACK, "Går fint")
    with pytest.raises(InvalidInput) as not_yet:
        await goals.add_review(
            session, world.coordinator, world.plan_id, proposed.id, review, clock=clock
        )
    assert not_yet.value.error_code == "goal_not_reviewable"
    goal = await goals.propose_goal(
        session, world.owner, world.plan_id, goals.GoalInput("Gå tur"), clock=clock
    )
    tomorrow = goals.ReviewInput(
        ReviewAssessment.ON_TRACK, "Går fint", reviewed_on=clock.now().date().replace(year=2030)
    )
    with pytest.raises(InvalidInput) as future:
        await goals.add_review(
            session, world.coordinator, world.plan_id, goal.id, tomorrow, clock=clock
        )
    assert future.value.field == "reviewed_on"
    saved = await goals.add_review(
        session, world.coordinator, world.plan_id, goal.id, review, clock=clock
    )
    assert saved.reviewed_on == clock.now().date()
    view = await plan_view.plan_view(session, world.owner, world.plan_id, clock=clock)
    [shown] = view.goals
    assert [r.review.id for r in shown.reviews] == [saved.id]
    assert not shown.reviews[0].can_edit  # the owner did not write it
    assert await denial_reasons(session, world.owner) == []
