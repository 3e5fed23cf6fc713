"""ConsentChanged: told to whoever holds a live view of a plan, after the change has committed.

R-CON-3: withdrawing or narrowing a grant takes effect at once. The next request is refused by
app/access on its own; open websocket connections learn of it from this event (the messaging
issue subscribes and closes or trims them). Events wait in the session until its transaction
commits, so a listener that re-checks access already sees the new state; on rollback they are
dropped. The publisher is handed to every session through the sessionmaker's `info`.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

logger = logging.getLogger(__name__)

PUBLISHER_KEY = "consent_events"
_WAITING_KEY = "consent_events_waiting"


@dataclass(frozen=True)
class ConsentChanged:
    plan_id: uuid.UUID
    # Whose access changed: a person (relative, support person) or an employee.
    person_id: uuid.UUID | None
    employee_id: uuid.UUID | None
    change: str  # "given", "narrowed", "extended", "withdrawn", "left", "youth_access"


Listener = Callable[[ConsentChanged], None]


class ConsentEvents:
    """In-process publisher. Listeners must be quick and must not raise (they are isolated)."""

    def __init__(self) -> None:
        self._listeners: list[Listener] = []

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    def publish(self, changed: ConsentChanged) -> None:
        for listener in list(self._listeners):
            try:
                listener(changed)
            except Exception:  # one broken listener must not hide the change from the others
                logger.exception("consent listener failed", extra={"plan_id": str(changed.plan_id)})


async def announce(session: AsyncSession, changed: ConsentChanged) -> None:
    """Publish `changed` once the session's transaction commits."""
    if not session.in_transaction():
        await session.begin()  # so that a rollback, even with no SQL yet, drops the event
    session.info.setdefault(_WAITING_KEY, []).append(changed)


@event.listens_for(Session, "after_commit")
def _publish_after_commit(session: Session) -> None:
    waiting: list[ConsentChanged] = session.info.pop(_WAITING_KEY, [])
    publisher: Any = session.info.get(PUBLISHER_KEY)
    if isinstance(publisher, ConsentEvents):
        for changed in waiting:
            publisher.publish(changed)


@event.listens_for(Session, "after_soft_rollback")
def _drop_after_rollback(session: Session, _previous: Any) -> None:
    session.info.pop(_WAITING_KEY, None)
