"""app/notifications/senders.py and texts.py: the outbox folder of the default run, the SMS
gateway, and the words themselves (R-NOTE-1)."""

from __future__ import annotations

from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.models import Channel, Frequency
from app.notifications import service as notifications
from app.notifications.senders import (
    OutboxFolderSender,
    OutboxSmsGateway,
    SmtpEmailSender,
    make_senders,
    outbox_folder,
)
from app.notifications.texts import email_text, sms_text
from app.notifications.worker import NotificationWorker
from app.settings import Settings
from tests.notifications.conftest import World
from tests.support.clock import FrozenClock
from tests.support.logins import citizen


def test_without_an_smtp_host_mail_goes_to_the_outbox_folder(
    outbox_settings: Settings, clock: FrozenClock
) -> None:
    senders = make_senders(outbox_settings, clock)
    assert isinstance(senders.email, OutboxFolderSender)
    assert isinstance(senders.sms, OutboxSmsGateway)
    configured = outbox_settings.model_copy(update={"smtp_host": "smtp.example.test"})
    assert isinstance(make_senders(configured, clock).email, SmtpEmailSender)


async def _send_one(
    session: AsyncSession,
    world: World,
    clock: FrozenClock,
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
    channel: Channel,
) -> Path:
    await notifications.save_settings(
        session,
        citizen(world.per),
        channel,
        Frequency.AT_ONCE,
        "per@example.test",
        "+47 912 34 567",
        clock=clock,
    )
    await notifications.something_new(session, [world.per_key], clock=clock, settings=settings)
    worker = NotificationWorker(
        sessions, make_senders(settings, clock), clock=clock, settings=settings
    )
    assert await worker.run_once(clock.now()) == 1
    [written] = list(outbox_folder(settings).iterdir())
    return written


async def test_the_outbox_folder_sender_writes_a_mail_the_developer_can_open(
    session: AsyncSession,
    world: World,
    clock: FrozenClock,
    outbox_settings: Settings,
    worker_sessions: async_sessionmaker[AsyncSession],
) -> None:
    written = await _send_one(
        session, world, clock, outbox_settings, worker_sessions, Channel.EMAIL
    )
    assert written.suffix == ".eml" and written.name.startswith("20261123T100000-")
    assert written.stat().st_mode & 0o077 == 0  # it holds an address: the owner's eyes only
    mail = message_from_bytes(written.read_bytes(), policy=policy.default)
    assert isinstance(mail, EmailMessage)
    assert mail["To"] == "per@example.test"
    content = written.read_text()
    for secret in world.secrets():
        assert secret not in content, secret


async def test_the_sms_file_holds_the_number_and_the_fixed_line_only(
    session: AsyncSession,
    world: World,
    clock: FrozenClock,
    outbox_settings: Settings,
    worker_sessions: async_sessionmaker[AsyncSession],
) -> None:
    written = await _send_one(session, world, clock, outbox_settings, worker_sessions, Channel.SMS)
    assert written.suffix == ".txt"
    assert written.read_text() == (
        "SMS to: +4791234567\n\nDu har noe nytt i Samplan. Logg inn på http://testserver/\n"
    )


def test_the_words_say_only_that_something_is_new_and_where_to_log_in() -> None:
    text = email_text("https://samplan.kommune.no")
    assert text.subject == (
        "Du har noe nytt i Samplan / Du har noko nytt i Samplan / You have something new in Samplan"
    )
    assert text.body.count("https://samplan.kommune.no/") == 3
    assert len(text.body.split("\n\n")) == 3
    assert sms_text("https://samplan.kommune.no/") == (
        "Du har noe nytt i Samplan. Logg inn på https://samplan.kommune.no/"
    )
    assert len(sms_text("https://samplan.kommune.no/")) <= 160  # one text message
