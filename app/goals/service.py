"""Goals and their reviews (R-PLAN-3): the owner's goals; others propose, the owner decides.

A goal written by the owner (or by a guardian of a child under 12, or a representative acting
for the owner) counts as accepted at once; anyone else's is proposed until the owner's side
accepts or declines it. Status changes follow TRANSITIONS; nothing is deleted (R-PLAN-5).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from app import access
from app.access import Actor, ItemFacts, Permission, PlanAccess, Role
from app.access.decisions import ITEM_NOT_FOUND
from app.clock import Clock, today_in_oslo
from app.errors import InvalidInput, NotFound
from app.i18n import gettext_noop
from app.models import Goal, GoalReview, GoalStatus, ReviewAssessment
from app.plan_items import texts, versions
from app.plan_items.writing import ensure_open, stamp_new
from app.timeline import service as timeline

GOAL_FIELDS = ("text", "due_date", "status", "parent_id")
REVIEW_FIELDS = ("assessment", "text", "reviewed_on")
S = GoalStatus
# Which status may follow which. Declined goals can be reconsidered; ended ones taken up again.
TRANSITIONS: dict[GoalStatus, frozenset[GoalStatus]] = {
    S.PROPOSED: frozenset({S.ACCEPTED, S.DECLINED}),
    S.ACCEPTED: frozenset({S.ACTIVE, S.ACHIEVED, S.STOPPED}),
    S.DECLINED: frozenset({S.ACCEPTED}),
    S.ACTIVE: frozenset({S.ACHIEVED, S.STOPPED}),
    S.ACHIEVED: frozenset({S.ACTIVE}),
    S.STOPPED: frozenset({S.ACTIVE}),
}
# Those whose goals need nobody's acceptance: they are the owner or speak for them.
ACCEPTED_AT_ONCE = frozenset({Role.OWNER, Role.GUARDIAN_OF_CHILD, Role.REPRESENTATIVE})

BAD_PARENT = gettext_noop("A sub-goal must belong to a main goal of this plan.")
STATUS_NOT_ALLOWED = gettext_noop("A goal cannot go from this status to the one you chose.")
NOT_REVIEWABLE = gettext_noop("Only goals that have been accepted can be reviewed.")
REVIEW_IN_FUTURE = gettext_noop("A review cannot be dated in the future.")


@dataclass(frozen=True)
class GoalInput:
    text: str
    due_date: date | None = None
    parent_id: uuid.UUID | None = None


@dataclass(frozen=True)
class GoalChange:
    text: str
    due_date: date | None = None


@dataclass(frozen=True)
class ReviewInput:
    assessment: ReviewAssessment
    text: str
    reviewed_on: date | None = None


def goal_item(goal: Goal) -> ItemFacts:
    return ItemFacts(type="goal", id=goal.id)


async def _goal(session: AsyncSession, opened: PlanAccess, goal_id: uuid.UUID) -> Goal:
    goal = await session.get(Goal, goal_id)
    if goal is None or goal.plan_id != opened.plan.id:
        raise NotFound(ITEM_NOT_FOUND, code="item_not_found")
    return goal


async def propose_goal(
    session: AsyncSession, actor: Actor, plan_id: uuid.UUID, data: GoalInput, *, clock: Clock
) -> Goal:
    opened = await access.open_plan(session, actor, plan_id, clock=clock)
    ensure_open(opened.plan)
    parent = None
    if data.parent_id is not None:
        parent = await _goal(session, opened, data.parent_id)
        await access.check(
            session, actor, opened, Permission.PROPOSE_GOAL, item=goal_item(parent), clock=clock
        )
        if parent.parent_id is not None:
            raise InvalidInput(BAD_PARENT, code="bad_parent", field="parent_id")
    else:
        await access.check(session, actor, opened, Permission.PROPOSE_GOAL, clock=clock)
    text = texts.clean(data.text, field="text", limit=texts.GOAL)
    role = opened.decide(Permission.PROPOSE_GOAL).role
    at_once = role in ACCEPTED_AT_ONCE
    goal = Goal(
        id=uuid.uuid4(),
        plan_id=plan_id,
        parent_id=parent.id if parent else None,
        text=text,
        due_date=data.due_date,
        status=GoalStatus.ACCEPTED if at_once else GoalStatus.PROPOSED,
        proposed_by_unit_id=opened.unit_id if actor.employee_id else None,
    )
    stamp_new(goal, actor, clock)
    if at_once:
        goal.decided_by_person_id = actor.person_id
        goal.decided_at = goal.created_at
    session.add(goal)
    await session.flush()
    await timeline.record(
        session,
        actor,
        opened.plan,
        kind="goal.added" if at_once else "goal.proposed",
        item_type="goal",
        item_id=goal.id,
        item_version=goal.version,
        changes=versions.created(versions.snapshot(goal, GOAL_FIELDS)),
        unit_id=goal.proposed_by_unit_id,
        clock=clock,
    )
    return goal


async def change_goal(
    session: AsyncSession,
    actor: Actor,
    plan_id: uuid.UUID,
    goal_id: uuid.UUID,
    data: GoalChange,
    *,
    seen_version: int | None,
    clock: Clock,
) -> Goal:
    """New words or a new due date. A proposal may be revised by those who may propose; once
    accepted, the goal is the owner's and only the owner's side changes it."""
    opened = await access.open_plan(session, actor, plan_id, clock=clock)
    goal = await _goal(session, opened, goal_id)
    permission = (
        Permission.PROPOSE_GOAL if goal.status is GoalStatus.PROPOSED else Permission.DECIDE_GOAL
    )
    await access.check(session, actor, opened, permission, item=goal_item(goal), clock=clock)
    ensure_open(opened.plan)
    versions.expect(goal, seen_version, item_type="goal")
    text = texts.clean(data.text, field="text", limit=texts.GOAL)
    before = versions.snapshot(goal, GOAL_FIELDS)
    goal.text, goal.due_date = text, data.due_date
    return await _saved(session, actor, opened, goal, before, "goal.changed", clock)


async def set_goal_status(
    session: AsyncSession,
    actor: Actor,
    plan_id: uuid.UUID,
    goal_id: uuid.UUID,
    status: GoalStatus,
    *,
    seen_version: int | None,
    clock: Clock,
) -> Goal:
    """Accept, decline, start, reach or stop a goal: the owner's side decides (R-PLAN-3)."""
    opened = await access.open_plan(session, actor, plan_id, clock=clock)
    goal = await _goal(session, opened, goal_id)
    await access.check(
        session, actor, opened, Permission.DECIDE_GOAL, item=goal_item(goal), clock=clock
    )
    ensure_open(opened.plan)
    versions.expect(goal, seen_version, item_type="goal")
    if status not in TRANSITIONS[goal.status]:
        raise InvalidInput(STATUS_NOT_ALLOWED, code="goal_status_not_allowed", field="status")
    before = versions.snapshot(goal, GOAL_FIELDS)
    if goal.status is GoalStatus.PROPOSED:
        goal.decided_by_person_id = actor.person_id
        goal.decided_at = clock.now()
    goal.status = status
    return await _saved(session, actor, opened, goal, before, f"goal.{status.value}", clock)


async def _saved(
    session: AsyncSession,
    actor: Actor,
    opened: PlanAccess,
    goal: Goal,
    before: dict[str, object],
    kind: str,
    clock: Clock,
) -> Goal:
    goal.updated_at = clock.now()
    await session.flush()
    await timeline.record(
        session,
        actor,
        opened.plan,
        kind=kind,
        item_type="goal",
        item_id=goal.id,
        item_version=goal.version,
        changes=versions.diff(before, versions.snapshot(goal, GOAL_FIELDS)),
        unit_id=opened.unit_id if actor.employee_id else None,
        clock=clock,
    )
    return goal


async def add_review(
    session: AsyncSession,
    actor: Actor,
    plan_id: uuid.UUID,
    goal_id: uuid.UUID,
    data: ReviewInput,
    *,
    clock: Clock,
) -> GoalReview:
    opened = await access.open_plan(session, actor, plan_id, clock=clock)
    goal = await _goal(session, opened, goal_id)
    await access.check(
        session, actor, opened, Permission.REVIEW_GOAL, item=goal_item(goal), clock=clock
    )
    ensure_open(opened.plan)
    if goal.status in (GoalStatus.PROPOSED, GoalStatus.DECLINED):
        raise InvalidInput(NOT_REVIEWABLE, code="goal_not_reviewable")
    text = texts.clean(data.text, field="text", limit=texts.LONG)
    today = today_in_oslo(clock)
    if data.reviewed_on is not None and data.reviewed_on > today:
        raise InvalidInput(REVIEW_IN_FUTURE, code="review_in_future", field="reviewed_on")
    review = GoalReview(
        id=uuid.uuid4(),
        plan_id=plan_id,
        goal_id=goal.id,
        assessment=data.assessment,
        text=text,
        reviewed_on=data.reviewed_on or today,
    )
    stamp_new(review, actor, clock)
    session.add(review)
    await session.flush()
    await timeline.record(
        session,
        actor,
        opened.plan,
        kind="review.added",
        item_type="review",
        item_id=review.id,
        item_version=review.version,
        changes=versions.created(versions.snapshot(review, REVIEW_FIELDS)),
        parent=("goal", goal.id),
        unit_id=opened.unit_id if actor.employee_id else None,
        clock=clock,
    )
    return review


async def change_review(
    session: AsyncSession,
    actor: Actor,
    plan_id: uuid.UUID,
    review_id: uuid.UUID,
    data: ReviewInput,
    *,
    seen_version: int | None,
    clock: Clock,
) -> GoalReview:
    """Correct one's own review; the earlier words stay on the timeline (R-PLAN-5)."""
    opened = await access.open_plan(session, actor, plan_id, clock=clock)
    review = await session.get(GoalReview, review_id)
    if review is None or review.plan_id != plan_id:
        raise NotFound(ITEM_NOT_FOUND, code="item_not_found")
    written_by_actor = (
        review.created_by_person_id == actor.person_id
        and review.created_by_employee_id == actor.employee_id
    )
    # A shielded goal hides its reviews: the decision is about the goal, by its author.
    item = ItemFacts(type="goal", id=review.goal_id, written_by_actor=written_by_actor)
    await access.check(session, actor, opened, Permission.REVIEW_GOAL, item=item, clock=clock)
    ensure_open(opened.plan)
    versions.expect(review, seen_version, item_type="review")
    text = texts.clean(data.text, field="text", limit=texts.LONG)
    if data.reviewed_on is not None and data.reviewed_on > today_in_oslo(clock):
        raise InvalidInput(REVIEW_IN_FUTURE, code="review_in_future", field="reviewed_on")
    before = versions.snapshot(review, REVIEW_FIELDS)
    review.assessment, review.text = data.assessment, text
    review.reviewed_on = data.reviewed_on or review.reviewed_on
    review.updated_at = clock.now()
    await session.flush()
    await timeline.record(
        session,
        actor,
        opened.plan,
        kind="review.changed",
        item_type="review",
        item_id=review.id,
        item_version=review.version,
        changes=versions.diff(before, versions.snapshot(review, REVIEW_FIELDS)),
        parent=("goal", review.goal_id),
        unit_id=opened.unit_id if actor.employee_id else None,
        clock=clock,
    )
    return review
