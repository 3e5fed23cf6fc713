"""Inputs and outputs of the plan API (issue #6): the owner's words, goals, actions and the
frame (the timeline's are in app/api/timeline_schemas.py).

Text limits are not repeated here: the services refuse empty or too long text with a message
that names the field (R-SAFE-1), which a Pydantic length error could not say as clearly.

Write answers carry the item as stored (`...Out`); reads add names and what the reader may do
(`...DetailOut`), which only the plan view knows.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import ClassVar

from pydantic import BaseModel, ConfigDict, model_validator

from app.models import (
    ActionStatus,
    Contributor,
    GoalStatus,
    NoteKind,
    PlanStatus,
    ReviewAssessment,
    SubPlanKind,
)


class _In(BaseModel):
    # A misspelt member must not be dropped silently: the person would think it was saved.
    model_config = ConfigDict(extra="forbid")


class _Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


# --- inputs ---------------------------------------------------------------------------------


class OwnWordsIn(_In):
    what_matters: str = ""
    situation: str = ""
    resources: str = ""
    needs: str = ""
    own_view: str = ""


class GoalIn(_In):
    text: str
    due_date: date | None = None
    parent_id: uuid.UUID | None = None


class GoalChangeIn(_In):
    # Both required (the due date may be null), so leaving one out never clears it by accident.
    text: str
    due_date: date | None


class GoalStatusIn(_In):
    status: GoalStatus


class ReviewIn(_In):
    assessment: ReviewAssessment
    text: str
    reviewed_on: date | None = None  # today when a review is added; unchanged when corrected


class ActionIn(_In):
    title: str
    responsible_unit_id: uuid.UUID | None = None
    extent: str = ""
    method: str = ""
    responsible_employee_id: uuid.UUID | None = None
    start_date: date | None = None
    deadline: date | None = None
    status: ActionStatus = ActionStatus.PLANNED
    goal_ids: list[uuid.UUID] = []


class ActionStatusIn(_In):
    status: ActionStatus


class NoteIn(_In):
    text: str


class PlanDatesIn(_In):
    period_start: date | None = None
    period_end: date | None = None
    revision_date: date | None = None


class _Withdrawable(_In):
    """A change to a frame entry: new content, or `{"withdrawn": true}` and nothing else."""

    withdrawn: bool = False
    required: ClassVar[tuple[str, ...]] = ()

    @model_validator(mode="after")
    def _content_or_withdrawal(self) -> _Withdrawable:
        content = self.model_fields_set - {"withdrawn"}
        if self.withdrawn and content:
            raise ValueError("send either {'withdrawn': true} or new content, not both")
        if not self.withdrawn:
            missing = [name for name in self.required if getattr(self, name) is None]
            if missing:
                raise ValueError(f"missing: {', '.join(missing)}")
        return self


class ContributionIn(_In):
    contributor: Contributor
    text: str
    who: str = ""
    unit_id: uuid.UUID | None = None  # required when the contributor is a service


class ContributionChangeIn(_Withdrawable):
    required = ("contributor", "text")
    contributor: Contributor | None = None
    text: str | None = None
    who: str = ""
    unit_id: uuid.UUID | None = None


class CooperationIn(_In):
    partner: str
    description: str = ""
    contact: str = ""


class CooperationChangeIn(_Withdrawable):
    required = ("partner",)
    partner: str | None = None
    description: str = ""
    contact: str = ""


class SubPlanIn(_In):
    kind: SubPlanKind
    title: str
    owner_unit: str = ""
    url: str = ""


class SubPlanChangeIn(_Withdrawable):
    required = ("kind", "title")
    kind: SubPlanKind | None = None
    title: str | None = None
    owner_unit: str = ""
    url: str = ""


# --- items as stored (write answers) --------------------------------------------------------


class FrameOut(_Out):
    version: int
    status: PlanStatus
    period_start: date | None
    period_end: date | None
    revision_date: date | None
    close_requested_at: datetime | None
    closed_at: datetime | None


class LifeSituationOut(_Out):
    version: int  # 0 while nothing is written
    what_matters: str = ""
    situation: str = ""
    resources: str = ""
    needs: str = ""
    own_view: str = ""
    written_by_coordinator: bool = False
    updated_at: datetime | None = None


class GoalOut(_Out):
    id: uuid.UUID
    version: int
    parent_id: uuid.UUID | None
    text: str
    due_date: date | None
    status: GoalStatus
    decided_at: datetime | None
    created_at: datetime
    updated_at: datetime


class ReviewOut(_Out):
    id: uuid.UUID
    version: int
    goal_id: uuid.UUID
    assessment: ReviewAssessment
    text: str
    reviewed_on: date
    created_at: datetime
    updated_at: datetime


class ActionOut(_Out):
    id: uuid.UUID
    version: int
    title: str
    extent: str
    method: str
    responsible_unit_id: uuid.UUID
    responsible_employee_id: uuid.UUID | None
    start_date: date | None
    deadline: date | None
    status: ActionStatus
    created_at: datetime
    updated_at: datetime


class NoteOut(_Out):
    id: uuid.UUID
    version: int
    action_id: uuid.UUID
    kind: NoteKind
    text: str
    author_unit_id: uuid.UUID | None
    created_at: datetime
    updated_at: datetime


class ContributionOut(_Out):
    id: uuid.UUID
    version: int
    contributor: Contributor
    unit_id: uuid.UUID | None
    who: str
    text: str
    withdrawn_at: datetime | None
    created_at: datetime
    updated_at: datetime


class CooperationOut(_Out):
    id: uuid.UUID
    version: int
    partner: str
    description: str
    contact: str
    withdrawn_at: datetime | None
    created_at: datetime
    updated_at: datetime


class SubPlanOut(_Out):
    id: uuid.UUID
    version: int
    kind: SubPlanKind
    title: str
    owner_unit: str
    url: str
    withdrawn_at: datetime | None
    created_at: datetime
    updated_at: datetime


# --- items as one reader sees them (reads) --------------------------------------------------


class ItemCan(BaseModel):
    edit: bool


class GoalCan(BaseModel):
    edit: bool
    decide: bool
    review: bool


class ActionCan(BaseModel):
    update: bool
    comment: bool


class NoteDetailOut(NoteOut):
    author: str
    unit: str | None
    is_new: bool
    can: ItemCan


class ActionDetailOut(ActionOut):
    goal_ids: list[uuid.UUID]
    unit: str
    person: str | None
    notes: list[NoteDetailOut]
    overdue: bool
    due_soon: bool
    is_new: bool
    can: ActionCan


class ReviewDetailOut(ReviewOut):
    author: str
    is_new: bool
    can: ItemCan


class GoalDetailOut(GoalOut):
    proposer: str
    proposer_unit: str | None
    is_new: bool
    can: GoalCan
    next_statuses: list[GoalStatus]
    sub_goals: list[GoalDetailOut]
    actions: list[ActionDetailOut]
    reviews: list[ReviewDetailOut]


class LifeSituationDetailOut(LifeSituationOut):
    written_by: str | None = None
    shows_own_view: bool  # the child's own view is asked from the age of 7


class ContributionDetailOut(ContributionOut):
    unit: str | None
    can: ItemCan  # edit: change or withdraw it (a service its own, a relative their own words)


class PlanFrameOut(FrameOut):
    owner_name: str
    coordinator_name: str | None


class PartsOut(BaseModel):
    """Which parts the reader may read: an empty list below may mean "not yours to see"."""

    life_situation: bool
    goals_actions: bool
    notes: bool


class CompletenessOut(BaseModel):
    key: str  # one of the nine content items of R-PLAN-1, in the regulation's order
    done: bool


class ChoiceOut(BaseModel):
    id: uuid.UUID
    name: str
    group: str = ""  # an employee's unit


class ChoicesOut(BaseModel):
    units: list[ChoiceOut]  # where the reader may make actions
    people: list[ChoiceOut]  # who may be responsible, by unit
    contributors: list[Contributor]  # whom the reader may write a contribution for
    contribution_units: list[ChoiceOut]  # the services whose contribution the reader may write


class PlanOut(BaseModel):
    id: uuid.UUID
    frame: PlanFrameOut
    parts: PartsOut
    can: dict[str, bool]  # what the reader may do to the plan as such
    life_situation: LifeSituationDetailOut | None
    goals: list[GoalDetailOut]  # main goals, their sub-goals and actions beneath
    proposed_goals: list[GoalDetailOut]
    other_goals: list[GoalDetailOut]  # declined, or a sub-goal whose main goal is not shown
    loose_actions: list[ActionDetailOut]  # actions not under a goal the reader sees
    contributions: list[ContributionDetailOut]
    cooperation: list[CooperationOut]
    sub_plans: list[SubPlanOut]
    completeness: list[CompletenessOut]
    last_visit: datetime | None
    new_count: int
    choices: ChoicesOut
