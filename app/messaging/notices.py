"""Telling people that a new message is waiting (R-NOTE-1, R-NOTE-2), after it is stored.

Each new message (not an edit) puts a notice in the outbox for everyone who may read its
conversation, apart from the writer; the notification worker sends them later. The notice
never says what, who or where: only that there is something new. Working from the committed
event keeps the post itself quick, and a failure here never touches the message.

Work is coalesced per thread and writer: while one round for them runs, further messages only
ask for one more round after it. A round reads who may read the thread at that moment, so it
covers every message committed before it began; a busy thread costs one round at a time, not
one per message (quality.md P4), and no notice is missed.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from typing import Any

from fastapi import FastAPI

from app.db import unit_of_work
from app.notifications import service as notifications
from app.threads import service as threads
from app.threads.events import MessagePosted

logger = logging.getLogger(__name__)

# Between two rounds for one thread and writer: a busy conversation is asked about once a
# second at most. Notices are rate-limited per person anyway (an hour by default).
ROUND_PAUSE_SECONDS = 1.0


class NewMessageNotices:
    def __init__(self, app: FastAPI) -> None:
        self.app = app
        self._tasks: set[asyncio.Task[None]] = set()
        self.round_pause = ROUND_PAUSE_SECONDS
        # (thread, writer) with a round running: the newest message that came in meanwhile and
        # wants one more round after it, if any.
        self._rounds: dict[tuple[uuid.UUID, str], MessagePosted | None] = {}
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
        key = (posted.thread_id, posted.author_key)
        if key in self._rounds:
            self._rounds[key] = posted
            return
        self._rounds[key] = None
        task = asyncio.create_task(self._rounds_for(key, posted))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _rounds_for(self, key: tuple[uuid.UUID, str], posted: MessagePosted) -> None:
        try:
            wanted: MessagePosted | None = posted
            while wanted is not None:
                self._rounds[key] = None
                await self.tell(wanted)
                if self._rounds[key] is None:
                    return
                await asyncio.sleep(self.round_pause)
                wanted = self._rounds[key]  # the newest message that came in meanwhile
        finally:
            del self._rounds[key]

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
