"""Conversations through the JSON API: the same services as the pages and the websocket.

A retried post is stored once: send an `Idempotency-Key` header (or `client_id` in the body);
the answer to a retry is the message already stored. History pages with `before=<seq>`, the
replay after a reconnect with `after=<seq>` (keyset on the sequence number).
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, File, Header, Query, Response, UploadFile

from app.api.deps import ClockDep, CurrentActor, DbSession, SettingsDep
from app.api.thread_schemas import (
    AttachmentOut,
    HistoryIn,
    InboxOut,
    MemberIn,
    MessageIn,
    MessageOut,
    ReadIn,
    ThreadIn,
    ThreadOut,
    ThreadPageOut,
    message_out,
    thread_out,
)
from app.attachments import service as attachments
from app.attachments.http import file_response
from app.errors import PreconditionFailed, PreconditionRequired, StaleVersion
from app.i18n import gettext_noop
from app.messages import service as messages
from app.threads import service as threads

router = APIRouter(tags=["messages"])
THREADS = "/plans/{plan_id}/threads"
THREAD = THREADS + "/{thread_id}"
NEEDS_IF_MATCH = gettext_noop("Send If-Match with the version of the message you are changing.")
BAD_IF_MATCH = gettext_noop('If-Match must be the version number in quotes, for example "2".')


@router.get(THREADS, response_model=list[ThreadOut])
async def list_threads(
    plan_id: uuid.UUID, session: DbSession, actor: CurrentActor, clock: ClockDep
) -> list[ThreadOut]:
    _opened, summaries = await threads.threads_of_plan(session, actor, plan_id, clock=clock)
    return [thread_out(s.thread, s) for s in summaries]


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
        thread=thread_out(page.thread),
        members=page.members,
        messages=[message_out(v) for v in page.messages],
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
    return [message_out(v) for v in views]


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
    return message_out(await messages.view_of(session, actor, message))


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
    return message_out(await messages.view_of(session, actor, message))


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
    return thread_out(thread)


@router.post(THREAD + "/reopen", response_model=ThreadOut)
async def reopen_thread(
    plan_id: uuid.UUID,
    thread_id: uuid.UUID,
    session: DbSession,
    actor: CurrentActor,
    clock: ClockDep,
) -> ThreadOut:
    thread = await threads.set_closed(session, actor, plan_id, thread_id, closed=False, clock=clock)
    return thread_out(thread)


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
    return thread_out(thread)


@router.get("/inbox", response_model=list[InboxOut])
async def unit_inbox(session: DbSession, actor: CurrentActor, clock: ClockDep) -> list[InboxOut]:
    """Conversations addressed to your units, across the plans you may see."""
    items = await threads.unit_inbox(session, actor, clock=clock)
    return [
        InboxOut(
            plan_id=i.plan_id, owner_name=i.owner_name, thread=thread_out(i.thread), unread=i.unread
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
