"""app/notifications/senders.py and texts.py: the outbox folder of the default run, the SMS
gateway, and the words themselves (R-NOTE-1)."""

from __future__ import annotations

import asyncio
import json
import re
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from pydantic import SecretStr
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.models import Channel, Frequency
from app.notifications import service as notifications
from app.notifications.senders import (
    HttpSmsGateway,
    OutboxFolderSender,
    OutboxSmsGateway,
    SmsRefused,
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


async def _gateway(status: int, seen: list[bytes]) -> tuple[asyncio.Server, str]:
    """A real HTTP server on a free port that keeps each request and answers `status`."""

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        found = re.search(rb"(?i)content-length: *(\d+)", head)
        seen.append(head + await reader.readexactly(int(found.group(1)) if found else 0))
        writer.write(f"HTTP/1.1 {status} X\r\nContent-Length: 0\r\n\r\n".encode())
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(answer, "127.0.0.1", 0)
    return server, f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}/sms"


async def test_text_messages_go_to_the_http_gateway_as_json_with_the_token(
    outbox_settings: Settings, clock: FrozenClock
) -> None:
    seen: list[bytes] = []
    server, url = await _gateway(202, seen)
    configured = outbox_settings.model_copy(
        update={"sms_gateway_url": url, "sms_gateway_token": SecretStr("t0ken")}
    )
    gateway = make_senders(configured, clock).sms
    assert isinstance(gateway, HttpSmsGateway)
    async with server:
        await gateway.send("+4791234567", sms_text("https://samplan.example/"))
    head, _, body = seen[0].partition(b"\r\n\r\n")
    assert head.startswith(b"POST /sms ")
    assert b"authorization: bearer t0ken" in head.lower()
    assert json.loads(body) == {
        "to": "+4791234567",
        "from": "Samplan",
        "text": sms_text("https://samplan.example/"),
    }


async def test_a_gateway_that_refuses_is_a_failure_the_worker_tries_again(
    outbox_settings: Settings, clock: FrozenClock
) -> None:
    server, url = await _gateway(503, [])
    gateway = HttpSmsGateway(outbox_settings.model_copy(update={"sms_gateway_url": url}))
    async with server:
        with pytest.raises(SmsRefused, match="503"):
            await gateway.send("+4791234567", "Du har noe nytt i Samplan.")
