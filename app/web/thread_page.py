"""One conversation as a page: the messages, oldest first, and a form to write. Without
JavaScript the form posts here and the page comes back at the new message; with it, the page
connects to /ws?format=html, posts over the socket and gets new messages pushed
(templates/threads/_live_message.html). Either way the same services store and read. A post
with files is always a plain multipart form (app/static/composer.js); changing a message and
downloading a file are in app/web/thread_messages.py.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from app.access import Actor
from app.api.deps import ClockDep, CurrentActor, DbSession, SettingsDep
from app.attachments import service as attachments
from app.clock import Clock
from app.drafts import service as drafts
from app.i18n import gettext_noop
from app.messages import service as messages
from app.threads import service as threads
from app.web import thread_forms as forms
from app.web.deps import RendererDep
from app.web.plan_page import Problem
from app.web.templating import Renderer

router = APIRouter()
THREAD = "/plans/{plan_id}/threads/{thread_id}"
NOTICES = {
    "started": gettext_noop("The conversation is started."),
    "closed": gettext_noop("The conversation is closed."),
    "reopened": gettext_noop("The conversation is open again."),
    "member_added": gettext_noop("Added to the conversation."),
    "draft_discarded": gettext_noop("The draft is thrown away."),
    "message_changed": gettext_noop("Your message is changed. The earlier text is kept."),
}


class ThreadPageView:
    """Everything a route of the thread page needs, resolved once by FastAPI."""

    def __init__(
        self,
        request: Request,
        plan_id: uuid.UUID,
        thread_id: uuid.UUID,
        session: DbSession,
        actor: CurrentActor,
        clock: ClockDep,
        renderer: RendererDep,
    ) -> None:
        self.request, self.session, self.actor = request, session, actor
        self.plan_id, self.thread_id = plan_id, thread_id
        self.clock: Clock = clock
        self.renderer: Renderer = renderer

    @property
    def who(self) -> tuple[Any, Actor, uuid.UUID, uuid.UUID]:
        return self.session, self.actor, self.plan_id, self.thread_id

    @property
    def draft_form(self) -> str:
        return f"message:{self.thread_id}"

    def url(self, notice: str | None = None, anchor: str | None = None) -> str:
        target = str(
            self.request.url_for("plan_thread", plan_id=self.plan_id, thread_id=self.thread_id)
        )
        return target + (f"?done={notice}" if notice else "") + (f"#{anchor}" if anchor else "")

    async def render(
        self,
        *,
        before: int | None = None,
        notice: str | None = None,
        problem: Problem | None = None,
        edit: forms.Editing | None = None,
    ) -> HTMLResponse:
        if problem is not None:
            await self.session.rollback()  # nothing half-done is kept; denials stay in the log
        page = await messages.thread_page(
            self.session, self.actor, self.plan_id, self.thread_id, clock=self.clock, before=before
        )
        draft = (await drafts.drafts_for(self.session, self.actor, self.plan_id)).get(
            self.draft_form
        )
        choices = (
            forms.offered(
                await threads.member_choices(
                    self.session,
                    self.actor,
                    self.plan_id,
                    clock=self.clock,
                    thread_id=self.thread_id,
                )
            )
            if page.can_add_members and before is None
            else []
        )
        typed = problem.kept if problem and problem.form == "message" else None
        # What the form shows: what was just sent and refused, or else the autosaved draft.
        if typed is not None:
            text, restored_at = typed.get("text", ""), None
        elif draft is not None:
            text, restored_at = draft.fields.get("text", ""), draft.saved_at
        else:
            text, restored_at = "", None
        context = {
            "page": page,
            "thread": page.thread,
            "plan_id": self.plan_id,
            "before": before,
            "live": before is None,
            "last_seq": page.messages[-1].message.seq if page.messages else 0,
            "notice": NOTICES.get(notice or ""),
            "problem": problem,
            "client_id": uuid.uuid4(),
            "message_text": text,
            "draft_saved_at": restored_at,
            "choices": choices,
            "limit": messages.MESSAGE_LIMIT,
            "editing": edit,
        }
        status = forms.status_of(problem) if problem is not None else 200
        return self.renderer.render(
            self.request, "threads/thread.html", context, status_code=status
        )


View = Annotated[ThreadPageView, Depends()]


@router.get(THREAD, name="plan_thread")
async def show(
    view: View, before: int | None = None, done: str | None = None, edit: str | None = None
) -> HTMLResponse:
    """The page; `?edit=<message id>` opens the form to change that message (the author's own,
    while the conversation is open: the page shows it only then)."""
    try:
        editing = forms.Editing(uuid.UUID(edit), messages.MESSAGE_LIMIT) if edit else None
    except ValueError:
        editing = None  # a mangled link opens nothing
    return await view.render(before=before, notice=done, edit=editing)


@router.post(THREAD + "/messages", name="post_message_form")
async def post_message(view: View, settings: SettingsDep) -> Response:
    """Without JavaScript, or with files: store the message and its files once (the form's
    client id makes a second send of the same form return the first), then back to the page
    at the message. A refused file stores nothing and keeps the text (R-SAFE-1)."""
    form = await view.request.form()
    typed = forms.kept(form)
    files = await forms.uploads(form, limit=settings.max_attachment_bytes)
    if files:
        typed["had_files"] = "1"
    try:
        message = await messages.post_message(
            *view.who,
            typed.get("text", ""),
            clock=view.clock,
            client_id=typed.get("client_id") or None,
        )
        await attachments.attach_files(
            *view.who, message.id, files, clock=view.clock, settings=settings
        )
        await drafts.forget_saved(view.session, view.actor, view.plan_id, view.draft_form)
    except forms.FIXABLE_WITH_FILES as error:
        return await view.render(problem=forms.problem_for("message", error, typed))
    return RedirectResponse(view.url(anchor=f"message-{message.id}"), status_code=303)


@router.post(THREAD + "/closed", name="thread_closed_form")
async def set_closed(view: View) -> Response:
    typed = forms.kept(await view.request.form())
    closed = typed.get("closed") == "1"
    try:
        await threads.set_closed(*view.who, closed=closed, clock=view.clock)
    except forms.FIXABLE as error:
        return await view.render(problem=forms.problem_for("closed", error, typed))
    notice = "closed" if closed else "reopened"
    return RedirectResponse(view.url(notice, "thread-tools"), status_code=303)


@router.post(THREAD + "/members", name="add_thread_member_form")
async def add_member(view: View) -> Response:
    typed = forms.kept(await view.request.form())
    try:
        choice = forms.member_choice(typed.get("member"), field="member")
        await threads.add_member(*view.who, choice, clock=view.clock)
    except forms.FIXABLE as error:
        return await view.render(problem=forms.problem_for("member", error, typed))
    return RedirectResponse(view.url("member_added", "members"), status_code=303)


@router.post(THREAD + "/draft/discard", name="discard_message_draft_form")
async def discard_draft(view: View) -> Response:
    await view.request.form()
    await drafts.discard_draft(
        view.session, view.actor, view.plan_id, view.draft_form, clock=view.clock
    )
    return RedirectResponse(view.url("draft_discarded", "composer"), status_code=303)
