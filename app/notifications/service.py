"""Who is told that something is new, how, and when (R-NOTE-2).

`something_new` runs in the transaction of whatever caused it (a new message) and only writes
outbox rows; the worker sends them. Defaults, until a person has chosen: staff get e-mail at
once to the work address Samplan has for them; citizens get nothing, because Samplan has no
address for them until they give one on the settings page.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from sqlalchemy import ColumnElement, delete, or_, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from app.access import Actor, audit
from app.clock import OSLO, Clock
from app.db import insert_on_conflict
from app.errors import InvalidInput
from app.i18n import gettext_noop
from app.idempotency.service import actor_key
from app.models import Channel, Employee, Frequency, NotificationOutbox, NotificationSetting
from app.models.messaging import WAITING
from app.notifications.addresses import parse_email, parse_phone
from app.settings import Settings

DIGEST_AT = time(7, 0)  # the daily digest goes out at 07:00 Norwegian time
EMAIL_NEEDED = gettext_noop("Write the e-mail address we should send the notice to.")
PHONE_NEEDED = gettext_noop("Write the mobile number we should send the text message to.")
SMS_UNAVAILABLE = gettext_noop(
    "This service does not send text messages. Choose e-mail, or no notices."
)
EMPLOYEE_PREFIX = "employee:"


@dataclass(frozen=True)
class NotificationChoice:
    channel: Channel
    frequency: Frequency
    email: str | None
    phone: str | None
    chosen: bool  # False: nothing saved yet, these are the defaults

    @property
    def address(self) -> str | None:
        """Where a notice goes now; None means nowhere."""
        if self.channel is Channel.EMAIL:
            return self.email
        if self.channel is Channel.SMS:
            return self.phone
        return None


@dataclass(frozen=True)
class Checked:
    """A settings form read as values, with every problem found (so a form can show them all)."""

    email: str | None
    phone: str | None
    problems: tuple[InvalidInput, ...]


def check(
    channel: Channel, email: str | None, phone: str | None, *, sms_available: bool = True
) -> Checked:
    problems: list[InvalidInput] = []
    if channel is Channel.SMS and not sms_available:
        problems.append(InvalidInput(SMS_UNAVAILABLE, code="sms_unavailable", field="channel"))
    parsed_email = parsed_phone = None
    if email and email.strip():
        try:
            parsed_email = parse_email(email)
        except InvalidInput as problem:
            problems.append(problem)
    elif channel is Channel.EMAIL:
        problems.append(InvalidInput(EMAIL_NEEDED, code="email_needed", field="email"))
    if phone and phone.strip():
        try:
            parsed_phone = parse_phone(phone)
        except InvalidInput as problem:
            problems.append(problem)
    elif channel is Channel.SMS:
        problems.append(InvalidInput(PHONE_NEEDED, code="phone_needed", field="phone"))
    return Checked(parsed_email, parsed_phone, tuple(problems))


async def get_settings(session: AsyncSession, actor: Actor) -> NotificationChoice:
    """The logged-in person's own choice (never that of someone they act for)."""
    choices = await _choices(session, [actor_key(actor)])
    return choices[actor_key(actor)]


async def save_settings(
    session: AsyncSession,
    actor: Actor,
    channel: Channel,
    frequency: Frequency,
    email: str | None,
    phone: str | None,
    *,
    clock: Clock,
    sms_available: bool = True,
) -> NotificationChoice:
    """Store the person's choice. Raises InvalidInput (with `field`) for an address that cannot
    be one, or a channel without its address."""
    checked = check(channel, email, phone, sms_available=sms_available)
    if checked.problems:
        raise checked.problems[0]
    key = actor_key(actor)
    stored = await session.get(NotificationSetting, key)
    if stored is None:
        stored = NotificationSetting(recipient=key)
        session.add(stored)
    stored.channel, stored.frequency = channel, frequency
    stored.email, stored.phone = checked.email, checked.phone
    stored.updated_at = clock.now()
    # Notices still waiting were for the old address or channel. The person is logged in right
    # now, so they need no notice of what is already waiting for them.
    await session.execute(delete(NotificationOutbox).where(*_pending(key)))
    await audit.record(
        session,
        action="notification_settings.saved",
        outcome="allowed",
        clock=clock,
        municipality_id=actor.municipality_id,
        actor_person_id=actor.person_id,
        actor_employee_id=actor.employee_id,
    )
    await session.flush()
    return _from_stored(stored)


async def something_new(
    session: AsyncSession, recipients: Iterable[str], *, clock: Clock, settings: Settings
) -> None:
    """Something new has arrived for these recipient keys ("person:<id>", "employee:<id>").

    At once: one notice now, or, if one went out less than `notify_min_interval_minutes` ago,
    one when that time is up, so nobody gets more than one in that time and nothing new goes
    untold. Daily: one notice at the next 07:00 in Oslo. A notice still waiting already says
    "something new", so no second one is added.
    """
    keys = list(dict.fromkeys(recipients))
    if not keys:
        return
    now = clock.now()
    interval = timedelta(minutes=settings.notify_min_interval_minutes)
    choices = await _choices(session, keys)
    recent = await session.execute(
        select(NotificationOutbox.recipient, NotificationOutbox.sent_at).where(
            NotificationOutbox.recipient.in_(keys),
            NotificationOutbox.given_up_at.is_(None),
            or_(NotificationOutbox.sent_at.is_(None), NotificationOutbox.sent_at > now - interval),
        )
    )
    waiting: set[str] = set()
    last_sent: dict[str, datetime] = {}
    for recipient, sent_at in recent:
        if sent_at is None:
            waiting.add(recipient)
        elif recipient not in last_sent or sent_at > last_sent[recipient]:
            last_sent[recipient] = sent_at
    queued: list[dict[str, object]] = []
    for key in keys:
        choice = choices[key]
        address = choice.address
        if address is None or key in waiting:
            continue
        if choice.frequency is Frequency.DAILY:
            due = next_digest(now)
        else:
            due = max(now, last_sent[key] + interval) if key in last_sent else now
        queued.append(
            {
                "id": uuid.uuid4(),
                "recipient": key,
                "channel": choice.channel,
                "address": address,
                "created_at": now,
                "due_at": due,
                "attempts": 0,
            }
        )
    if queued:
        # Another conversation may have queued one for the same person a moment ago: the
        # unique index on waiting notices keeps one, and this one is left out.
        await session.execute(
            insert_on_conflict(session, NotificationOutbox)
            .values(queued)
            .on_conflict_do_nothing(index_elements=["recipient"], index_where=text(WAITING))
        )


def next_digest(now: datetime) -> datetime:
    """The next 07:00 in Europe/Oslo (summer or winter time), as UTC."""
    local = now.astimezone(OSLO)
    digest = datetime.combine(local.date(), DIGEST_AT, tzinfo=OSLO)
    if digest < local:
        digest = datetime.combine(local.date() + timedelta(days=1), DIGEST_AT, tzinfo=OSLO)
    return digest.astimezone(UTC)


def _pending(key: str) -> tuple[ColumnElement[bool], ...]:
    return (
        NotificationOutbox.recipient == key,
        NotificationOutbox.sent_at.is_(None),
        NotificationOutbox.given_up_at.is_(None),
    )


async def _choices(session: AsyncSession, keys: list[str]) -> dict[str, NotificationChoice]:
    stored = await session.scalars(
        select(NotificationSetting).where(NotificationSetting.recipient.in_(keys))
    )
    choices = {setting.recipient: _from_stored(setting) for setting in stored}
    staff_ids = [
        uuid.UUID(key.removeprefix(EMPLOYEE_PREFIX))
        for key in keys
        if key.startswith(EMPLOYEE_PREFIX) and key not in choices
    ]
    work_addresses: dict[uuid.UUID, str | None] = {}
    if staff_ids:
        rows = await session.execute(
            select(Employee.id, Employee.email).where(Employee.id.in_(staff_ids))
        )
        work_addresses = {row.id: row.email for row in rows}
    for key in keys:
        if key in choices:
            continue
        if key.startswith(EMPLOYEE_PREFIX):
            email = work_addresses.get(uuid.UUID(key.removeprefix(EMPLOYEE_PREFIX)))
            channel = Channel.EMAIL if email else Channel.NONE
            choices[key] = NotificationChoice(channel, Frequency.AT_ONCE, email, None, False)
        else:
            choices[key] = NotificationChoice(Channel.NONE, Frequency.AT_ONCE, None, None, False)
    return choices


def _from_stored(setting: NotificationSetting) -> NotificationChoice:
    return NotificationChoice(
        setting.channel, setting.frequency, setting.email, setting.phone, chosen=True
    )
