"""The plan's frame: period and revision date, contributions, cooperation, sub-plans, and
closing the plan (R-PLAN-1 items 4, 7 and 9; R-PLAN-6; R-PLAN-7). Entries are withdrawn with
`{"withdrawn": true}`, never deleted."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request, Response
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.responses import JSONResponse

from app import access
from app.access import Actor
from app.api.deps import ClockDep, CurrentActor, DbSession
from app.api.plan_http import (
    PLAN,
    IdempotencyKey,
    SeenVersion,
    create_once,
    tagged,
    version_checked,
)
from app.api.plan_schemas import (
    ContributionChangeIn,
    ContributionIn,
    ContributionOut,
    CooperationChangeIn,
    CooperationIn,
    CooperationOut,
    FrameOut,
    PlanDatesIn,
    SubPlanChangeIn,
    SubPlanIn,
    SubPlanOut,
)
from app.clock import Clock
from app.plan_frame import service as frame

router = APIRouter(tags=["plan"])


async def _frame_now(
    session: AsyncSession, actor: Actor, plan_id: uuid.UUID, response: Response, clock: Clock
) -> FrameOut:
    """The frame as the change left it. The frame services return nothing; the plan they
    changed is the one this session holds, opened again through the access door."""
    opened = await access.open_plan(session, actor, plan_id, clock=clock)
    tagged(response, opened.plan.version)
    return FrameOut.model_validate(opened.plan)


@router.put(PLAN + "/frame/dates", response_model=FrameOut)
async def set_dates(
    plan_id: uuid.UUID,
    data: PlanDatesIn,
    seen: SeenVersion,
    response: Response,
    session: DbSession,
    actor: CurrentActor,
    clock: ClockDep,
) -> FrameOut:
    """The plan period and the revision date. If-Match: the plan's version (GET /plan)."""
    dates = frame.PlanDates(data.period_start, data.period_end, data.revision_date)
    with version_checked():
        await frame.set_dates(session, actor, plan_id, dates, seen_version=seen, clock=clock)
    return await _frame_now(session, actor, plan_id, response, clock)


@router.post(PLAN + "/close-request", response_model=FrameOut)
async def request_close(
    plan_id: uuid.UUID,
    response: Response,
    session: DbSession,
    actor: CurrentActor,
    clock: ClockDep,
) -> FrameOut:
    """The owner's side asks the coordinating unit to close the plan."""
    await frame.request_close(session, actor, plan_id, clock=clock)
    return await _frame_now(session, actor, plan_id, response, clock)


@router.post(PLAN + "/close", response_model=FrameOut)
async def close_plan(
    plan_id: uuid.UUID,
    seen: SeenVersion,
    response: Response,
    session: DbSession,
    actor: CurrentActor,
    clock: ClockDep,
) -> FrameOut:
    """The coordinating unit closes the plan; from then on it is read-only. If-Match: the
    plan's version."""
    with version_checked():
        await frame.close_plan(session, actor, plan_id, seen_version=seen, clock=clock)
    return await _frame_now(session, actor, plan_id, response, clock)


# --- contributions ---------------------------------------------------------------------------


def _contribution(data: ContributionIn | ContributionChangeIn) -> frame.ContributionInput:
    assert data.contributor is not None and data.text is not None  # checked by the schema
    return frame.ContributionInput(data.contributor, data.text, data.who, data.unit_id)


@router.post(PLAN + "/contributions", response_model=ContributionOut, status_code=201)
async def add_contribution(
    request: Request,
    plan_id: uuid.UUID,
    data: ContributionIn,
    key: IdempotencyKey,
    session: DbSession,
    actor: CurrentActor,
    clock: ClockDep,
) -> JSONResponse:
    """What the owner, a relative or a service (`unit_id`) contributes."""

    async def write() -> ContributionOut:
        item = await frame.add_contribution(
            session, actor, plan_id, _contribution(data), clock=clock
        )
        return ContributionOut.model_validate(item)

    def location(item_id: str) -> str:
        return request.url_for(
            "api_change_contribution", plan_id=plan_id, contribution_id=item_id
        ).path

    return await create_once(
        request, session, actor, key, data, write, location=location, clock=clock
    )


@router.patch(
    PLAN + "/contributions/{contribution_id}",
    response_model=ContributionOut,
    name="api_change_contribution",
)
async def change_contribution(
    plan_id: uuid.UUID,
    contribution_id: uuid.UUID,
    data: ContributionChangeIn,
    seen: SeenVersion,
    response: Response,
    session: DbSession,
    actor: CurrentActor,
    clock: ClockDep,
) -> ContributionOut:
    """New words for a contribution, or `{"withdrawn": true}`."""
    change = None if data.withdrawn else _contribution(data)
    with version_checked():
        item = await frame.change_contribution(
            session, actor, plan_id, contribution_id, change, seen_version=seen, clock=clock
        )
    tagged(response, item.version)
    return ContributionOut.model_validate(item)


# --- cooperation -----------------------------------------------------------------------------


def _cooperation(data: CooperationIn | CooperationChangeIn) -> frame.CooperationInput:
    assert data.partner is not None  # checked by the schema
    return frame.CooperationInput(data.partner, data.description, data.contact)


@router.post(PLAN + "/cooperation", response_model=CooperationOut, status_code=201)
async def add_cooperation(
    request: Request,
    plan_id: uuid.UUID,
    data: CooperationIn,
    key: IdempotencyKey,
    session: DbSession,
    actor: CurrentActor,
    clock: ClockDep,
) -> JSONResponse:
    """Cooperation with another service, institution or agency."""

    async def write() -> CooperationOut:
        item = await frame.add_cooperation(session, actor, plan_id, _cooperation(data), clock=clock)
        return CooperationOut.model_validate(item)

    def location(item_id: str) -> str:
        return request.url_for(
            "api_change_cooperation", plan_id=plan_id, cooperation_id=item_id
        ).path

    return await create_once(
        request, session, actor, key, data, write, location=location, clock=clock
    )


@router.patch(
    PLAN + "/cooperation/{cooperation_id}",
    response_model=CooperationOut,
    name="api_change_cooperation",
)
async def change_cooperation(
    plan_id: uuid.UUID,
    cooperation_id: uuid.UUID,
    data: CooperationChangeIn,
    seen: SeenVersion,
    response: Response,
    session: DbSession,
    actor: CurrentActor,
    clock: ClockDep,
) -> CooperationOut:
    """New words for a cooperation entry, or `{"withdrawn": true}`."""
    change = None if data.withdrawn else _cooperation(data)
    with version_checked():
        item = await frame.change_cooperation(
            session, actor, plan_id, cooperation_id, change, seen_version=seen, clock=clock
        )
    tagged(response, item.version)
    return CooperationOut.model_validate(item)


# --- sub-plans -------------------------------------------------------------------------------


def _sub_plan(data: SubPlanIn | SubPlanChangeIn) -> frame.SubPlanInput:
    assert data.kind is not None and data.title is not None  # checked by the schema
    return frame.SubPlanInput(data.kind, data.title, data.owner_unit, data.url)


@router.post(PLAN + "/sub-plans", response_model=SubPlanOut, status_code=201)
async def add_sub_plan(
    request: Request,
    plan_id: uuid.UUID,
    data: SubPlanIn,
    key: IdempotencyKey,
    session: DbSession,
    actor: CurrentActor,
    clock: ClockDep,
) -> JSONResponse:
    """A link to a sub-plan kept elsewhere (an IOP, a rehabilitation plan): linked, not merged."""

    async def write() -> SubPlanOut:
        item = await frame.add_sub_plan(session, actor, plan_id, _sub_plan(data), clock=clock)
        return SubPlanOut.model_validate(item)

    def location(item_id: str) -> str:
        return request.url_for("api_change_sub_plan", plan_id=plan_id, sub_plan_id=item_id).path

    return await create_once(
        request, session, actor, key, data, write, location=location, clock=clock
    )


@router.patch(
    PLAN + "/sub-plans/{sub_plan_id}", response_model=SubPlanOut, name="api_change_sub_plan"
)
async def change_sub_plan(
    plan_id: uuid.UUID,
    sub_plan_id: uuid.UUID,
    data: SubPlanChangeIn,
    seen: SeenVersion,
    response: Response,
    session: DbSession,
    actor: CurrentActor,
    clock: ClockDep,
) -> SubPlanOut:
    """A new title, owner or link for a sub-plan, or `{"withdrawn": true}`."""
    change = None if data.withdrawn else _sub_plan(data)
    with version_checked():
        item = await frame.change_sub_plan(
            session, actor, plan_id, sub_plan_id, change, seen_version=seen, clock=clock
        )
    tagged(response, item.version)
    return SubPlanOut.model_validate(item)
