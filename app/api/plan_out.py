"""The plan view (app/plan_view/service.py) as JSON: what one reader may see, with names and
the reader's per-item flags as the service decided them."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import TYPE_CHECKING

from pydantic import BaseModel

from app.api.plan_schemas import (
    ActionCan,
    ActionDetailOut,
    ActionOut,
    ChoiceOut,
    ChoicesOut,
    CompletenessOut,
    ContributionDetailOut,
    ContributionOut,
    CooperationOut,
    FrameOut,
    GoalCan,
    GoalDetailOut,
    GoalOut,
    ItemCan,
    LifeSituationDetailOut,
    LifeSituationOut,
    NoteDetailOut,
    NoteOut,
    PartsOut,
    PlanFrameOut,
    PlanOut,
    ReviewDetailOut,
    ReviewOut,
    SubPlanOut,
)

if TYPE_CHECKING:  # annotations only: the view comes from the service
    from app.plan_view.views import ActionView, GoalView, PlanView


def note_detail(view: ActionView) -> list[NoteDetailOut]:
    return [
        NoteDetailOut.model_validate(
            {
                **_columns(item.note, NoteOut),
                "author": item.author,
                "unit": item.unit,
                "is_new": item.is_new,
                "can": ItemCan(edit=item.can_edit),
            }
        )
        for item in view.notes
    ]


def action_detail(view: ActionView) -> ActionDetailOut:
    return ActionDetailOut.model_validate(
        {
            **_columns(view.action, ActionOut),
            "goal_ids": view.goal_ids,
            "unit": view.unit,
            "person": view.person,
            "notes": note_detail(view),
            "overdue": view.overdue,
            "due_soon": view.due_soon,
            "is_new": view.is_new,
            "can": ActionCan(update=view.can_update, comment=view.can_comment),
        }
    )


def goal_detail(view: GoalView) -> GoalDetailOut:
    return GoalDetailOut.model_validate(
        {
            **_columns(view.goal, GoalOut),
            "proposer": view.proposer,
            "proposer_unit": view.proposer_unit,
            "is_new": view.is_new,
            "can": GoalCan(edit=view.can_edit, decide=view.can_decide, review=view.can_review),
            "next_statuses": view.next_statuses,
            "sub_goals": [goal_detail(sub) for sub in view.sub_goals],
            "actions": [action_detail(action) for action in view.actions],
            "reviews": [
                ReviewDetailOut.model_validate(
                    {
                        **_columns(item.review, ReviewOut),
                        "author": item.author,
                        "is_new": item.is_new,
                        "can": ItemCan(edit=item.can_edit),
                    }
                )
                for item in view.reviews
            ],
        }
    )


def life_situation_detail(view: PlanView) -> LifeSituationDetailOut | None:
    """The owner's words, or version 0 and empty words when none are written yet; None when
    the reader may not read them."""
    if not view.shows_life_situation:
        return None
    words = view.life_situation
    base = _columns(words, LifeSituationOut) if words is not None else {"version": 0}
    return LifeSituationDetailOut.model_validate(
        {**base, "written_by": view.life_situation_by, "shows_own_view": view.shows_own_view}
    )


def plan_out(view: PlanView) -> PlanOut:
    plan = view.plan
    return PlanOut(
        id=plan.id,
        frame=PlanFrameOut.model_validate(
            {
                **_columns(plan, FrameOut),
                "owner_name": view.owner_name,
                "coordinator_name": view.coordinator_name,
            }
        ),
        parts=PartsOut(
            life_situation=view.shows_life_situation,
            goals_actions=view.shows_goals,
            notes=view.shows_notes,
        ),
        can=dict(view.can),
        life_situation=life_situation_detail(view),
        goals=[goal_detail(goal) for goal in view.goals],
        proposed_goals=[goal_detail(goal) for goal in view.proposed],
        other_goals=[goal_detail(goal) for goal in view.other_goals],
        loose_actions=[action_detail(action) for action in view.loose_actions],
        contributions=[
            ContributionDetailOut.model_validate(
                {
                    **_columns(item, ContributionOut),
                    "unit": unit,
                    "can": ItemCan(edit=item.id in view.changeable_contributions),
                }
            )
            for item, unit in view.contributions
        ],
        cooperation=[CooperationOut.model_validate(item) for item in view.cooperation],
        sub_plans=[SubPlanOut.model_validate(item) for item in view.sub_plans],
        completeness=[CompletenessOut(key=item.key, done=item.done) for item in view.completeness],
        last_visit=view.last_visit,
        new_count=view.new_count,
        choices=ChoicesOut(
            units=[ChoiceOut(id=c.id, name=c.name, group=c.group) for c in view.units],
            people=[ChoiceOut(id=c.id, name=c.name, group=c.group) for c in view.people],
            contributors=view.contribution_kinds,
            contribution_units=[
                ChoiceOut(id=c.id, name=c.name, group=c.group) for c in view.contribution_units
            ],
        ),
    )


def _all_goals(views: list[GoalView]) -> Iterator[GoalView]:
    for view in views:
        yield view
        yield from _all_goals(view.sub_goals)


def _every_goal(view: PlanView) -> Iterator[GoalView]:
    yield from _all_goals(view.goals + view.proposed + view.other_goals)


def find_goal(view: PlanView, goal_id: uuid.UUID) -> GoalView | None:
    """The goal if this reader sees it (a shielded one is not in their view)."""
    return next((goal for goal in _every_goal(view) if goal.goal.id == goal_id), None)


def find_action(view: PlanView, action_id: uuid.UUID) -> ActionView | None:
    for action in view.loose_actions:
        if action.action.id == action_id:
            return action
    for goal in _every_goal(view):
        for action in goal.actions:
            if action.action.id == action_id:
                return action
    return None


def _columns(item: object, model: type[BaseModel]) -> dict[str, object]:
    """The stored fields of an item, as the write answers show them; reads add the rest."""
    return {name: getattr(item, name) for name in model.model_fields}
