"""The background sender that drains the notification outbox, outside any request.

A round claims due rows in one short transaction: on PostgreSQL with FOR UPDATE SKIP LOCKED, so
two app processes never take the same row, and by moving each claimed row's due time a lease
ahead, so nobody else takes it while it is being sent. Sending holds no transaction open; each
result is written in its own short one. A failure waits longer each time (30 s, doubling, at
most an hour) and is given up after MAX_ATTEMPTS. A process that dies mid-round leaves its rows
to come due again when the lease runs out: a notice can then arrive twice, never not at all.

Logs carry the row id, the channel and an exception's class name: never an address.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.background import BackgroundTask
from app.clock import Clock
from app.models import Channel, NotificationOutbox
from app.notifications.senders import Senders, build_email
from app.notifications.texts import email_text, sms_text
from app.settings import Settings

logger = logging.getLogger(__name__)

BATCH = 50
MAX_ATTEMPTS = 8
FIRST_RETRY = timedelta(seconds=30)
LONGEST_WAIT = timedelta(hours=1)
SEND_TIMEOUT_SECONDS = 15.0
# Longer than a whole batch at the send timeout, so no row is claimed twice while in flight.
LEASE = timedelta(seconds=BATCH * SEND_TIMEOUT_SECONDS + 120)
# Sent and abandoned rows hold an address; keep them only as long as they are of use.
KEEP_DONE_FOR = timedelta(days=7)
FORGET_EVERY = timedelta(hours=1)


@dataclass(frozen=True)
class Claimed:
    id: uuid.UUID
    channel: Channel
    address: str
    attempts: int


def backoff(failures: int) -> timedelta:
    """How long to wait after the n-th failed attempt: 30 s, 1 min, 2 min, ... at most 1 h."""
    doublings = min(max(failures - 1, 0), 16)
    wait: timedelta = FIRST_RETRY * (2**doublings)
    return min(wait, LONGEST_WAIT)


async def claim_due(session: AsyncSession, now: datetime, *, limit: int = BATCH) -> list[Claimed]:
    """Take up to `limit` due rows, oldest due first, and lease them; the caller commits.

    One statement: on PostgreSQL the inner SELECT skips rows another process has locked; on
    SQLite the UPDATE takes the write lock at once, so two claims queue instead of deadlocking.
    """
    due = (
        select(NotificationOutbox.id)
        .where(
            NotificationOutbox.sent_at.is_(None),
            NotificationOutbox.given_up_at.is_(None),
            NotificationOutbox.due_at <= now,
        )
        .order_by(NotificationOutbox.due_at, NotificationOutbox.id)
        .limit(limit)
        .with_for_update(skip_locked=True)  # SQLite has one writer and leaves this out
    )
    claimed = await session.execute(
        update(NotificationOutbox)
        .where(NotificationOutbox.id.in_(due))
        # Counted when started, so a row that kills its sender still ends after MAX_ATTEMPTS.
        .values(attempts=NotificationOutbox.attempts + 1, due_at=now + LEASE)
        .returning(
            NotificationOutbox.id,
            NotificationOutbox.channel,
            NotificationOutbox.address,
            NotificationOutbox.attempts,
        )
        .execution_options(synchronize_session=False)
    )
    return [Claimed(*row) for row in claimed]


async def record_result(
    session: AsyncSession, claimed: Claimed, error: str | None, *, now: datetime
) -> None:
    """Mark the row sent, due again later, or given up. One UPDATE and no read first: on SQLite
    a read that turns into a write can find another writer in the way and fail at once."""
    if error is None:
        values: dict[str, object] = {"sent_at": now, "last_error": None}
    elif claimed.attempts >= MAX_ATTEMPTS:
        values = {"given_up_at": now, "last_error": error}
    else:
        values = {"due_at": now + backoff(claimed.attempts), "last_error": error}
    # A row that is gone was removed by a change of settings meanwhile; nothing to mark.
    await session.execute(
        update(NotificationOutbox)
        .where(NotificationOutbox.id == claimed.id)
        .values(values)
        .execution_options(synchronize_session=False)
    )


async def delete_done(session: AsyncSession, now: datetime) -> int:
    """Delete sent and given-up rows older than KEEP_DONE_FOR (they only hold an address)."""
    cutoff = now - KEEP_DONE_FOR
    result = await session.execute(
        delete(NotificationOutbox).where(
            or_(NotificationOutbox.sent_at < cutoff, NotificationOutbox.given_up_at < cutoff)
        )
    )
    return int(getattr(result, "rowcount", 0) or 0)


class NotificationWorker:
    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        senders: Senders,
        *,
        clock: Clock,
        settings: Settings,
        every_seconds: float = 5.0,
    ) -> None:
        self._sessionmaker = sessionmaker
        self._senders = senders
        self._clock = clock
        self._settings = settings
        self._every_seconds = every_seconds
        self._task = BackgroundTask("notification-worker")
        self._forgotten_at: datetime | None = None

    async def run_once(self, now: datetime | None = None) -> int:
        """Send what is due at `now` (default: the clock); returns how many were sent."""
        now = now or self._clock.now()
        async with self._sessionmaker.begin() as session:
            claimed = await claim_due(session, now)
        sent = 0
        for item in claimed:
            error = await self._send(item, now)
            async with self._sessionmaker.begin() as session:
                await record_result(session, item, error, now=now)
            self._log(item, error)
            sent += error is None
        return sent

    async def forget_done(self, now: datetime | None = None) -> int:
        async with self._sessionmaker.begin() as session:
            return await delete_done(session, now or self._clock.now())

    async def _send(self, item: Claimed, now: datetime) -> str | None:
        """None when handed over; otherwise a short reason that names no person."""
        base_url = self._settings.base_url
        try:
            async with asyncio.timeout(SEND_TIMEOUT_SECONDS):
                if item.channel is Channel.EMAIL:
                    message = build_email(
                        item.address,
                        email_text(base_url),
                        sender=self._settings.smtp_from,
                        now=now,
                    )
                    await self._senders.email.send(message)
                elif item.channel is Channel.SMS:
                    await self._senders.sms.send(item.address, sms_text(base_url))
                else:
                    return "NoChannel"
        except Exception as error:  # refused, down, timed out: all mean "try again later"
            # The class name only: SMTP errors quote the recipient's address.
            return type(error).__name__[:200]
        return None

    def _log(self, item: Claimed, error: str | None) -> None:
        if error is None:
            logger.info(
                f"notification {item.id} sent by {item.channel.value}",
                extra={"event": "notification_sent"},
            )
            return
        given_up = item.attempts >= MAX_ATTEMPTS
        logger.warning(
            f"notification {item.id} by {item.channel.value} failed (attempt {item.attempts})"
            + ("; given up" if given_up else "; will retry"),
            extra={
                "event": "notification_given_up" if given_up else "notification_failed",
                "error_type": error,
            },
        )

    async def start(self) -> None:
        self._task.start(self._run)

    async def stop(self) -> None:
        await self._task.stop()

    async def _run(self) -> None:
        while True:
            try:
                now = self._clock.now()
                while await self.run_once(now) == BATCH:
                    now = self._clock.now()  # a full batch: there may be more waiting
                if self._forgotten_at is None or now - self._forgotten_at >= FORGET_EVERY:
                    await self.forget_done(now)
                    self._forgotten_at = now
            except Exception as error:  # the database is away: the next round tries again
                logger.warning(
                    "notification round failed; trying again shortly",
                    extra={
                        "event": "notification_round_failed",
                        "error_type": type(error).__name__,
                    },
                )
            await asyncio.sleep(self._every_seconds)
