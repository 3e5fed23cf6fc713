"""Background housekeeping in each app process: forgetting idempotency keys no retry will use
any more (R-SAFE-3 keeps them for two days). Safe to run in several processes at once."""

from __future__ import annotations

import asyncio
import logging

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.background import BackgroundTask
from app.clock import Clock
from app.idempotency import service as idempotency

logger = logging.getLogger(__name__)
EVERY_SECONDS = 3600.0


class Housekeeping:
    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession], clock: Clock) -> None:
        self._sessionmaker, self._clock = sessionmaker, clock
        self._task = BackgroundTask("housekeeping")

    async def run_once(self) -> int:
        async with self._sessionmaker.begin() as session:
            return await idempotency.forget_old(session, clock=self._clock)

    async def start(self) -> None:
        self._task.start(self._run)

    async def stop(self) -> None:
        await self._task.stop()

    async def _run(self) -> None:
        while True:
            try:
                await self.run_once()
            except Exception as error:  # the database is away: next hour, then
                logger.warning("housekeeping failed", extra={"error_type": type(error).__name__})
            await asyncio.sleep(EVERY_SECONDS)
