"""Actions (tiltak) and their notes (R-PLAN-4): one responsible unit each; providers change
their own units' actions; the owner's side comments."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request, Response
from starlette.responses import JSONResponse

from app import access
from app.access import ItemFacts, Permission
from app.access.decisions import ITEM_NOT_FOUND
from app.actions import service as actions
from app.api.deps import ClockDep, CurrentActor, DbSession
from app.api.plan_http import (
    PLAN,
    IdempotencyKey,
    SeenVersion,
    create_once,
    tagged,
    version_checked,
)
from app.api.plan_out import action_detail, find_action
from app.api.plan_schemas import (
    ActionDetailOut,
    ActionIn,
    ActionOut,
    ActionStatusIn,
    NoteIn,
    NoteOut,
)
from app.errors import NotFound
from app.plan_view import service as plan_view

router = APIRouter(tags=["plan"])


def _action_input(data: ActionIn) -> actions.ActionInput:
    return actions.ActionInput(
        title=data.title,
        responsible_unit_id=data.responsible_unit_id,
        extent=data.extent,
        method=data.method,
        responsible_employee_id=data.responsible_employee_id,
        start_date=data.start_date,
        deadline=data.deadline,
        status=data.status,
        goal_ids=tuple(data.goal_ids),
    )


@router.post(PLAN + "/actions", response_model=ActionOut, status_code=201)
async def add_action(
    request: Request,
    plan_id: uuid.UUID,
    data: ActionIn,
    key: IdempotencyKey,
    session: DbSession,
    actor: CurrentActor,
    clock: ClockDep,
) -> JSONResponse:
    """An action with exactly one responsible unit, maybe a person there, and the goals it
    works towards."""

    async def write() -> ActionOut:
        action = await actions.create_action(
            session, actor, plan_id, _action_input(data), clock=clock
        )
        return ActionOut.model_validate(action)

    def location(action_id: str) -> str:
        return request.url_for("api_read_action", plan_id=plan_id, action_id=action_id).path

    return await create_once(
        request, session, actor, key, data, write, location=location, clock=clock
    )


@router.get(PLAN + "/actions/{action_id}", response_model=ActionDetailOut, name="api_read_action")
async def read_action(
    plan_id: uuid.UUID,
    action_id: uuid.UUID,
    response: Response,
    session: DbSession,
    actor: CurrentActor,
    clock: ClockDep,
) -> ActionDetailOut:
    """One action with its notes, and what you may do with it."""
    view = await plan_view.plan_view(session, actor, plan_id, clock=clock, note_visit=False)
    # The read of this one item, decided and logged by the door: 403, or 404 when shielded.
    item = ItemFacts(type="action", id=action_id)
    await access.check(
        session, actor, view.opened, Permission.READ_GOALS_ACTIONS, item=item, clock=clock
    )
    found = find_action(view, action_id)
    if found is None:
        raise NotFound(ITEM_NOT_FOUND, code="item_not_found")
    tagged(response, found.action.version)
    return action_detail(found)


@router.put(PLAN + "/actions/{action_id}", response_model=ActionOut)
async def change_action(
    plan_id: uuid.UUID,
    action_id: uuid.UUID,
    data: ActionIn,
    seen: SeenVersion,
    response: Response,
    session: DbSession,
    actor: CurrentActor,
    clock: ClockDep,
) -> ActionOut:
    """Change what the action is (the whole action, as for a new one)."""
    with version_checked():
        action = await actions.change_action(
            session, actor, plan_id, action_id, _action_input(data), seen_version=seen, clock=clock
        )
    tagged(response, action.version)
    return ActionOut.model_validate(action)


@router.post(PLAN + "/actions/{action_id}/status", response_model=ActionOut)
async def set_action_status(
    plan_id: uuid.UUID,
    action_id: uuid.UUID,
    data: ActionStatusIn,
    seen: SeenVersion,
    response: Response,
    session: DbSession,
    actor: CurrentActor,
    clock: ClockDep,
) -> ActionOut:
    """Planned, ongoing, paused, done or stopped: the responsible unit, the coordinator and
    the owner decide."""
    with version_checked():
        action = await actions.set_action_status(
            session, actor, plan_id, action_id, data.status, seen_version=seen, clock=clock
        )
    tagged(response, action.version)
    return ActionOut.model_validate(action)


@router.post(PLAN + "/actions/{action_id}/notes", response_model=NoteOut, status_code=201)
async def add_note(
    request: Request,
    plan_id: uuid.UUID,
    action_id: uuid.UUID,
    data: NoteIn,
    key: IdempotencyKey,
    session: DbSession,
    actor: CurrentActor,
    clock: ClockDep,
) -> JSONResponse:
    """A progress note from those who carry the action out, a comment from the owner's side."""

    async def write() -> NoteOut:
        note = await actions.add_note(session, actor, plan_id, action_id, data.text, clock=clock)
        return NoteOut.model_validate(note)

    def location(note_id: str) -> str:
        return request.url_for("api_change_note", plan_id=plan_id, note_id=note_id).path

    return await create_once(
        request, session, actor, key, data, write, location=location, clock=clock
    )


@router.patch(PLAN + "/notes/{note_id}", response_model=NoteOut, name="api_change_note")
async def change_note(
    plan_id: uuid.UUID,
    note_id: uuid.UUID,
    data: NoteIn,
    seen: SeenVersion,
    response: Response,
    session: DbSession,
    actor: CurrentActor,
    clock: ClockDep,
) -> NoteOut:
    """Correct your own note; the earlier words stay on the timeline."""
    with version_checked():
        note = await actions.change_note(
            session, actor, plan_id, note_id, data.text, seen_version=seen, clock=clock
        )
    tagged(response, note.version)
    return NoteOut.model_validate(note)
