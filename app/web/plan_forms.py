"""The plan page's forms: each posts here, calls one service, and comes back to the page.

Fields are read as text and turned into values in the adapter (app/web/form_values.py), so a
mistyped date is a message next to the field, with everything typed kept, never a lost page.
"""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter
from starlette.datastructures import FormData
from starlette.responses import RedirectResponse, Response

from app.actions import service as actions
from app.drafts import service as drafts
from app.goals import service as goals
from app.life_situation import service as life_situation
from app.models import ActionStatus, Contributor, GoalStatus, ReviewAssessment, SubPlanKind
from app.plan_frame import service as frame
from app.web import form_values as values
from app.web.plan_page import PAGE, Page

router = APIRouter()


def _kept(form: FormData) -> dict[str, Any]:
    """What was typed, to show again (lists for the multi-choice fields)."""
    kept: dict[str, Any] = {}
    for name in form:
        if name in ("csrf_token", "request_key"):
            continue
        found = [v for v in form.getlist(name) if isinstance(v, str)]
        kept[name] = found if name == "goal_ids" else (found[0] if found else "")
    return kept


async def _form(page: Page) -> tuple[dict[str, Any], str | None]:
    form = await page.request.form()
    key = form.get("request_key")
    return _kept(form), key if isinstance(key, str) and key else None


@router.post(PAGE + "/own-words", name="own_words_form")
async def own_words(page: Page) -> Response:
    kept, _key = await _form(page)
    words = life_situation.OwnWords(**{name: kept.get(name, "") for name in life_situation.FIELDS})

    async def work() -> str | None:
        await life_situation.write_own_words(
            *page.who, words, seen_version=values.version(kept.get("version")), clock=page.clock
        )
        return None

    return await page.attempt(work, form="life_situation", kept=kept, anchor="own-words")


@router.post(PAGE + "/goals", name="add_goal_form")
async def add_goal(page: Page) -> Response:
    kept, key = await _form(page)
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
    kept, _key = await _form(page)

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
    kept, _key = await _form(page)

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
    kept, key = await _form(page)

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
    kept, _key = await _form(page)

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
    kept, key = await _form(page)

    async def work() -> str | None:
        await actions.create_action(*page.who, _action_input(kept), clock=page.clock)
        return None

    return await page.attempt(work, form="action:new", kept=kept, anchor="actions", request_key=key)


@router.post(PAGE + "/actions/{action_id}", name="change_action_form")
async def change_action(page: Page, action_id: uuid.UUID) -> Response:
    kept, _key = await _form(page)

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
    kept, _key = await _form(page)

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
    kept, key = await _form(page)

    async def work() -> str | None:
        await actions.add_note(*page.who, action_id, kept.get("text", ""), clock=page.clock)
        return None

    return await page.attempt(
        work, form=f"note:{action_id}", kept=kept, anchor=f"action-{action_id}", request_key=key
    )


@router.post(PAGE + "/notes/{note_id}", name="change_note_form")
async def change_note(page: Page, note_id: uuid.UUID) -> Response:
    kept, _key = await _form(page)

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


@router.post(PAGE + "/dates", name="plan_dates_form")
async def plan_dates(page: Page) -> Response:
    kept, _key = await _form(page)

    async def work() -> str | None:
        dates = frame.PlanDates(
            period_start=values.optional_date(kept.get("period_start"), field="period_start"),
            period_end=values.optional_date(kept.get("period_end"), field="period_end"),
            revision_date=values.optional_date(kept.get("revision_date"), field="revision_date"),
        )
        await frame.set_dates(
            *page.who, dates, seen_version=values.version(kept.get("version")), clock=page.clock
        )
        return None

    return await page.attempt(work, form="dates", kept=kept, anchor="frame")


def _contribution(kept: dict[str, Any]) -> frame.ContributionInput:
    return frame.ContributionInput(
        contributor=values.choice(Contributor, kept.get("contributor"), field="contributor"),
        text=kept.get("text", ""),
        who=kept.get("who", ""),
        unit_id=values.optional_id(kept.get("unit_id"), field="unit_id"),
    )


def _cooperation(kept: dict[str, Any]) -> frame.CooperationInput:
    return frame.CooperationInput(
        partner=kept.get("partner", ""),
        description=kept.get("description", ""),
        contact=kept.get("contact", ""),
    )


def _sub_plan(kept: dict[str, Any]) -> frame.SubPlanInput:
    return frame.SubPlanInput(
        kind=values.choice(SubPlanKind, kept.get("kind"), field="kind"),
        title=kept.get("title", ""),
        owner_unit=kept.get("owner_unit", ""),
        url=kept.get("url", ""),
    )


@router.post(PAGE + "/contributions", name="add_contribution_form")
async def add_contribution(page: Page) -> Response:
    kept, key = await _form(page)

    async def work() -> str | None:
        await frame.add_contribution(*page.who, _contribution(kept), clock=page.clock)
        return None

    return await page.attempt(
        work, form="contribution:new", kept=kept, anchor="contributions", request_key=key
    )


@router.post(PAGE + "/contributions/{item_id}", name="change_contribution_form")
async def change_contribution(page: Page, item_id: uuid.UUID) -> Response:
    kept, _key = await _form(page)
    withdraw = kept.get("withdraw") == "1"

    async def work() -> str | None:
        await frame.change_contribution(
            *page.who,
            item_id,
            None if withdraw else _contribution(kept),
            seen_version=values.version(kept.get("version")),
            clock=page.clock,
        )
        return None

    return await page.attempt(
        work,
        form=f"contribution:{item_id}",
        kept=kept,
        anchor="contributions",
        notice="withdrawn" if withdraw else "saved",
    )


@router.post(PAGE + "/cooperation", name="add_cooperation_form")
async def add_cooperation(page: Page) -> Response:
    kept, key = await _form(page)

    async def work() -> str | None:
        await frame.add_cooperation(*page.who, _cooperation(kept), clock=page.clock)
        return None

    return await page.attempt(
        work, form="cooperation:new", kept=kept, anchor="cooperation", request_key=key
    )


@router.post(PAGE + "/cooperation/{item_id}", name="change_cooperation_form")
async def change_cooperation(page: Page, item_id: uuid.UUID) -> Response:
    kept, _key = await _form(page)
    withdraw = kept.get("withdraw") == "1"

    async def work() -> str | None:
        await frame.change_cooperation(
            *page.who,
            item_id,
            None if withdraw else _cooperation(kept),
            seen_version=values.version(kept.get("version")),
            clock=page.clock,
        )
        return None

    return await page.attempt(
        work,
        form=f"cooperation:{item_id}",
        kept=kept,
        anchor="cooperation",
        notice="withdrawn" if withdraw else "saved",
    )


@router.post(PAGE + "/sub-plans", name="add_sub_plan_form")
async def add_sub_plan(page: Page) -> Response:
    kept, key = await _form(page)

    async def work() -> str | None:
        await frame.add_sub_plan(*page.who, _sub_plan(kept), clock=page.clock)
        return None

    return await page.attempt(
        work, form="sub_plan:new", kept=kept, anchor="sub-plans", request_key=key
    )


@router.post(PAGE + "/sub-plans/{item_id}", name="change_sub_plan_form")
async def change_sub_plan(page: Page, item_id: uuid.UUID) -> Response:
    kept, _key = await _form(page)
    withdraw = kept.get("withdraw") == "1"

    async def work() -> str | None:
        await frame.change_sub_plan(
            *page.who,
            item_id,
            None if withdraw else _sub_plan(kept),
            seen_version=values.version(kept.get("version")),
            clock=page.clock,
        )
        return None

    return await page.attempt(
        work,
        form=f"sub_plan:{item_id}",
        kept=kept,
        anchor="sub-plans",
        notice="withdrawn" if withdraw else "saved",
    )


@router.post(PAGE + "/close-request", name="request_close_form")
async def request_close(page: Page) -> Response:
    kept, _key = await _form(page)

    async def work() -> str | None:
        await frame.request_close(*page.who, clock=page.clock)
        return None

    return await page.attempt(
        work, form="close", kept=kept, anchor="frame", notice="close_requested"
    )


@router.post(PAGE + "/close", name="close_plan_form")
async def close_plan(page: Page) -> Response:
    kept, _key = await _form(page)

    async def work() -> str | None:
        await frame.close_plan(
            *page.who, seen_version=values.version(kept.get("version")), clock=page.clock
        )
        return None

    return await page.attempt(work, form="close", kept=kept, anchor="frame", notice="closed")


@router.post(PAGE + "/drafts/{form}", name="save_draft_form")
async def save_draft(page: Page, form: str) -> Response:
    """Autosave (htmx, a moment after typing stops): answers with a short status line."""
    kept, _key = await _form(page)
    await drafts.save_draft(*page.who, form, kept, clock=page.clock)
    return page.renderer.render(
        page.request, "plan/_draft_saved.html", {"saved_at": page.clock.now()}
    )


@router.post(PAGE + "/drafts/{form}/discard", name="discard_draft_form")
async def discard_draft(page: Page, form: str) -> Response:
    await _form(page)
    await drafts.discard_draft(*page.who, form, clock=page.clock)
    target = page.request.url_for("plan_page", plan_id=page.plan_id)
    return RedirectResponse(f"{target}?done=draft_discarded", status_code=303)
