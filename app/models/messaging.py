"""Threads and messages in a plan, read state, attachments (capability 8).

Messages have a per-thread sequence number: a client that lost its connection asks for what
came after the last number it has, and gets every message exactly once, in order (quality.md
R2). A message is never edited in place without a trace: the earlier text is kept as a
revision, and the message shows that it was edited.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base, IdMixin, str_enum


class Audience(StrEnum):
    GROUP = "group"  # everyone in the responsibility group who may read messages
    CHOSEN = "chosen"  # the members named in thread_member


class Thread(IdMixin, Base):
    __tablename__ = "thread"
    __table_args__ = (Index("ix_thread_plan_id_last_at", "plan_id", "last_message_at"),)

    plan_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("plan.id", ondelete="RESTRICT"))
    topic: Mapped[str] = mapped_column(String(200))
    audience: Mapped[Audience] = mapped_column(str_enum(Audience, 20))
    # The owner decides whether someone added later reads what was written before they came.
    new_members_see_history: Mapped[bool] = mapped_column(default=True)
    created_by_person_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("person.id", ondelete="RESTRICT")
    )
    created_by_employee_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("employee.id", ondelete="RESTRICT")
    )
    on_behalf_of_person_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("person.id", ondelete="RESTRICT")
    )
    created_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]
    last_seq: Mapped[int] = mapped_column(default=0)
    last_message_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}


class ThreadMember(IdMixin, Base):
    """Who a thread with a chosen audience is for: a person, an employee, or a whole unit (the
    unit inbox: everyone in the unit with a grant reads it, so nothing waits for one person)."""

    __tablename__ = "thread_member"
    __table_args__ = (
        UniqueConstraint("thread_id", "person_id", "employee_id", "unit_id"),
        Index("ix_thread_member_unit", "unit_id"),
        Index("ix_thread_member_employee", "employee_id"),
        Index("ix_thread_member_person", "person_id"),
    )

    thread_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("thread.id", ondelete="CASCADE"))
    person_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("person.id", ondelete="RESTRICT")
    )
    employee_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("employee.id", ondelete="RESTRICT")
    )
    unit_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("unit.id", ondelete="RESTRICT"))
    # Messages before this sequence number are not theirs to read (joined later, no history).
    reads_from_seq: Mapped[int] = mapped_column(default=0)
    added_at: Mapped[datetime]
    removed_at: Mapped[datetime | None]


class Message(IdMixin, Base):
    __tablename__ = "message"
    __table_args__ = (
        UniqueConstraint("thread_id", "seq"),
        # A retried post (double click, reconnect) is stored once (R-SAFE-3).
        UniqueConstraint("thread_id", "author_key", "client_id"),
    )

    thread_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("thread.id", ondelete="RESTRICT"))
    plan_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("plan.id", ondelete="RESTRICT"), index=True
    )
    seq: Mapped[int]
    author_person_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("person.id", ondelete="RESTRICT")
    )
    author_employee_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("employee.id", ondelete="RESTRICT")
    )
    author_key: Mapped[str] = mapped_column(String(50))  # "person:<uuid>" or "employee:<uuid>"
    on_behalf_of_person_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("person.id", ondelete="RESTRICT")
    )
    author_unit_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("unit.id", ondelete="RESTRICT")
    )
    client_id: Mapped[str | None] = mapped_column(String(100))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]
    edited_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(default=1)
    # What shows with the message, read-only and always loaded on purpose (a fragment pushed
    # over the websocket is rendered after its session has closed).
    attachments: Mapped[list[Attachment]] = relationship(
        lazy="raise", viewonly=True, order_by="Attachment.created_at"
    )
    revisions: Mapped[list[MessageRevision]] = relationship(
        lazy="raise", viewonly=True, order_by="MessageRevision.replaced_at"
    )

    __mapper_args__ = {"version_id_col": version}


class MessageRevision(IdMixin, Base):
    """The text a message had before it was edited: no silent edits."""

    __tablename__ = "message_revision"

    message_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("message.id", ondelete="RESTRICT"), index=True
    )
    text: Mapped[str] = mapped_column(Text)
    replaced_at: Mapped[datetime]


class ThreadRead(Base):
    """How far someone has read a thread: unread counts and "new" marks."""

    __tablename__ = "thread_read"

    thread_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("thread.id", ondelete="CASCADE"), primary_key=True
    )
    reader: Mapped[str] = mapped_column(String(50), primary_key=True)
    last_read_seq: Mapped[int] = mapped_column(default=0)
    read_at: Mapped[datetime]


class Attachment(IdMixin, Base):
    """A file sent with a message, stored outside the web root under the data directory."""

    __tablename__ = "attachment"

    message_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("message.id", ondelete="RESTRICT"), index=True
    )
    plan_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("plan.id", ondelete="RESTRICT"))
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))  # sniffed, never the client's word
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str] = mapped_column(String(100), unique=True)
    created_at: Mapped[datetime]


class Channel(StrEnum):
    EMAIL = "email"
    SMS = "sms"
    NONE = "none"


class Frequency(StrEnum):
    AT_ONCE = "at_once"  # at most one an hour by default (R-NOTE-2)
    DAILY = "daily"


class NotificationSetting(Base):
    __tablename__ = "notification_setting"

    recipient: Mapped[str] = mapped_column(String(50), primary_key=True)
    channel: Mapped[Channel] = mapped_column(str_enum(Channel, 10))
    frequency: Mapped[Frequency] = mapped_column(str_enum(Frequency, 10))
    email: Mapped[str | None] = mapped_column(String(320))
    phone: Mapped[str | None] = mapped_column(String(20))
    updated_at: Mapped[datetime]


# A notice not yet sent and not given up on.
WAITING = "sent_at IS NULL AND given_up_at IS NULL"


class NotificationOutbox(IdMixin, Base):
    """One notification to send; a background worker drains it with retries and backoff, so
    sending never blocks or fails the request that caused it."""

    __tablename__ = "notification_outbox"
    __table_args__ = (
        Index("ix_notification_outbox_due", "sent_at", "due_at"),
        # One waiting notice per person at most (R-NOTE-2): two conversations telling the same
        # person at the same moment store one, whatever the timing.
        Index(
            "uq_notification_outbox_waiting",
            "recipient",
            unique=True,
            postgresql_where=text(WAITING),
            sqlite_where=text(WAITING),
        ),
    )

    recipient: Mapped[str] = mapped_column(String(50), index=True)
    channel: Mapped[Channel] = mapped_column(str_enum(Channel, 10))
    address: Mapped[str] = mapped_column(String(320))
    created_at: Mapped[datetime]
    due_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(String(200))
    given_up_at: Mapped[datetime | None]
