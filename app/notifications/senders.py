"""Where notifications go: real SMTP, or files in <data_dir>/outbox for the developer to open.

SMS goes through the SmsGateway interface: an HTTP gateway (SAMPLAN_SMS_GATEWAY_URL), or in
development one that writes to the same outbox folder, so the default run needs no account.
"""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr
from pathlib import Path
from typing import Protocol

import aiosmtplib
import httpx

from app.clock import Clock
from app.notifications.addresses import ascii_address
from app.notifications.texts import EmailText
from app.settings import Settings

SMTP_TIMEOUT_SECONDS = 10.0
IMPLICIT_TLS_PORT = 465
SMS_TIMEOUT_SECONDS = 10.0


class EmailSender(Protocol):
    async def send(self, message: EmailMessage) -> None:
        """Hand the message over for delivery, or raise."""
        ...


class SmsGateway(Protocol):
    async def send(self, phone: str, text: str) -> None:
        """Hand the text message over for delivery, or raise."""
        ...


@dataclass(frozen=True)
class Senders:
    email: EmailSender
    sms: SmsGateway


def build_email(to: str, text: EmailText, *, sender: str, now: datetime) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = ascii_address(to)
    message["Subject"] = text.subject
    message["Date"] = format_datetime(now)
    message["Message-ID"] = make_msgid(domain=_domain_of(sender))
    message["Content-Language"] = "nb, nn, en"
    # RFC 3834: out-of-office replies and the like are not sent back to a no-reply address.
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(text.body)
    return message


def _domain_of(sender: str) -> str:
    return parseaddr(sender)[1].rpartition("@")[2] or "samplan.invalid"


class SmtpEmailSender:
    def __init__(self, settings: Settings) -> None:
        if settings.smtp_host is None:
            raise ValueError("SmtpEmailSender needs SAMPLAN_SMTP_HOST")
        self._host = settings.smtp_host
        self._port = settings.smtp_port
        self._user = settings.smtp_user
        self._password = settings.smtp_password
        # Port 465 speaks TLS from the first byte; other ports upgrade with STARTTLS if asked to.
        self._implicit_tls = settings.smtp_port == IMPLICIT_TLS_PORT
        self._starttls = settings.smtp_starttls and not self._implicit_tls

    async def send(self, message: EmailMessage) -> None:
        await aiosmtplib.send(
            message,
            hostname=self._host,
            port=self._port,
            username=self._user,
            password=self._password.get_secret_value() if self._password else None,
            use_tls=self._implicit_tls,
            start_tls=self._starttls,
            timeout=SMTP_TIMEOUT_SECONDS,
        )


class HttpSmsGateway:
    """A text message as one JSON POST to the gateway; any answer but 2xx is a failure (the
    worker tries again later). The gateway's answer is not logged: it may quote the number."""

    def __init__(self, settings: Settings) -> None:
        if settings.sms_gateway_url is None:
            raise ValueError("HttpSmsGateway needs SAMPLAN_SMS_GATEWAY_URL")
        self._url = settings.sms_gateway_url
        self._sender = settings.sms_sender
        token = settings.sms_gateway_token
        self._headers = {"Authorization": f"Bearer {token.get_secret_value()}"} if token else {}

    async def send(self, phone: str, text: str) -> None:
        async with httpx.AsyncClient(timeout=SMS_TIMEOUT_SECONDS, trust_env=False) as client:
            answer = await client.post(
                self._url,
                json={"to": phone, "from": self._sender, "text": text},
                headers=self._headers,
            )
        if not answer.is_success:
            raise SmsRefused(f"the SMS gateway answered {answer.status_code}")


class SmsRefused(Exception):
    """The SMS gateway did not take the message."""


class _OutboxFolder:
    """Files named by time, so the newest is last in a listing; readable by the owner only."""

    def __init__(self, folder: Path, clock: Clock) -> None:
        self.folder, self._clock = folder, clock

    async def write(self, suffix: str, content: bytes) -> Path:
        stamp = self._clock.now().strftime("%Y%m%dT%H%M%S")
        path = self.folder / f"{stamp}-{uuid.uuid4().hex[:12]}{suffix}"
        await asyncio.to_thread(self._write, path, content)
        return path

    def _write(self, path: Path, content: bytes) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600)
        path.write_bytes(content)


class OutboxFolderSender:
    """E-mail as .eml files in <data_dir>/outbox: the default run sends nothing anywhere."""

    def __init__(self, folder: Path, clock: Clock) -> None:
        self._outbox = _OutboxFolder(folder, clock)

    async def send(self, message: EmailMessage) -> None:
        await self._outbox.write(".eml", message.as_bytes())


class OutboxSmsGateway:
    """The development SMS gateway: a .txt file per text message in <data_dir>/outbox."""

    def __init__(self, folder: Path, clock: Clock) -> None:
        self._outbox = _OutboxFolder(folder, clock)

    async def send(self, phone: str, text: str) -> None:
        await self._outbox.write(".txt", f"SMS to: {phone}\n\n{text}\n".encode())


def outbox_folder(settings: Settings) -> Path:
    return settings.data_dir / "outbox"


def make_senders(settings: Settings, clock: Clock) -> Senders:
    folder = outbox_folder(settings)
    email: EmailSender = (
        SmtpEmailSender(settings)
        if settings.smtp_host is not None
        else OutboxFolderSender(folder, clock)
    )
    sms: SmsGateway = (
        HttpSmsGateway(settings)
        if settings.sms_gateway_url is not None
        else OutboxSmsGateway(folder, clock)
    )
    return Senders(email=email, sms=sms)
