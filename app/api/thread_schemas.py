"""Conversations in and out of the JSON API (app/api/threads.py)."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, Field

from app.messages import service as messages
from app.models import Thread
from app.threads import service as threads


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


def thread_out(thread: Thread, summary: threads.ThreadSummary | None = None) -> ThreadOut:
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


def message_out(view: messages.MessageView) -> MessageOut:
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


class HistoryIn(BaseModel):
    new_members_see_history: bool


class InboxOut(BaseModel):
    plan_id: uuid.UUID
    owner_name: str
    thread: ThreadOut
    unread: int
