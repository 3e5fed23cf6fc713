"""The plan (issue #6): the whole plan as one reader sees it, and the owner's own words.

Goals, actions, the frame and the timeline have their own modules, included here so that
app/api/__init__.py registers one router for the plan's content.
"""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Response

from app import access
from app.access import Permission
from app.access.decisions import NOT_ALLOWED
from app.api import plan_actions, plan_frame, plan_goals, plan_timeline
from app.api.deps import ClockDep, CurrentActor, DbSession
from app.api.plan_http import PLAN, SeenVersion, tagged, version_checked
from app.api.plan_out import life_situation_detail, plan_out
from app.api.plan_schemas import LifeSituationDetailOut, LifeSituationOut, OwnWordsIn, PlanOut
from app.errors import Forbidden
from app.life_situation import service as life_situation
from app.plan_view import service as plan_view

router = APIRouter(tags=["plan"])


@router.get(PLAN + "/plan", response_model=PlanOut)
async def read_plan(
    plan_id: uuid.UUID,
    response: Response,
    session: DbSession,
    actor: CurrentActor,
    clock: ClockDep,
) -> PlanOut:
    """The plan as you may see it: the owner's words first, goals with their actions, the
    frame, and which of the nine content items are there. The ETag is the plan's version, the
    one changes to the frame name in If-Match."""
    view = await plan_view.plan_view(session, actor, plan_id, clock=clock)
    tagged(response, view.plan.version)
    return plan_out(view)


@router.get(PLAN + "/life-situation", response_model=LifeSituationDetailOut)
async def read_own_words(
    plan_id: uuid.UUID,
    response: Response,
    session: DbSession,
    actor: CurrentActor,
    clock: ClockDep,
) -> LifeSituationDetailOut:
    """The owner's own words; version 0 (ETag "0") while none are written."""
    view = await plan_view.plan_view(
        session,
        actor,
        plan_id,
        clock=clock,
        note_visit=False,
        intent=Permission.READ_LIFE_SITUATION,
    )
    words = life_situation_detail(view)
    if words is None:
        # The view leaves out what the reader may not read; the door refuses, on the record.
        await access.check(session, actor, view.opened, Permission.READ_LIFE_SITUATION, clock=clock)
        raise Forbidden(NOT_ALLOWED, code="not_allowed")  # check refuses as the view did
    tagged(response, words.version)
    return words


@router.put(PLAN + "/life-situation", response_model=LifeSituationOut)
async def write_own_words(
    plan_id: uuid.UUID,
    data: OwnWordsIn,
    seen: SeenVersion,
    response: Response,
    session: DbSession,
    actor: CurrentActor,
    clock: ClockDep,
) -> LifeSituationOut:
    """Save the owner's words. If-Match: the version you started from, "0" for none yet."""
    words = life_situation.OwnWords(**data.model_dump())
    with version_checked():
        saved = await life_situation.write_own_words(
            session, actor, plan_id, words, seen_version=seen or None, clock=clock
        )
    tagged(response, saved.version)
    return LifeSituationOut.model_validate(saved)


router.include_router(plan_goals.router)
router.include_router(plan_actions.router)
router.include_router(plan_frame.router)
router.include_router(plan_timeline.router)
