"""Conversations as pages (issue #7): a plan's conversations with a form to start one, and the
unit inbox for employees. One conversation's page is app/web/thread_page.py, changing a
message and downloading its files app/web/thread_messages.py; all are thin adapters over
app/threads/service.py, app/messages/service.py and app/attachments/service.py.
"""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from app.access import Actor
from app.api.deps import ClockDep, CurrentActor, DbSession
from app.clock import Clock
from app.drafts import service as drafts
from app.errors import Forbidden
from app.i18n import gettext_noop
from app.idempotency import service as idempotency
from app.messages import service as messages
from app.plan_items import texts
from app.threads import service as threads
from app.web import thread_forms as forms
from app.web import thread_messages, thread_page
from app.web.deps import RendererDep
from app.web.plan_page import Problem
from app.web.templating import Renderer

router = APIRouter()
router.include_router(thread_page.router)
router.include_router(thread_messages.router)

THREADS = "/plans/{plan_id}/threads"
START_FORM = "thread:new"  # the draft key of the start form
INBOX_FOR_STAFF = gettext_noop(
    "The unit inbox is for employees. Your conversations are in each plan, under Conversations."
)
NOTICES = {"draft_discarded": gettext_noop("The draft is thrown away.")}


async def _render_list(
    request: Request,
    session: DbSession,
    actor: Actor,
    plan_id: uuid.UUID,
    clock: Clock,
    renderer: Renderer,
    *,
    notice: str | None = None,
    problem: Problem | None = None,
) -> HTMLResponse:
    if problem is not None:
        await session.rollback()  # nothing half-done is kept; denials stay in the log
    opened, summaries = await threads.threads_of_plan(session, actor, plan_id, clock=clock)
    can_start = threads.may_start(opened)
    choices = (
        forms.offered(await threads.member_choices(session, actor, plan_id, clock=clock))
        if can_start
        else []
    )
    draft = (await drafts.drafts_for(session, actor, plan_id)).get(START_FORM)
    typed: dict[str, Any] = problem.kept if problem is not None else {}
    if problem is None and draft is not None:
        typed = dict(draft.fields)
    chosen = typed.get("members", [])
    context = {
        "plan": opened.plan,
        "plan_id": plan_id,
        "summaries": summaries,
        "can_start": can_start,
        "choices": choices,
        "typed": typed,
        "chosen": chosen if isinstance(chosen, list) else [chosen],
        "draft_saved_at": draft.saved_at if draft is not None and problem is None else None,
        "problem": problem,
        "notice": NOTICES.get(notice or ""),
        "request_key": uuid.uuid4(),
        "limits": {"topic": texts.SHORT, "text": messages.MESSAGE_LIMIT},
    }
    status = forms.status_of(problem) if problem is not None else 200
    return renderer.render(request, "threads/list.html", context, status_code=status)


@router.get(THREADS, name="plan_threads")
async def plan_threads(
    request: Request,
    plan_id: uuid.UUID,
    session: DbSession,
    actor: CurrentActor,
    clock: ClockDep,
    renderer: RendererDep,
    done: str | None = None,
) -> HTMLResponse:
    return await _render_list(request, session, actor, plan_id, clock, renderer, notice=done)


@router.post(THREADS, name="start_thread_form")
async def start_thread(
    request: Request,
    plan_id: uuid.UUID,
    session: DbSession,
    actor: CurrentActor,
    clock: ClockDep,
    renderer: RendererDep,
) -> Response:
    """Start a conversation; a form sent twice starts one (R-SAFE-3)."""
    form = await request.form()
    typed = forms.kept(form)
    key = form.get("request_key")

    async def write() -> tuple[int, dict[str, Any]]:
        members = (
            forms.member_choices(typed.get("members"))
            if typed.get("audience") == "chosen"
            else None
        )
        thread, message = await messages.start_thread(
            session,
            actor,
            plan_id,
            topic=typed.get("topic", ""),
            members=members,
            first_message=typed.get("text", ""),
            clock=clock,
        )
        await drafts.forget_saved(session, actor, plan_id, START_FORM)
        target = request.url_for("plan_thread", plan_id=plan_id, thread_id=thread.id)
        return 303, {"location": f"{target}?done=started#message-{message.id}"}

    try:
        outcome = await idempotency.once(
            session,
            actor,
            f"form:{key}" if isinstance(key, str) and key else None,
            f"POST {request.url.path}",
            write,
            clock=clock,
        )
    except forms.FIXABLE as error:
        problem = forms.problem_for("start", error, typed)
        return await _render_list(
            request, session, actor, plan_id, clock, renderer, problem=problem
        )
    return RedirectResponse(str(outcome.result["location"]), status_code=303)


@router.post(THREADS + "/draft/discard", name="discard_thread_draft_form")
async def discard_start_draft(
    request: Request,
    plan_id: uuid.UUID,
    session: DbSession,
    actor: CurrentActor,
    clock: ClockDep,
) -> Response:
    await request.form()
    await drafts.discard_draft(session, actor, plan_id, START_FORM, clock=clock)
    target = request.url_for("plan_threads", plan_id=plan_id)
    return RedirectResponse(f"{target}?done=draft_discarded#start", status_code=303)


@router.get("/inbox", name="unit_inbox")
async def unit_inbox(
    request: Request,
    session: DbSession,
    actor: CurrentActor,
    clock: ClockDep,
    renderer: RendererDep,
) -> HTMLResponse:
    """Conversations addressed to the employee's units, across the plans they may see."""
    if actor.is_citizen:
        raise Forbidden(INBOX_FOR_STAFF, code="inbox_for_staff")
    items = await threads.unit_inbox(session, actor, clock=clock)
    return renderer.render(request, "threads/inbox.html", {"items": items})
