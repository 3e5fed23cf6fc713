"""The plan page's forms: each posts here, calls one service, and comes back to the page.

Fields are read as text and turned into values in the adapter (app/web/form_values.py), so a
mistyped date is a message next to the field, with everything typed kept, never a lost page.
"""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter
from starlette.responses import RedirectResponse, Response

from app.actions import service as actions
from app.drafts import service as drafts
from app.goals import service as goals
from app.life_situation import service as life_situation
from app.models import ActionStatus, GoalStatus, ReviewAssessment
from app.web import form_values as values
from app.web.plan_form_input import read_form
from app.web.plan_page import PAGE, Page

router = APIRouter()


@router.post(PAGE + "/own-words", name="own_words_form")
async def own_words(page: Page) -> Response:
    kept, _key = await read_form(page)
    words = life_situation.OwnWords(**{name: kept.get(name, "") for name in life_situation.FIELDS})

    async def work() -> str | None:
        await life_situation.write_own_words(
            *page.who, words, seen_version=values.version(kept.get("version")), clock=page.clock
        )
        return None

    return await page.attempt(work, form="life_situation", kept=kept, anchor="own-words")


@router.post(PAGE + "/goals", name="add_goal_form")
async def add_goal(page: Page) -> Response:
    kept, key = await read_form(page)
    form = f"subgoal:{kept['parent_id']}" if kept.get("parent_id") else "goal:new"

    async def work() -> str | None:
        data = goals.GoalInput(
            text=kept.get("text", ""),
            due_date=values.optional_date(kept.get("due_date"), field="due_date"),
            parent_id=values.optional_id(kept.get("parent_id"), field="parent_id"),
        )
        goal = await goals.propose_goal(*page.who, data, clock=page.clock)
        return "proposed" if goal.status is GoalStatus.PROPOSED else None

    return await page.attempt(work, form=form, kept=kept, anchor="goals", request_key=key)


@router.post(PAGE + "/goals/{goal_id}", name="change_goal_form")
async def change_goal(page: Page, goal_id: uuid.UUID) -> Response:
    kept, _key = await read_form(page)

    async def work() -> str | None:
        data = goals.GoalChange(
            text=kept.get("text", ""),
            due_date=values.optional_date(kept.get("due_date"), field="due_date"),
        )
        await goals.change_goal(
            *page.who,
            goal_id,
            data,
            seen_version=values.version(kept.get("version")),
            clock=page.clock,
        )
        return None

    return await page.attempt(work, form=f"goal:{goal_id}", kept=kept, anchor=f"goal-{goal_id}")


@router.post(PAGE + "/goals/{goal_id}/status", name="goal_status_form")
async def goal_status(page: Page, goal_id: uuid.UUID) -> Response:
    kept, _key = await read_form(page)

    async def work() -> str | None:
        status = values.choice(GoalStatus, kept.get("status"), field="status")
        await goals.set_goal_status(
            *page.who,
            goal_id,
            status,
            seen_version=values.version(kept.get("version")),
            clock=page.clock,
        )
        return None

    form = f"goal_status:{goal_id}"
    return await page.attempt(work, form=form, kept=kept, anchor=f"goal-{goal_id}")


@router.post(PAGE + "/goals/{goal_id}/reviews", name="add_review_form")
async def add_review(page: Page, goal_id: uuid.UUID) -> Response:
    kept, key = await read_form(page)

    async def work() -> str | None:
        data = goals.ReviewInput(
            assessment=values.choice(ReviewAssessment, kept.get("assessment"), field="assessment"),
            text=kept.get("text", ""),
            reviewed_on=values.optional_date(kept.get("reviewed_on"), field="reviewed_on"),
        )
        await goals.add_review(*page.who, goal_id, data, clock=page.clock)
        return None

    return await page.attempt(
        work, form=f"review:{goal_id}", kept=kept, anchor=f"goal-{goal_id}", request_key=key
    )


@router.post(PAGE + "/reviews/{review_id}", name="change_review_form")
async def change_review(page: Page, review_id: uuid.UUID) -> Response:
    kept, _key = await read_form(page)

    async def work() -> str | None:
        data = goals.ReviewInput(
            assessment=values.choice(ReviewAssessment, kept.get("assessment"), field="assessment"),
            text=kept.get("text", ""),
            reviewed_on=values.optional_date(kept.get("reviewed_on"), field="reviewed_on"),
        )
        await goals.change_review(
            *page.who,
            review_id,
            data,
            seen_version=values.version(kept.get("version")),
            clock=page.clock,
        )
        return None

    form = f"review_edit:{review_id}"
    return await page.attempt(work, form=form, kept=kept, anchor=f"review-{review_id}")


def _action_input(kept: dict[str, Any]) -> actions.ActionInput:
    return actions.ActionInput(
        title=kept.get("title", ""),
        responsible_unit_id=values.optional_id(
            kept.get("responsible_unit_id"), field="responsible_unit_id"
        ),
        extent=kept.get("extent", ""),
        method=kept.get("method", ""),
        responsible_employee_id=values.optional_id(
            kept.get("responsible_employee_id"), field="responsible_employee_id"
        ),
        start_date=values.optional_date(kept.get("start_date"), field="start_date"),
        deadline=values.optional_date(kept.get("deadline"), field="deadline"),
        status=values.choice(ActionStatus, kept.get("status") or "planned", field="status"),
        goal_ids=values.ids(kept.get("goal_ids"), field="goal_ids"),
    )


@router.post(PAGE + "/actions", name="add_action_form")
async def add_action(page: Page) -> Response:
    kept, key = await read_form(page)

    async def work() -> str | None:
        await actions.create_action(*page.who, _action_input(kept), clock=page.clock)
        return None

    return await page.attempt(work, form="action:new", kept=kept, anchor="actions", request_key=key)


@router.post(PAGE + "/actions/{action_id}", name="change_action_form")
async def change_action(page: Page, action_id: uuid.UUID) -> Response:
    kept, _key = await read_form(page)

    async def work() -> str | None:
        await actions.change_action(
            *page.who,
            action_id,
            _action_input(kept),
            seen_version=values.version(kept.get("version")),
            clock=page.clock,
        )
        return None

    form = f"action:{action_id}"
    return await page.attempt(work, form=form, kept=kept, anchor=f"action-{action_id}")


@router.post(PAGE + "/actions/{action_id}/status", name="action_status_form")
async def action_status(page: Page, action_id: uuid.UUID) -> Response:
    kept, _key = await read_form(page)

    async def work() -> str | None:
        status = values.choice(ActionStatus, kept.get("status"), field="status")
        await actions.set_action_status(
            *page.who,
            action_id,
            status,
            seen_version=values.version(kept.get("version")),
            clock=page.clock,
        )
        return None

    form = f"action_status:{action_id}"
    return await page.attempt(work, form=form, kept=kept, anchor=f"action-{action_id}")


@router.post(PAGE + "/actions/{action_id}/notes", name="add_note_form")
async def add_note(page: Page, action_id: uuid.UUID) -> Response:
    kept, key = await read_form(page)

    async def work() -> str | None:
        await actions.add_note(*page.who, action_id, kept.get("text", ""), clock=page.clock)
        return None

    return await page.attempt(
        work, form=f"note:{action_id}", kept=kept, anchor=f"action-{action_id}", request_key=key
    )


@router.post(PAGE + "/notes/{note_id}", name="change_note_form")
async def change_note(page: Page, note_id: uuid.UUID) -> Response:
    kept, _key = await read_form(page)

    async def work() -> str | None:
        await actions.change_note(
            *page.who,
            note_id,
            kept.get("text", ""),
            seen_version=values.version(kept.get("version")),
            clock=page.clock,
        )
        return None

    return await page.attempt(
        work, form=f"note_edit:{note_id}", kept=kept, anchor=f"note-{note_id}"
    )


@router.post(PAGE + "/drafts/{form}", name="save_draft_form")
async def save_draft(page: Page, form: str) -> Response:
    """Autosave (htmx, a moment after typing stops): answers with a short status line."""
    kept, _key = await read_form(page)
    await drafts.save_draft(*page.who, form, kept, clock=page.clock)
    return page.renderer.render(
        page.request, "plan/_draft_saved.html", {"saved_at": page.clock.now()}
    )


@router.post(PAGE + "/drafts/{form}/discard", name="discard_draft_form")
async def discard_draft(page: Page, form: str) -> Response:
    await read_form(page)
    await drafts.discard_draft(*page.who, form, clock=page.clock)
    target = page.request.url_for("plan_page", plan_id=page.plan_id)
    return RedirectResponse(f"{target}?done=draft_discarded", status_code=303)
