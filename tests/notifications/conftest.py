"""A coordinator and a citizen with a plan and a message, a real SMTP server (aiosmtpd), and a
worker that runs inside the test's rolled-back transaction."""

from __future__ import annotations

import logging
import socket
import threading
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.clock import today_in_oslo
from app.employees import service as employees
from app.models import Audience, Employee, Message, Person, Plan, Thread
from app.notifications.senders import Senders, make_senders
from app.notifications.worker import NotificationWorker
from app.people.identity_numbers import make_synthetic_identity_number
from app.plans import service as plans
from app.settings import Settings
from tests.factories import make_municipality, make_person
from tests.support.clock import FrozenClock

PER_BORN = date(1971, 2, 14)
MESSAGE_TEXT = "Time hos fastlegen flyttes til tirsdag kl. 14 på Tøyen legesenter."
TOPIC = "Legetime og medisiner"


@dataclass
class World:
    per: Person
    per_number: str
    kari: Employee
    plan: Plan
    thread: Thread
    message: Message

    @property
    def per_key(self) -> str:
        return f"person:{self.per.id}"

    @property
    def kari_key(self) -> str:
        return f"employee:{self.kari.id}"

    def secrets(self) -> list[str]:
        """Everything a notification must never carry (R-NOTE-1)."""
        return [
            self.per.given_name,
            self.per.family_name,
            self.per.display_name,
            self.per_number,
            self.kari.name,
            str(self.plan.id),
            str(self.thread.id),
            str(self.message.id),
            str(self.per.id),
            self.thread.topic,
            self.message.text,
            "fastlegen",
            "Tøyen",
        ]


async def build_world(session: AsyncSession, clock: FrozenClock) -> World:
    municipality = await make_municipality(session, clock=clock)
    kari = await employees.ensure_employee(
        session,
        municipality,
        email="kari@testvik.kommune.test",
        name="Kari Nordmann",
        title="",
        clock=clock,
    )
    per = await make_person(
        session, clock=clock, born=PER_BORN, serial=7, given_name="Per", family_name="Mikkelsen"
    )
    today = today_in_oslo(clock)
    plan = await plans.start_plan(
        session,
        municipality,
        per,
        coordinator=kari,
        period_start=today,
        period_end=today + timedelta(days=300),
        revision_date=today + timedelta(days=100),
        clock=clock,
    )
    thread = Thread(
        plan_id=plan.id,
        topic=TOPIC,
        audience=Audience.GROUP,
        created_by_employee_id=kari.id,
        created_at=clock.now(),
        last_seq=1,
        last_message_at=clock.now(),
    )
    session.add(thread)
    await session.flush()
    message = Message(
        thread_id=thread.id,
        plan_id=plan.id,
        seq=1,
        author_employee_id=kari.id,
        author_key=f"employee:{kari.id}",
        text=MESSAGE_TEXT,
        created_at=clock.now(),
    )
    session.add(message)
    await session.flush()
    number = make_synthetic_identity_number(PER_BORN, serial=7)
    return World(per, number, kari, plan, thread, message)


@pytest.fixture
async def world(session: AsyncSession, clock: FrozenClock) -> World:
    return await build_world(session, clock)


@pytest.fixture
def worker_sessions(session: AsyncSession) -> async_sessionmaker[AsyncSession]:
    """Sessions on the test's own connection: each worker transaction is a savepoint inside
    the test's transaction, so everything still rolls back afterwards."""
    return async_sessionmaker(
        bind=session.bind, join_transaction_mode="create_savepoint", expire_on_commit=False
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class Inbox:
    """An aiosmtpd handler that keeps what it receives, or refuses with a given reply."""

    def __init__(self) -> None:
        self.received: list[tuple[list[str], bytes]] = []
        self.refusal: str | None = None
        self._lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.refusal is not None:
            return self.refusal
        with self._lock:
            self.received.append((list(envelope.rcpt_tos), bytes(envelope.original_content)))
        return "250 Message accepted for delivery"

    def messages(self) -> list[EmailMessage]:
        with self._lock:
            return [
                message_from_bytes(content, policy=policy.default)  # type: ignore[misc]
                for _, content in self.received
            ]


class SmtpServer:
    """A real SMTP server on a free port that a test can stop and start again."""

    def __init__(self) -> None:
        self.inbox = Inbox()
        self.port = free_port()
        self._controller: Controller | None = None

    def start(self) -> None:
        self._controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd's per-command chatter
    server = SmtpServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def smtp_settings(settings: Settings, smtp: SmtpServer) -> Settings:
    return settings.model_copy(
        update={"smtp_host": "127.0.0.1", "smtp_port": smtp.port, "smtp_starttls": False}
    )


@pytest.fixture
def smtp_worker(
    worker_sessions: async_sessionmaker[AsyncSession],
    smtp_settings: Settings,
    clock: FrozenClock,
) -> NotificationWorker:
    return NotificationWorker(
        worker_sessions, make_senders(smtp_settings, clock), clock=clock, settings=smtp_settings
    )


def make_worker(
    sessions: async_sessionmaker[AsyncSession],
    senders: Senders,
    settings: Settings,
    clock: FrozenClock,
) -> NotificationWorker:
    return NotificationWorker(sessions, senders, clock=clock, settings=settings)


@pytest.fixture
async def outbox_settings(settings: Settings, tmp_path: Any) -> AsyncIterator[Settings]:
    yield settings.model_copy(update={"data_dir": tmp_path, "smtp_host": None})
