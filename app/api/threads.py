"""Conversations through the JSON API: the same services as the pages and the websocket.

A retried post is stored once: send an `Idempotency-Key` header (or `client_id` in the body);
the answer to a retry is the message already stored. History pages with `before=<seq>`, the
replay after a reconnect with `after=<seq>` (keyset on the sequence number).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, File, Header, Query, Response, UploadFile
from pydantic import BaseModel, Field

from app.api.deps import ClockDep, CurrentActor, DbSession, SettingsDep
from app.attachments import service as attachments
from app.attachments.http import file_response
from app.errors import PreconditionFailed, PreconditionRequired, StaleVersion
from app.i18n import gettext_noop
from app.messages import service as messages
from app.models import Thread
from app.threads import service as threads

router = APIRouter(tags=["messages"])
THREADS = "/plans/{plan_id}/threads"
THREAD = THREADS + "/{thread_id}"
NEEDS_IF_MATCH = gettext_noop("Send If-Match with the version of the message you are changing.")
BAD_IF_MATCH = gettext_noop('If-Match must be the version number in quotes, for example "2".')


class MemberIn(BaseModel):
    person_id: uuid.UUID | None = None
    employee_id: uuid.UUID | None = None
    unit_id: uuid.UUID | None = None

    def choice(self) -> threads.MemberChoice:
        return threads.MemberChoice(self.person_id, self.employee_id, self.unit_id)


class ThreadIn(BaseModel):
    topic: str = Field(max_length=1000)
    members: list[MemberIn] | None = Field(
        default=None, description="Leave out for the whole responsibility group."
    )
    text: str = Field(max_length=20_000, description="The first message.")
    client_id: str | None = Field(default=None, max_length=100)


class MessageIn(BaseModel):
    text: str = Field(max_length=20_000)
    client_id: str | None = Field(default=None, max_length=100)


class ReadIn(BaseModel):
    seq: int = Field(ge=0)


class ThreadOut(BaseModel):
    id: uuid.UUID
    topic: str
    audience: str
    closed: bool
    last_seq: int
    last_message_at: datetime | None
    unread: int | None = None
    can_post: bool | None = None
    version: int


class AttachmentOut(BaseModel):
    id: uuid.UUID
    filename: str
    content_type: str
    size: int


class MessageOut(BaseModel):
    id: uuid.UUID
    thread: uuid.UUID
    seq: int
    author: str
    unit: str | None
    on_behalf_of: str | None
    text: str
    created_at: datetime
    edited: bool
    own: bool
    version: int
    attachments: list[AttachmentOut] = []


class ThreadPageOut(BaseModel):
    thread: ThreadOut
    members: list[str]
    messages: list[MessageOut]
    older: int | None = Field(description="Pass as `before` for the previous page.")
    can_post: bool


def _thread(thread: Thread, summary: threads.ThreadSummary | None = None) -> ThreadOut:
    return ThreadOut(
        id=thread.id,
        topic=thread.topic,
        audience=thread.audience.value,
        closed=thread.closed_at is not None,
        last_seq=thread.last_seq,
        last_message_at=thread.last_message_at,
        unread=summary.unread if summary else None,
        can_post=summary.can_post if summary else None,
        version=thread.version,
    )


def _message(view: messages.MessageView) -> MessageOut:
    m = view.message
    return MessageOut(
        id=m.id,
        thread=m.thread_id,
        seq=m.seq,
        author=view.author,
        unit=view.unit,
        on_behalf_of=view.on_behalf_of,
        text=m.text,
        created_at=m.created_at,
        edited=m.edited_at is not None,
        own=view.is_own,
        version=m.version,
        attachments=[
            AttachmentOut(id=a.id, filename=a.filename, content_type=a.content_type, size=a.size)
            for a in view.attachments
        ],
    )


@router.get(THREADS, response_model=list[ThreadOut])
async def list_threads(
    plan_id: uuid.UUID, session: DbSession, actor: CurrentActor, clock: ClockDep
) -> list[ThreadOut]:
    _opened, summaries = await threads.threads_of_plan(session, actor, plan_id, clock=clock)
    return [_thread(s.thread, s) for s in summaries]


@router.post(THREADS, status_code=201, response_model=ThreadPageOut)
async def start_thread(
    plan_id: uuid.UUID,
    body: ThreadIn,
    session: DbSession,
    actor: CurrentActor,
    clock: ClockDep,
    idempotency_key: Annotated[str | None, Header(max_length=100)] = None,
) -> ThreadPageOut:
    thread, _first = await messages.start_thread(
        session,
        actor,
        plan_id,
        topic=body.topic,
        members=[m.choice() for m in body.members] if body.members is not None else None,
        first_message=body.text,
        clock=clock,
        client_id=body.client_id or idempotency_key,
    )
    return await _page(session, actor, plan_id, thread.id, clock, None)


async def _page(
    session: DbSession,
    actor: CurrentActor,
    plan_id: uuid.UUID,
    thread_id: uuid.UUID,
    clock: ClockDep,
    before: int | None,
) -> ThreadPageOut:
    page = await messages.thread_page(
        session, actor, plan_id, thread_id, clock=clock, before=before
    )
    return ThreadPageOut(
        thread=_thread(page.thread),
        members=page.members,
        messages=[_message(v) for v in page.messages],
        older=page.older_than,
        can_post=page.can_post,
    )


@router.get(THREAD, response_model=ThreadPageOut)
async def read_thread(
    plan_id: uuid.UUID,
    thread_id: uuid.UUID,
    session: DbSession,
    actor: CurrentActor,
    clock: ClockDep,
    before: Annotated[int | None, Query(ge=1)] = None,
) -> ThreadPageOut:
    """The newest messages, or those before `before`; reading them marks them read."""
    return await _page(session, actor, plan_id, thread_id, clock, before)


@router.get(THREAD + "/messages", response_model=list[MessageOut])
async def messages_after(
    plan_id: uuid.UUID,
    thread_id: uuid.UUID,
    session: DbSession,
    actor: CurrentActor,
    clock: ClockDep,
    after: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=200)] = 200,
) -> list[MessageOut]:
    """Every message after sequence number `after`, oldest first: what a client missed."""
    _found, views = await messages.messages_after(
        session, actor, plan_id, thread_id, after, clock=clock, limit=limit
    )
    return [_message(v) for v in views]


@router.post(THREAD + "/messages", status_code=201, response_model=MessageOut)
async def post_message(
    plan_id: uuid.UUID,
    thread_id: uuid.UUID,
    body: MessageIn,
    response: Response,
    session: DbSession,
    actor: CurrentActor,
    clock: ClockDep,
    idempotency_key: Annotated[str | None, Header(max_length=100)] = None,
) -> MessageOut:
    message = await messages.post_message(
        session,
        actor,
        plan_id,
        thread_id,
        body.text,
        clock=clock,
        client_id=body.client_id or idempotency_key,
    )
    response.headers["ETag"] = f'"{message.version}"'
    return _message(await messages.view_of(session, actor, message))


@router.patch(THREAD + "/messages/{message_id}", response_model=MessageOut)
async def edit_message(
    plan_id: uuid.UUID,
    thread_id: uuid.UUID,
    message_id: uuid.UUID,
    body: MessageIn,
    response: Response,
    session: DbSession,
    actor: CurrentActor,
    clock: ClockDep,
    if_match: Annotated[str | None, Header()] = None,
) -> MessageOut:
    """Correct your own message; the earlier text is kept and the message shows it was edited."""
    if if_match is None:
        raise PreconditionRequired(NEEDS_IF_MATCH, code="if_match_required")
    seen = if_match.strip().removeprefix("W/").strip('"')
    if not seen.isdigit():
        raise PreconditionFailed(BAD_IF_MATCH, code="bad_if_match")
    try:
        message = await messages.edit_message(
            session,
            actor,
            plan_id,
            thread_id,
            message_id,
            body.text,
            seen_version=int(seen),
            clock=clock,
        )
    except StaleVersion as stale:
        raise PreconditionFailed(stale.detail, code="stale_version") from None
    response.headers["ETag"] = f'"{message.version}"'
    return _message(await messages.view_of(session, actor, message))


@router.post(THREAD + "/read", status_code=204)
async def mark_read(
    plan_id: uuid.UUID,
    thread_id: uuid.UUID,
    body: ReadIn,
    session: DbSession,
    actor: CurrentActor,
    clock: ClockDep,
) -> Response:
    await messages.mark_read(session, actor, plan_id, thread_id, body.seq, clock=clock)
    return Response(status_code=204)


@router.post(THREAD + "/close", response_model=ThreadOut)
async def close_thread(
    plan_id: uuid.UUID,
    thread_id: uuid.UUID,
    session: DbSession,
    actor: CurrentActor,
    clock: ClockDep,
) -> ThreadOut:
    thread = await threads.set_closed(session, actor, plan_id, thread_id, closed=True, clock=clock)
    return _thread(thread)


@router.post(THREAD + "/reopen", response_model=ThreadOut)
async def reopen_thread(
    plan_id: uuid.UUID,
    thread_id: uuid.UUID,
    session: DbSession,
    actor: CurrentActor,
    clock: ClockDep,
) -> ThreadOut:
    thread = await threads.set_closed(session, actor, plan_id, thread_id, closed=False, clock=clock)
    return _thread(thread)


@router.post(THREAD + "/members", status_code=204)
async def add_member(
    plan_id: uuid.UUID,
    thread_id: uuid.UUID,
    body: MemberIn,
    session: DbSession,
    actor: CurrentActor,
    clock: ClockDep,
) -> Response:
    await threads.add_member(session, actor, plan_id, thread_id, body.choice(), clock=clock)
    return Response(status_code=204)


class HistoryIn(BaseModel):
    new_members_see_history: bool


@router.put(THREAD + "/history", response_model=ThreadOut)
async def set_history(
    plan_id: uuid.UUID,
    thread_id: uuid.UUID,
    body: HistoryIn,
    session: DbSession,
    actor: CurrentActor,
    clock: ClockDep,
) -> ThreadOut:
    """The owner decides whether someone added later reads what was written before."""
    thread = await threads.set_history_for_new_members(
        session, actor, plan_id, thread_id, see_history=body.new_members_see_history, clock=clock
    )
    return _thread(thread)


class InboxOut(BaseModel):
    plan_id: uuid.UUID
    owner_name: str
    thread: ThreadOut
    unread: int


@router.get("/inbox", response_model=list[InboxOut])
async def unit_inbox(session: DbSession, actor: CurrentActor, clock: ClockDep) -> list[InboxOut]:
    """Conversations addressed to your units, across the plans you may see."""
    items = await threads.unit_inbox(session, actor, clock=clock)
    return [
        InboxOut(
            plan_id=i.plan_id, owner_name=i.owner_name, thread=_thread(i.thread), unread=i.unread
        )
        for i in items
    ]


@router.post(
    THREAD + "/messages/{message_id}/attachments", status_code=201, response_model=AttachmentOut
)
async def attach_file(
    plan_id: uuid.UUID,
    thread_id: uuid.UUID,
    message_id: uuid.UUID,
    file: Annotated[UploadFile, File(description="A PDF or a picture (PNG, JPEG, WebP)")],
    session: DbSession,
    actor: CurrentActor,
    clock: ClockDep,
    settings: SettingsDep,
) -> AttachmentOut:
    """Attach a file to your own message. The type is read from the file itself."""
    content = await file.read(settings.max_attachment_bytes + 1)
    attachment = await attachments.attach(
        session,
        actor,
        plan_id,
        thread_id,
        message_id,
        file.filename,
        content,
        clock=clock,
        settings=settings,
    )
    return AttachmentOut(
        id=attachment.id,
        filename=attachment.filename,
        content_type=attachment.content_type,
        size=attachment.size,
    )


@router.get("/plans/{plan_id}/attachments/{attachment_id}")
async def download_file(
    plan_id: uuid.UUID,
    attachment_id: uuid.UUID,
    session: DbSession,
    actor: CurrentActor,
    clock: ClockDep,
    settings: SettingsDep,
) -> Response:
    """The file, for those who may read its conversation; the download is logged."""
    attachment, content = await attachments.download(
        session, actor, plan_id, attachment_id, clock=clock, settings=settings
    )
    return file_response(attachment, content)
