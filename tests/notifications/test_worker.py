"""app/notifications/worker.py against a real SMTP server: what a notice says (R-NOTE-1), and
retries with backoff when the server refuses or is down."""

from __future__ import annotations

import logging
from datetime import timedelta
from email.message import EmailMessage

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.models import Channel, Frequency, NotificationOutbox
from app.notifications import service as notifications
from app.notifications import worker as worker_module
from app.notifications.senders import OutboxSmsGateway, Senders
from app.notifications.worker import MAX_ATTEMPTS, NotificationWorker, backoff
from app.settings import Settings
from tests.notifications.conftest import SmtpServer, World, make_worker
from tests.support.clock import FrozenClock
from tests.support.logins import citizen

PER_EMAIL = "per.mikkelsen@example.test"


async def _per_wants_email(session: AsyncSession, world: World, clock: FrozenClock) -> None:
    await notifications.save_settings(
        session,
        citizen(world.per),
        Channel.EMAIL,
        Frequency.AT_ONCE,
        PER_EMAIL,
        None,
        clock=clock,
    )


async def _rows(session: AsyncSession, key: str) -> list[NotificationOutbox]:
    found = await session.scalars(
        select(NotificationOutbox)
        .where(NotificationOutbox.recipient == key)
        .order_by(NotificationOutbox.created_at, NotificationOutbox.due_at)
        .execution_options(populate_existing=True)
    )
    return list(found)


async def test_r_note_1_the_mail_says_only_that_something_is_new_and_where_to_log_in(
    session: AsyncSession,
    world: World,
    clock: FrozenClock,
    smtp: SmtpServer,
    smtp_worker: NotificationWorker,
    smtp_settings: Settings,
) -> None:
    await _per_wants_email(session, world, clock)
    await notifications.something_new(session, [world.per_key], clock=clock, settings=smtp_settings)

    assert await smtp_worker.run_once(clock.now()) == 1

    [(recipients, raw)] = smtp.inbox.received
    assert recipients == [PER_EMAIL]
    [mail] = smtp.inbox.messages()
    body = mail.get_body(preferencelist=("plain",))
    assert isinstance(body, EmailMessage)
    text = body.get_content()
    subject = str(mail["Subject"])
    everything = raw.decode("utf-8", errors="replace") + subject + text
    for secret in world.secrets():
        assert secret not in everything, secret
    assert "http://testserver/" in text
    assert "Du har noe nytt i Samplan" in subject and "You have something new" in subject
    assert "Du har noko nytt i Samplan. Logg inn på http://testserver/ for å sjå det." in text
    assert "You have something new in Samplan. Log in at http://testserver/ to see it." in text
    assert mail["Auto-Submitted"] == "auto-generated"
    [row] = await _rows(session, world.per_key)
    assert row.sent_at == clock.now() and row.attempts == 1 and row.last_error is None


async def test_nothing_due_sends_nothing(
    session: AsyncSession,
    world: World,
    clock: FrozenClock,
    smtp: SmtpServer,
    smtp_worker: NotificationWorker,
    smtp_settings: Settings,
) -> None:
    await _per_wants_email(session, world, clock)
    await notifications.something_new(session, [world.per_key], clock=clock, settings=smtp_settings)
    assert await smtp_worker.run_once(clock.now() - timedelta(seconds=1)) == 0
    assert smtp.inbox.received == []


async def test_a_refusing_server_is_retried_with_backoff_until_it_accepts(
    session: AsyncSession,
    world: World,
    clock: FrozenClock,
    smtp: SmtpServer,
    smtp_worker: NotificationWorker,
    smtp_settings: Settings,
) -> None:
    await _per_wants_email(session, world, clock)
    await notifications.something_new(session, [world.per_key], clock=clock, settings=smtp_settings)
    smtp.inbox.refusal = "451 4.3.0 Try again later"

    assert await smtp_worker.run_once(clock.now()) == 0
    [row] = await _rows(session, world.per_key)
    assert row.sent_at is None and row.attempts == 1
    assert row.due_at == clock.now() + timedelta(seconds=30)
    assert row.last_error == "SMTPDataError"  # the class name only, never the address

    clock.advance(timedelta(seconds=29))
    assert await smtp_worker.run_once(clock.now()) == 0  # not due yet
    assert (await _rows(session, world.per_key))[0].attempts == 1

    clock.advance(timedelta(seconds=1))
    smtp.inbox.refusal = None
    assert await smtp_worker.run_once(clock.now()) == 1
    [row] = await _rows(session, world.per_key)
    assert row.sent_at == clock.now() and row.attempts == 2 and row.last_error is None
    assert len(smtp.inbox.received) == 1


async def test_a_server_that_is_down_is_retried_and_reached_when_it_is_back(
    session: AsyncSession,
    world: World,
    clock: FrozenClock,
    smtp: SmtpServer,
    smtp_worker: NotificationWorker,
    smtp_settings: Settings,
) -> None:
    await _per_wants_email(session, world, clock)
    await notifications.something_new(session, [world.per_key], clock=clock, settings=smtp_settings)
    smtp.stop()

    for failures in (1, 2, 3):
        assert await smtp_worker.run_once(clock.now()) == 0
        [row] = await _rows(session, world.per_key)
        assert row.attempts == failures and row.sent_at is None
        assert row.due_at == clock.now() + backoff(failures)
        assert row.last_error == "SMTPConnectError"
        clock.advance(backoff(failures))

    smtp.start()
    assert await smtp_worker.run_once(clock.now()) == 1
    assert len(smtp.inbox.received) == 1
    assert (await _rows(session, world.per_key))[0].sent_at == clock.now()


def test_backoff_doubles_from_thirty_seconds_and_stops_at_an_hour() -> None:
    waits = [backoff(failures).total_seconds() for failures in range(1, 10)]
    assert waits == [30, 60, 120, 240, 480, 960, 1920, 3600, 3600]


class BrokenSender:
    def __init__(self) -> None:
        self.tries = 0

    async def send(self, message: EmailMessage) -> None:
        self.tries += 1
        raise ConnectionRefusedError(f"could not reach {message['To']}")


async def test_it_gives_up_after_eight_attempts(
    session: AsyncSession,
    world: World,
    clock: FrozenClock,
    settings: Settings,
    worker_sessions: async_sessionmaker[AsyncSession],
) -> None:
    await _per_wants_email(session, world, clock)
    await notifications.something_new(session, [world.per_key], clock=clock, settings=settings)
    broken = BrokenSender()
    sms = OutboxSmsGateway(settings.data_dir / "outbox", clock)
    worker = make_worker(worker_sessions, Senders(email=broken, sms=sms), settings, clock)

    for _ in range(MAX_ATTEMPTS + 2):
        await worker.run_once(clock.now())
        clock.advance(worker_module.LONGEST_WAIT)

    [row] = await _rows(session, world.per_key)
    assert broken.tries == MAX_ATTEMPTS == 8
    assert row.attempts == 8 and row.given_up_at is not None and row.sent_at is None
    assert row.last_error == "ConnectionRefusedError"
    assert PER_EMAIL not in (row.last_error or "")


async def test_the_log_names_the_row_and_channel_but_never_the_address(
    session: AsyncSession,
    world: World,
    clock: FrozenClock,
    smtp: SmtpServer,
    smtp_worker: NotificationWorker,
    smtp_settings: Settings,
    caplog: pytest.LogCaptureFixture,
) -> None:
    await _per_wants_email(session, world, clock)
    await notifications.something_new(session, [world.per_key], clock=clock, settings=smtp_settings)
    smtp.inbox.refusal = "550 5.1.1 No such user"
    with caplog.at_level(logging.INFO, logger="app.notifications.worker"):
        await smtp_worker.run_once(clock.now())
        clock.advance(timedelta(minutes=1))
        smtp.inbox.refusal = None
        await smtp_worker.run_once(clock.now())
    [row] = await _rows(session, world.per_key)
    lines = [
        record.getMessage()
        for record in caplog.records
        if record.name == "app.notifications.worker"
    ]
    assert len(lines) == 2 and all(str(row.id) in line and "email" in line for line in lines)
    assert not any(PER_EMAIL in line or "Per" in line for line in lines)
