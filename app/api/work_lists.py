"""Staff work lists as JSON: /api/v1/work/actions and /api/v1/work/plans."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from fastapi import APIRouter
from pydantic import BaseModel

from app.api.deps import ClockDep, CurrentActor, DbSession
from app.models import ActionStatus
from app.work_lists import service as work_lists

router = APIRouter(tags=["work lists"])
PROBLEMS: dict[int | str, dict[str, str]] = {
    401: {"description": "Not logged in"},
    403: {"description": "Work lists are for employees"},
}


class WorkAction(BaseModel):
    plan_id: uuid.UUID
    action_id: uuid.UUID
    owner_name: str
    title: str
    unit_name: str
    deadline: date | None
    status: ActionStatus
    updated_at: datetime
    yours: bool


class WorkActions(BaseModel):
    overdue: list[WorkAction]
    due_soon: list[WorkAction]
    recently_changed: list[WorkAction]


class WorkPlan(BaseModel):
    plan_id: uuid.UUID
    owner_name: str
    coordinator_name: str | None
    revision_date: date | None
    revision_overdue: bool
    revision_due: bool
    proposed_goals: int | None
    last_activity: datetime
    inactive: bool
    close_requested: bool


class WorkPlans(BaseModel):
    whole_municipality: bool
    plans: list[WorkPlan]


def _action(item: work_lists.ActionItem) -> WorkAction:
    return WorkAction(
        plan_id=item.plan_id,
        action_id=item.action_id,
        owner_name=item.owner_name,
        title=item.title,
        unit_name=item.unit_name,
        deadline=item.deadline,
        status=item.status,
        updated_at=item.updated_at,
        yours=item.yours,
    )


def _plan(item: work_lists.PlanItem) -> WorkPlan:
    return WorkPlan(
        plan_id=item.plan_id,
        owner_name=item.owner_name,
        coordinator_name=item.coordinator_name,
        revision_date=item.revision_date,
        revision_overdue=item.revision_overdue,
        revision_due=item.revision_due,
        proposed_goals=item.proposed_goals,
        last_activity=item.last_activity,
        inactive=item.inactive,
        close_requested=item.close_requested,
    )


@router.get("/work/actions", response_model=WorkActions, responses=PROBLEMS)
async def list_my_actions(session: DbSession, actor: CurrentActor, clock: ClockDep) -> WorkActions:
    """Open actions of your units or in your name: overdue, due within 14 days, and those
    changed in the last 7 days, across every plan where you may read goals and actions."""
    found = await work_lists.my_actions(session, actor, clock=clock)
    return WorkActions(
        overdue=[_action(item) for item in found.overdue],
        due_soon=[_action(item) for item in found.due_soon],
        recently_changed=[_action(item) for item in found.recently_changed],
    )


@router.get("/work/plans", response_model=WorkPlans, responses=PROBLEMS)
async def list_my_plans(session: DbSession, actor: CurrentActor, clock: ClockDep) -> WorkPlans:
    """The plans you coordinate (the coordinating unit: every open plan of the municipality),
    most urgent first: revision due within 30 days, proposals waiting, 60 days without
    activity, a request to close."""
    found = await work_lists.my_plans(session, actor, clock=clock)
    return WorkPlans(
        whole_municipality=found.whole_municipality,
        plans=[_plan(item) for item in found.plans],
    )
