"""Telling people that a new message is waiting (R-NOTE-1, R-NOTE-2), after it is stored.

Each new message (not an edit) puts a notice in the outbox for everyone who may read its
conversation, apart from the writer; the notification worker sends them later. The notice
never says what, who or where: only that there is something new. Working from the committed
event keeps the post itself quick, and a failure here never touches the message.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from fastapi import FastAPI

from app.db import unit_of_work
from app.notifications import service as notifications
from app.threads import service as threads
from app.threads.events import MessagePosted

logger = logging.getLogger(__name__)


class NewMessageNotices:
    def __init__(self, app: FastAPI) -> None:
        self.app = app
        self._tasks: set[asyncio.Task[None]] = set()
        self._unsubscribe: Any = None

    def start(self) -> None:
        self._unsubscribe = self.app.state.message_events.subscribe(self._on_message)

    async def stop(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)

    def _on_message(self, posted: MessagePosted) -> None:
        if posted.edited:
            return
        task = asyncio.create_task(self.tell(posted))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def tell(self, posted: MessagePosted) -> None:
        state = self.app.state
        try:
            async with unit_of_work(state.sessionmaker) as session:
                readers = await threads.readers_to_tell(
                    session,
                    posted.thread_id,
                    register=state.population_register,
                    clock=state.clock,
                    besides=posted.author_key,
                )
                await notifications.something_new(
                    session, readers, clock=state.clock, settings=state.settings
                )
        except Exception:  # a notice is a nudge: the message itself is already safe
            logger.exception("could not queue notices", extra={"thread_id": str(posted.thread_id)})
