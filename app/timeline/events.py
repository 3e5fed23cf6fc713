"""PlanChanged: told to whoever holds a live view of a plan, after the change has committed.

The timeline page and the plan page update themselves from these (the messaging layer carries
them over websockets). Events carry ids only: a listener reads the entry through the access
module, so nobody learns of a change they may not see. Same life cycle as ConsentChanged: they
wait in the session and are published after commit, dropped on rollback.
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

PUBLISHER_KEY = "plan_events"
_WAITING_KEY = "plan_events_waiting"


@dataclass(frozen=True)
class PlanChanged:
    plan_id: uuid.UUID
    entry_id: uuid.UUID
    kind: str
    part: str


Listener = Callable[[PlanChanged], None]


class PlanEvents:
    """In-process publisher. Listeners must be quick and must not raise (they are isolated)."""

    def __init__(self) -> None:
        self._listeners: list[Listener] = []

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    def publish(self, changed: PlanChanged) -> None:
        for listener in list(self._listeners):
            try:
                listener(changed)
            except Exception:  # one broken listener must not hide the change from the others
                logger.exception("plan listener failed", extra={"plan_id": str(changed.plan_id)})


async def announce(session: AsyncSession, changed: PlanChanged) -> None:
    if not session.in_transaction():
        await session.begin()
    session.info.setdefault(_WAITING_KEY, []).append(changed)


@event.listens_for(Session, "after_commit")
def _publish_after_commit(session: Session) -> None:
    waiting: list[PlanChanged] = session.info.pop(_WAITING_KEY, [])
    publisher: Any = session.info.get(PUBLISHER_KEY)
    if isinstance(publisher, PlanEvents):
        for changed in waiting:
            publisher.publish(changed)


@event.listens_for(Session, "after_soft_rollback")
def _drop_after_rollback(session: Session, _previous: Any) -> None:
    session.info.pop(_WAITING_KEY, None)
