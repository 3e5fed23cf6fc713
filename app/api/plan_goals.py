"""Goals and their reviews (R-PLAN-3): the owner's goals; others propose, the owner decides."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request, Response
from starlette.responses import JSONResponse

from app import access
from app.access import ItemFacts, Permission
from app.access.decisions import ITEM_NOT_FOUND
from app.api.deps import ClockDep, CurrentActor, DbSession
from app.api.plan_http import (
    PLAN,
    IdempotencyKey,
    SeenVersion,
    create_once,
    tagged,
    version_checked,
)
from app.api.plan_out import find_goal, goal_detail
from app.api.plan_schemas import (
    GoalChangeIn,
    GoalDetailOut,
    GoalIn,
    GoalOut,
    GoalStatusIn,
    ReviewIn,
    ReviewOut,
)
from app.errors import NotFound
from app.goals import service as goals
from app.plan_view import service as plan_view

router = APIRouter(tags=["plan"])


@router.post(PLAN + "/goals", response_model=GoalOut, status_code=201)
async def add_goal(
    request: Request,
    plan_id: uuid.UUID,
    data: GoalIn,
    key: IdempotencyKey,
    session: DbSession,
    actor: CurrentActor,
    clock: ClockDep,
) -> JSONResponse:
    """Write a goal or a sub-goal (`parent_id`). The owner's side writes goals; anyone else's
    is proposed until the owner accepts it."""

    async def write() -> GoalOut:
        goal_input = goals.GoalInput(data.text, data.due_date, data.parent_id)
        goal = await goals.propose_goal(session, actor, plan_id, goal_input, clock=clock)
        return GoalOut.model_validate(goal)

    def location(goal_id: str) -> str:
        return request.url_for("api_read_goal", plan_id=plan_id, goal_id=goal_id).path

    return await create_once(
        request, session, actor, key, data, write, location=location, clock=clock
    )


@router.get(PLAN + "/goals/{goal_id}", response_model=GoalDetailOut, name="api_read_goal")
async def read_goal(
    plan_id: uuid.UUID,
    goal_id: uuid.UUID,
    response: Response,
    session: DbSession,
    actor: CurrentActor,
    clock: ClockDep,
) -> GoalDetailOut:
    """One goal with its sub-goals, actions and reviews, and what you may do with it."""
    view = await plan_view.plan_view(session, actor, plan_id, clock=clock, note_visit=False)
    # The read of this one item, decided and logged by the door: 403, or 404 when shielded.
    item = ItemFacts(type="goal", id=goal_id)
    await access.check(
        session, actor, view.opened, Permission.READ_GOALS_ACTIONS, item=item, clock=clock
    )
    found = find_goal(view, goal_id)
    if found is None:
        raise NotFound(ITEM_NOT_FOUND, code="item_not_found")
    tagged(response, found.goal.version)
    return goal_detail(found)


@router.patch(PLAN + "/goals/{goal_id}", response_model=GoalOut)
async def change_goal(
    plan_id: uuid.UUID,
    goal_id: uuid.UUID,
    data: GoalChangeIn,
    seen: SeenVersion,
    response: Response,
    session: DbSession,
    actor: CurrentActor,
    clock: ClockDep,
) -> GoalOut:
    """New words or a new due date (send both; `due_date` may be null)."""
    change = goals.GoalChange(data.text, data.due_date)
    with version_checked():
        goal = await goals.change_goal(
            session, actor, plan_id, goal_id, change, seen_version=seen, clock=clock
        )
    tagged(response, goal.version)
    return GoalOut.model_validate(goal)


@router.post(PLAN + "/goals/{goal_id}/status", response_model=GoalOut)
async def set_goal_status(
    plan_id: uuid.UUID,
    goal_id: uuid.UUID,
    data: GoalStatusIn,
    seen: SeenVersion,
    response: Response,
    session: DbSession,
    actor: CurrentActor,
    clock: ClockDep,
) -> GoalOut:
    """Accept or decline a proposal, start, reach or stop a goal: the owner's side decides."""
    with version_checked():
        goal = await goals.set_goal_status(
            session, actor, plan_id, goal_id, data.status, seen_version=seen, clock=clock
        )
    tagged(response, goal.version)
    return GoalOut.model_validate(goal)


@router.post(PLAN + "/goals/{goal_id}/reviews", response_model=ReviewOut, status_code=201)
async def add_review(
    request: Request,
    plan_id: uuid.UUID,
    goal_id: uuid.UUID,
    data: ReviewIn,
    key: IdempotencyKey,
    session: DbSession,
    actor: CurrentActor,
    clock: ClockDep,
) -> JSONResponse:
    """How the goal is going, in words, on a date (today unless given)."""

    async def write() -> ReviewOut:
        review_input = goals.ReviewInput(data.assessment, data.text, data.reviewed_on)
        review = await goals.add_review(session, actor, plan_id, goal_id, review_input, clock=clock)
        return ReviewOut.model_validate(review)

    def location(review_id: str) -> str:
        return request.url_for("api_change_review", plan_id=plan_id, review_id=review_id).path

    return await create_once(
        request, session, actor, key, data, write, location=location, clock=clock
    )


@router.patch(PLAN + "/reviews/{review_id}", response_model=ReviewOut, name="api_change_review")
async def change_review(
    plan_id: uuid.UUID,
    review_id: uuid.UUID,
    data: ReviewIn,
    seen: SeenVersion,
    response: Response,
    session: DbSession,
    actor: CurrentActor,
    clock: ClockDep,
) -> ReviewOut:
    """Correct your own review; the earlier words stay on the timeline."""
    review_input = goals.ReviewInput(data.assessment, data.text, data.reviewed_on)
    with version_checked():
        review = await goals.change_review(
            session, actor, plan_id, review_id, review_input, seen_version=seen, clock=clock
        )
    tagged(response, review.version)
    return ReviewOut.model_validate(review)
