"""The plan as the page, the print view and the API show it: what `plan_view` builds, with the
small presentation questions the forms ask (which kinds and services a contribution form
offers). Plain data; every decision in it was made by app/access when it was built."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING

from app.access import PlanAccess
from app.actions.service import Choice
from app.completeness.service import Completeness
from app.models import Contributor, GoalStatus, PlanStatus

if TYPE_CHECKING:  # annotations only: plan data is read behind the access door
    from app.models import (
        Action,
        Contribution,
        Cooperation,
        Goal,
        GoalReview,
        LifeSituation,
        Plan,
        ProgressNote,
        SubPlanLink,
    )


@dataclass
class NoteView:
    note: ProgressNote
    author: str
    unit: str | None
    can_edit: bool
    is_new: bool


@dataclass
class ActionView:
    action: Action
    goal_ids: list[uuid.UUID]
    unit: str
    person: str | None
    notes: list[NoteView]
    can_update: bool
    can_comment: bool
    is_new: bool
    overdue: bool
    due_soon: bool


@dataclass
class ReviewView:
    review: GoalReview
    author: str
    can_edit: bool
    is_new: bool


@dataclass
class GoalView:
    goal: Goal
    proposer: str
    proposer_unit: str | None
    sub_goals: list[GoalView] = field(default_factory=list)
    actions: list[ActionView] = field(default_factory=list)
    reviews: list[ReviewView] = field(default_factory=list)
    can_edit: bool = False
    can_decide: bool = False
    can_review: bool = False
    next_statuses: list[GoalStatus] = field(default_factory=list)
    is_new: bool = False


@dataclass
class PlanView:
    plan: Plan
    opened: PlanAccess
    owner_name: str
    coordinator_name: str | None
    today: date
    shows_life_situation: bool
    shows_goals: bool
    shows_notes: bool
    life_situation: LifeSituation | None
    life_situation_by: str | None
    shows_own_view: bool
    goals: list[GoalView]
    proposed: list[GoalView]
    other_goals: list[GoalView]  # declined, or a sub-goal whose main goal is hidden
    loose_actions: list[ActionView]  # actions not linked to a goal the reader sees
    contributions: list[tuple[Contribution, str | None]]
    contribution_kinds: list[Contributor]  # who the reader may write a contribution for
    contribution_units: list[Choice]  # the services whose contribution the reader may write
    changeable_contributions: frozenset[uuid.UUID]
    cooperation: list[Cooperation]
    sub_plans: list[SubPlanLink]
    completeness: list[Completeness]
    last_visit: datetime | None
    new_count: int
    units: list[Choice]  # where the reader may create actions
    people: list[Choice]  # who may be responsible, by unit
    all_goals: list[Goal]  # for linking actions

    @property
    def can(self) -> dict[str, bool]:
        return self.opened.can

    @property
    def is_closed(self) -> bool:
        return self.plan.status is PlanStatus.CLOSED

    @property
    def unit_names(self) -> dict[uuid.UUID, str]:
        names = {c.unit_id: name for c, name in self.contributions if c.unit_id and name}
        chosen = [*self.units, *self.contribution_units]
        return names | {unit.id: unit.name for unit in chosen}

    @property
    def contribution_needs_unit(self) -> bool:
        """Only a service's own contribution to write: no "not a service" to choose."""
        return self.contribution_kinds == [Contributor.SERVICE]

    def contributor_options(self, item: Contribution | None) -> list[Contributor]:
        """The add form's kinds, and an existing contribution's own kind, which is kept."""
        kinds = list(self.contribution_kinds)
        return kinds + [item.contributor] if item and item.contributor not in kinds else kinds

    def contribution_unit_options(self, item: Contribution | None) -> list[uuid.UUID]:
        ids = [unit.id for unit in self.contribution_units]
        return ids + [item.unit_id] if item and item.unit_id and item.unit_id not in ids else ids

    @property
    def missing(self) -> list[Completeness]:
        return [item for item in self.completeness if not item.done]
