"""The whole plan as one reader may see it: for the plan page, the print view, the PDF and the
API. The owner's own words first, then goals with their actions beneath, then the frame.

A fixed number of queries however many goals and actions the plan has (quality.md P8): every
kind of item is read in one query, and every decision per item is made from the facts loaded
once (app/access/plan_access.py). Items shielded from the reader are left out (R-AGE-2).
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app import access
from app.access import Actor, ItemFacts, Permission, PlanAccess
from app.access.rules import OWN_VIEW_FROM_AGE
from app.actions import service as action_service
from app.actions.service import Choice
from app.clock import Clock, today_in_oslo
from app.completeness.service import completeness as completeness_of
from app.goals.service import TRANSITIONS
from app.idempotency.service import actor_key
from app.models import (
    Action,
    ActionGoal,
    ActionStatus,
    Contribution,
    Contributor,
    Cooperation,
    Goal,
    GoalReview,
    GoalStatus,
    LifeSituation,
    PlanStatus,
    ProgressNote,
    SubPlanLink,
)
from app.plan_items.names import Names, load_names
from app.plan_items.writing import written_by
from app.plan_view.contribution_choices import contribution_choices, may_change_contribution
from app.plan_view.views import ActionView, GoalView, NoteView, PlanView, ReviewView
from app.visits import service as visits

DUE_SOON_DAYS = 14
OPEN_ACTION = (ActionStatus.PLANNED, ActionStatus.ONGOING, ActionStatus.PAUSED)


async def plan_view(
    session: AsyncSession,
    actor: Actor,
    plan_id: uuid.UUID,
    *,
    clock: Clock,
    export: bool = False,
    note_visit: bool = True,
    intent: Permission | None = None,
) -> PlanView:
    """The plan for the plan page (a visit: "new since" is counted and the visit noted), or for
    print and PDF with `export` (needs the export right; no visit is noted). API reads of one
    item pass `note_visit=False`, so they do not reset what is new on the page."""
    permission = Permission.EXPORT if export else Permission.SEE_PLAN
    # `intent`: what the caller reads the plan for, named in the refusal of an invisible plan.
    opened = await access.open_plan(
        session, actor, plan_id, clock=clock, intent=intent or permission
    )
    plan = opened.plan
    await access.check(session, actor, opened, permission, clock=clock)
    shows = {
        permission: opened.allows(permission)
        for permission in (
            Permission.READ_LIFE_SITUATION,
            Permission.READ_GOALS_ACTIONS,
            Permission.READ_NOTES,
        )
    }
    for permission, allowed in shows.items():
        if allowed:  # each part read is an audited read of plan data (R-LOG-1)
            await access.check(session, actor, opened, permission, clock=clock)
    today = today_in_oslo(clock)
    visitor = actor_key(actor)
    last_visit = None if export else await visits.last_visit(session, plan.id, visitor)
    changed = (
        await visits.changed_since(session, opened, actor, last_visit) if last_visit else set()
    )

    life = None
    if shows[Permission.READ_LIFE_SITUATION]:
        life = await session.scalar(select(LifeSituation).where(LifeSituation.plan_id == plan.id))
    goals: list[Goal] = []
    reviews: list[GoalReview] = []
    actions: list[Action] = []
    links: list[tuple[uuid.UUID, uuid.UUID]] = []
    contributions: list[Contribution] = []
    cooperation: list[Cooperation] = []
    sub_plans: list[SubPlanLink] = []
    if shows[Permission.READ_GOALS_ACTIONS]:
        goals = _visible(opened, "goal", await _all(session, Goal, plan.id))
        reviews = [
            r
            for r in await _all(session, GoalReview, plan.id)
            if not opened.hides("goal", r.goal_id)
        ]
        actions = _visible(opened, "action", await _all(session, Action, plan.id))
        link_rows = await session.execute(
            select(ActionGoal.action_id, ActionGoal.goal_id)
            .join(Action, Action.id == ActionGoal.action_id)
            .where(Action.plan_id == plan.id)
        )
        links = [(action_id, goal_id) for action_id, goal_id in link_rows]
        contributions = [
            c for c in await _all(session, Contribution, plan.id) if c.withdrawn_at is None
        ]
        cooperation = [c for c in await _all(session, Cooperation, plan.id) if not c.withdrawn_at]
        sub_plans = [s for s in await _all(session, SubPlanLink, plan.id) if not s.withdrawn_at]
    notes: list[ProgressNote] = []
    if shows[Permission.READ_NOTES] and actions:
        notes = [
            n
            for n in await _all(session, ProgressNote, plan.id)
            # A note can be shielded by itself, or with the action it belongs to.
            if not opened.hides("action", n.action_id) and not opened.hides("note", n.id)
        ]
    units, people = await action_service.responsible_choices(session, opened)
    contribution_units: list[Choice] = []
    contribution_kinds: list[Contributor] = []
    if shows[Permission.READ_GOALS_ACTIONS]:
        contribution_units, contribution_kinds = await contribution_choices(session, opened, units)
    names = await load_names(
        session,
        people=[plan.owner_id]
        + [g.created_by_person_id for g in goals]
        + [r.created_by_person_id for r in reviews]
        + [n.created_by_person_id for n in notes]
        + [life.updated_by_person_id if life else None],
        employees=[g.created_by_employee_id for g in goals]
        + [r.created_by_employee_id for r in reviews]
        + [n.created_by_employee_id for n in notes]
        + [a.responsible_employee_id for a in actions]
        + [plan.coordinator_id, life.updated_by_employee_id if life else None],
        units=[a.responsible_unit_id for a in actions]
        + [g.proposed_by_unit_id for g in goals]
        + [n.author_unit_id for n in notes]
        + [c.unit_id for c in contributions],
    )
    completeness = await completeness_of(session, plan, today)
    if not export and note_visit:
        await visits.note_visit(session, plan.id, visitor, clock)

    action_views = {
        a.id: _action_view(opened, actor, a, links, notes, names, changed, today) for a in actions
    }
    goal_views = {g.id: _goal_view(opened, actor, g, reviews, names, changed) for g in goals}
    linked: set[uuid.UUID] = set()
    for action_id, goal_id in links:
        if goal_id in goal_views and action_id in action_views:
            goal_views[goal_id].actions.append(action_views[action_id])
            linked.add(action_id)
    main, proposed, other = [], [], []
    for view in goal_views.values():
        parent = view.goal.parent_id
        if view.goal.status is GoalStatus.PROPOSED:
            proposed.append(view)
        elif view.goal.status is GoalStatus.DECLINED:
            other.append(view)
        elif parent is None:
            main.append(view)
        elif parent in goal_views:
            goal_views[parent].sub_goals.append(view)
        else:
            other.append(view)
    life_by = None
    if life is not None:
        life_by = names.author(life.updated_by_person_id, life.updated_by_employee_id)
    return PlanView(
        plan=plan,
        opened=opened,
        owner_name=names.person(plan.owner_id) or "",
        coordinator_name=names.employee(plan.coordinator_id),
        today=today,
        shows_life_situation=shows[Permission.READ_LIFE_SITUATION],
        shows_goals=shows[Permission.READ_GOALS_ACTIONS],
        shows_notes=shows[Permission.READ_NOTES],
        life_situation=life,
        life_situation_by=life_by,
        shows_own_view=opened.facts.owner_age >= OWN_VIEW_FROM_AGE,
        goals=main,
        proposed=proposed,
        other_goals=other,
        loose_actions=[view for a_id, view in action_views.items() if a_id not in linked],
        contributions=[(c, names.unit(c.unit_id)) for c in contributions],
        contribution_kinds=contribution_kinds,
        contribution_units=contribution_units,
        changeable_contributions=frozenset(
            c.id for c in contributions if may_change_contribution(opened, actor, c)
        ),
        cooperation=cooperation,
        sub_plans=sub_plans,
        completeness=completeness,
        last_visit=last_visit,
        new_count=len(changed & _shown_ids(life, goals, reviews, actions, notes)),
        units=units,
        people=people,
        all_goals=[g for g in goals if g.status is not GoalStatus.DECLINED],
    )


Item = TypeVar(
    "Item", Goal, GoalReview, Action, ProgressNote, Contribution, Cooperation, SubPlanLink
)


async def _all(session: AsyncSession, model: type[Item], plan_id: uuid.UUID) -> list[Item]:
    query = select(model).where(model.plan_id == plan_id).order_by(model.created_at)
    return list((await session.scalars(query)).all())


def _visible(opened: PlanAccess, item_type: str, items: list[Item]) -> list[Item]:
    return [item for item in items if not opened.hides(item_type, item.id)]


def _shown_ids(
    life: LifeSituation | None,
    goals: list[Goal],
    reviews: list[GoalReview],
    actions: list[Action],
    notes: list[ProgressNote],
) -> set[uuid.UUID]:
    shown = {item.id for group in (goals, reviews, actions, notes) for item in group}
    return shown | ({life.id} if life else set())


def _goal_view(
    opened: PlanAccess,
    actor: Actor,
    goal: Goal,
    reviews: list[GoalReview],
    names: Names,
    changed: set[uuid.UUID],
) -> GoalView:
    item = ItemFacts(type="goal", id=goal.id)
    writable = opened.plan.status is not PlanStatus.CLOSED
    can_decide = writable and opened.allows(Permission.DECIDE_GOAL, item)
    edit_permission = (
        Permission.PROPOSE_GOAL if goal.status is GoalStatus.PROPOSED else Permission.DECIDE_GOAL
    )
    reviewable = goal.status not in (GoalStatus.PROPOSED, GoalStatus.DECLINED)
    return GoalView(
        goal=goal,
        proposer=names.author(goal.created_by_person_id, goal.created_by_employee_id),
        proposer_unit=names.unit(goal.proposed_by_unit_id),
        reviews=[
            ReviewView(
                review=r,
                author=names.author(r.created_by_person_id, r.created_by_employee_id),
                can_edit=writable
                and opened.allows(
                    Permission.REVIEW_GOAL,
                    ItemFacts("goal", goal.id, written_by_actor=written_by(actor, r)),
                ),
                is_new=r.id in changed,
            )
            for r in reviews
            if r.goal_id == goal.id
        ],
        can_edit=writable and opened.allows(edit_permission, item),
        can_decide=can_decide,
        can_review=writable and reviewable and opened.allows(Permission.REVIEW_GOAL, item),
        next_statuses=sorted(TRANSITIONS[goal.status], key=list(GoalStatus).index)
        if can_decide
        else [],
        is_new=goal.id in changed,
    )


def _action_view(
    opened: PlanAccess,
    actor: Actor,
    action: Action,
    links: list[tuple[uuid.UUID, uuid.UUID]],
    notes: list[ProgressNote],
    names: Names,
    changed: set[uuid.UUID],
    today: date,
) -> ActionView:
    item = ItemFacts("action", action.id, responsible_unit_id=action.responsible_unit_id)
    writable = opened.plan.status is not PlanStatus.CLOSED
    is_open = action.status in OPEN_ACTION
    return ActionView(
        action=action,
        goal_ids=[goal_id for action_id, goal_id in links if action_id == action.id],
        unit=names.unit(action.responsible_unit_id) or "",
        person=names.employee(action.responsible_employee_id),
        notes=[
            NoteView(
                note=n,
                author=names.author(n.created_by_person_id, n.created_by_employee_id),
                unit=names.unit(n.author_unit_id),
                can_edit=writable
                and opened.allows(
                    Permission.COMMENT_ON_ACTION,
                    ItemFacts(
                        "action",
                        action.id,
                        responsible_unit_id=action.responsible_unit_id,
                        written_by_actor=written_by(actor, n),
                    ),
                ),
                is_new=n.id in changed,
            )
            for n in notes
            if n.action_id == action.id
        ],
        can_update=writable and opened.allows(Permission.UPDATE_ACTION, item),
        can_comment=writable and opened.allows(Permission.COMMENT_ON_ACTION, item),
        is_new=action.id in changed,
        overdue=is_open and action.deadline is not None and action.deadline < today,
        due_soon=is_open
        and action.deadline is not None
        and today <= action.deadline <= date.fromordinal(today.toordinal() + DUE_SOON_DAYS),
    )
