"""The worker as it runs in the app: in the background, on its own connections, and in two app
processes at once without sending anything twice. These tests commit for real (the rows are
removed afterwards), because separate connections cannot see a rolled-back test transaction."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta
from email.message import EmailMessage

import pytest
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from app.db import make_sessionmaker
from app.models import Channel, NotificationOutbox
from app.notifications.senders import OutboxSmsGateway, Senders, make_senders
from app.notifications.worker import NotificationWorker, claim_due
from app.settings import Settings
from tests.notifications.conftest import SmtpServer
from tests.support import databases
from tests.support.clock import FrozenClock

RECIPIENT_PREFIX = "person:"


@pytest.fixture
async def committed(engine: AsyncEngine) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    sessions = make_sessionmaker(engine)
    yield sessions
    async with sessions.begin() as session:
        await session.execute(delete(NotificationOutbox))


async def _enqueue(
    sessions: async_sessionmaker[AsyncSession], clock: FrozenClock, count: int
) -> list[uuid.UUID]:
    rows = [
        NotificationOutbox(
            recipient=f"{RECIPIENT_PREFIX}{uuid.uuid4()}",
            channel=Channel.EMAIL,
            address=f"person{number}@example.test",
            created_at=clock.now(),
            due_at=clock.now() - timedelta(seconds=number),
            attempts=0,
        )
        for number in range(count)
    ]
    async with sessions.begin() as session:
        session.add_all(rows)
    return [row.id for row in rows]


class CountingSender:
    """Slow enough that two workers' rounds overlap."""

    def __init__(self) -> None:
        self.sent_to: list[str] = []

    async def send(self, message: EmailMessage) -> None:
        await asyncio.sleep(0.01)
        self.sent_to.append(str(message["To"]))


async def test_two_workers_at_once_send_each_notice_once(
    committed: async_sessionmaker[AsyncSession], clock: FrozenClock, settings: Settings
) -> None:
    await _enqueue(committed, clock, 30)
    senders = [CountingSender(), CountingSender()]
    sms = OutboxSmsGateway(settings.data_dir / "outbox", clock)
    workers = [
        NotificationWorker(
            committed, Senders(email=sender, sms=sms), clock=clock, settings=settings
        )
        for sender in senders
    ]

    counts = await asyncio.gather(*(worker.run_once(clock.now()) for worker in workers))
    counts += await asyncio.gather(*(worker.run_once(clock.now()) for worker in workers))

    everything = senders[0].sent_to + senders[1].sent_to
    assert sum(counts) == 30 and len(everything) == 30 and len(set(everything)) == 30
    async with committed() as session:
        rows = (await session.scalars(select(NotificationOutbox))).all()
    assert all(row.sent_at is not None and row.attempts == 1 for row in rows)


async def test_on_postgresql_a_claim_skips_rows_another_process_holds(
    committed: async_sessionmaker[AsyncSession], clock: FrozenClock
) -> None:
    """FOR UPDATE SKIP LOCKED: the second claim neither waits for the first nor takes its rows.
    (SQLite has a single writer: there the second claim waits its turn, which the test above
    covers.)"""
    ids = await _enqueue(committed, clock, 3)
    if databases.backend() != "postgresql":
        async with committed.begin() as session:
            assert {row.id for row in await claim_due(session, clock.now())} == set(ids)
        return
    async with committed() as first, committed() as second:
        async with first.begin():
            taken = await claim_due(first, clock.now(), limit=2)
            async with asyncio.timeout(5), second.begin():
                rest = await claim_due(second, clock.now())
        assert len(taken) == 2 and len(rest) == 1
        assert {row.id for row in taken} | {row.id for row in rest} == set(ids)


async def test_start_and_stop_drain_the_outbox_in_the_background(
    committed: async_sessionmaker[AsyncSession],
    clock: FrozenClock,
    settings: Settings,
    smtp: SmtpServer,
) -> None:
    await _enqueue(committed, clock, 2)
    smtp_settings = settings.model_copy(
        update={"smtp_host": "127.0.0.1", "smtp_port": smtp.port, "smtp_starttls": False}
    )
    worker = NotificationWorker(
        committed,
        make_senders(smtp_settings, clock),
        clock=clock,
        settings=smtp_settings,
        every_seconds=0.05,
    )
    await worker.start()
    try:
        for _ in range(200):
            if len(smtp.inbox.received) == 2:
                break
            await asyncio.sleep(0.05)
    finally:
        await worker.stop()
    assert sorted(to for [to], _ in smtp.inbox.received) == [
        "person0@example.test",
        "person1@example.test",
    ]
