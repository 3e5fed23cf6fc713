"""MessagePosted: a message was stored (or edited). Published after commit, ids only; the live
layer (app/messaging) wakes the connections on that thread, which read the message through
app/access. Same life cycle as ConsentChanged and PlanChanged."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from app.models import Message

logger = logging.getLogger(__name__)

PUBLISHER_KEY = "message_events"
_WAITING_KEY = "message_events_waiting"


@dataclass(frozen=True)
class MessagePosted:
    plan_id: uuid.UUID
    thread_id: uuid.UUID
    seq: int
    message_id: uuid.UUID
    author_key: str  # "person:<uuid>" / "employee:<uuid>": not told of their own message
    edited: bool = False


Listener = Callable[[MessagePosted], None]


class MessageEvents:
    """In-process publisher. Listeners must be quick and must not raise (they are isolated)."""

    def __init__(self) -> None:
        self._listeners: list[Listener] = []

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    def publish(self, posted: MessagePosted) -> None:
        for listener in list(self._listeners):
            try:
                listener(posted)
            except Exception:  # one broken listener must not stop the others
                logger.exception(
                    "message listener failed", extra={"thread_id": str(posted.thread_id)}
                )


async def announce_changed(session: AsyncSession, plan_id: uuid.UUID, message: Message) -> None:
    """A message already sent changed (edited, a file added): it goes out again, same seq."""
    await announce(
        session,
        MessagePosted(
            plan_id, message.thread_id, message.seq, message.id, message.author_key, edited=True
        ),
    )


async def announce(session: AsyncSession, posted: MessagePosted) -> None:
    if not session.in_transaction():
        await session.begin()
    session.info.setdefault(_WAITING_KEY, []).append(posted)


@event.listens_for(Session, "after_commit")
def _publish_after_commit(session: Session) -> None:
    waiting: list[MessagePosted] = session.info.pop(_WAITING_KEY, [])
    publisher: Any = session.info.get(PUBLISHER_KEY)
    if isinstance(publisher, MessageEvents):
        for posted in waiting:
            publisher.publish(posted)


@event.listens_for(Session, "after_soft_rollback")
def _drop_after_rollback(session: Session, _previous: Any) -> None:
    session.info.pop(_WAITING_KEY, None)
