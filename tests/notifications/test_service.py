"""app/notifications/service.py: who is told, how and when (R-NOTE-2), and the settings."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.errors import InvalidInput
from app.models import AuditEvent, Channel, Frequency, NotificationOutbox
from app.notifications import service as notifications
from app.settings import Settings
from tests.notifications.conftest import World
from tests.support.clock import FrozenClock
from tests.support.logins import citizen, employee

HOUR = timedelta(minutes=60)


async def _rows(session: AsyncSession, key: str) -> list[NotificationOutbox]:
    found = await session.scalars(
        select(NotificationOutbox)
        .where(NotificationOutbox.recipient == key)
        .order_by(NotificationOutbox.due_at)
        .execution_options(populate_existing=True)
    )
    return list(found)


async def _choose(
    session: AsyncSession,
    world: World,
    clock: FrozenClock,
    channel: Channel = Channel.EMAIL,
    frequency: Frequency = Frequency.AT_ONCE,
    *,
    email: str | None = "per@example.test",
    phone: str | None = None,
) -> notifications.NotificationChoice:
    return await notifications.save_settings(
        session, citizen(world.per), channel, frequency, email, phone, clock=clock
    )


async def _mark_sent(session: AsyncSession, key: str, at: datetime) -> None:
    await session.execute(
        update(NotificationOutbox)
        .where(NotificationOutbox.recipient == key)
        .values(sent_at=at)
        .execution_options(synchronize_session=False)
    )


async def test_r_note_2_at_once_is_one_notice_while_one_is_waiting(
    session: AsyncSession, world: World, clock: FrozenClock, settings: Settings
) -> None:
    await _choose(session, world, clock)
    await notifications.something_new(session, [world.per_key], clock=clock, settings=settings)
    clock.advance(timedelta(minutes=10))
    await notifications.something_new(session, [world.per_key], clock=clock, settings=settings)

    [row] = await _rows(session, world.per_key)
    assert row.channel is Channel.EMAIL and row.address == "per@example.test"
    assert row.due_at == clock.now() - timedelta(minutes=10)


async def test_r_note_2_at_most_one_an_hour_and_what_came_meanwhile_is_told_after_it(
    session: AsyncSession, world: World, clock: FrozenClock, settings: Settings
) -> None:
    await _choose(session, world, clock)
    first_at = clock.now()
    await notifications.something_new(session, [world.per_key], clock=clock, settings=settings)
    await _mark_sent(session, world.per_key, first_at)

    clock.advance(timedelta(minutes=30))
    await notifications.something_new(session, [world.per_key], clock=clock, settings=settings)
    clock.advance(timedelta(minutes=15))
    await notifications.something_new(session, [world.per_key], clock=clock, settings=settings)

    rows = await _rows(session, world.per_key)
    assert len(rows) == 2
    assert rows[1].sent_at is None and rows[1].due_at == first_at + HOUR


async def test_r_note_2_after_more_than_an_hour_a_new_notice_goes_at_once(
    session: AsyncSession, world: World, clock: FrozenClock, settings: Settings
) -> None:
    await _choose(session, world, clock)
    await notifications.something_new(session, [world.per_key], clock=clock, settings=settings)
    await _mark_sent(session, world.per_key, clock.now())

    clock.advance(timedelta(minutes=61))
    await notifications.something_new(session, [world.per_key], clock=clock, settings=settings)

    rows = await _rows(session, world.per_key)
    assert len(rows) == 2 and rows[1].due_at == clock.now()


async def test_the_interval_follows_the_setting(
    session: AsyncSession, world: World, clock: FrozenClock, settings: Settings
) -> None:
    every_ten = settings.model_copy(update={"notify_min_interval_minutes": 10})
    await _choose(session, world, clock)
    sent_at = clock.now()
    await notifications.something_new(session, [world.per_key], clock=clock, settings=every_ten)
    await _mark_sent(session, world.per_key, sent_at)
    clock.advance(timedelta(minutes=5))
    await notifications.something_new(session, [world.per_key], clock=clock, settings=every_ten)
    assert (await _rows(session, world.per_key))[1].due_at == sent_at + timedelta(minutes=10)


@pytest.mark.parametrize(
    ("now", "due"),
    [
        # 11:00 in Oslo, winter time: tomorrow at 07:00 CET.
        (datetime(2026, 11, 23, 10, 0, tzinfo=UTC), datetime(2026, 11, 24, 6, 0, tzinfo=UTC)),
        # 06:30 in Oslo: this morning.
        (datetime(2026, 11, 23, 5, 30, tzinfo=UTC), datetime(2026, 11, 23, 6, 0, tzinfo=UTC)),
        # 23:30 in Oslo (22:30 UTC): tomorrow morning.
        (datetime(2026, 11, 23, 22, 30, tzinfo=UTC), datetime(2026, 11, 24, 6, 0, tzinfo=UTC)),
        # Summer time: 07:00 CEST is 05:00 UTC.
        (datetime(2026, 6, 15, 12, 0, tzinfo=UTC), datetime(2026, 6, 16, 5, 0, tzinfo=UTC)),
        # The night summer time ends (25 October 2026): 07:00 CET that morning.
        (datetime(2026, 10, 24, 23, 0, tzinfo=UTC), datetime(2026, 10, 25, 6, 0, tzinfo=UTC)),
    ],
)
def test_the_daily_digest_is_due_at_the_next_seven_in_the_morning_in_oslo(
    now: datetime, due: datetime
) -> None:
    assert notifications.next_digest(now) == due


async def test_r_note_2_daily_is_one_notice_at_seven_however_much_is_new(
    session: AsyncSession, world: World, clock: FrozenClock, settings: Settings
) -> None:
    await _choose(session, world, clock, Channel.EMAIL, Frequency.DAILY)
    for _ in range(3):
        await notifications.something_new(session, [world.per_key], clock=clock, settings=settings)
        clock.advance(timedelta(hours=2))

    [row] = await _rows(session, world.per_key)
    assert row.due_at == datetime(2026, 11, 24, 6, 0, tzinfo=UTC)


async def test_channel_none_sends_nothing(
    session: AsyncSession, world: World, clock: FrozenClock, settings: Settings
) -> None:
    await _choose(session, world, clock, Channel.NONE)
    await notifications.something_new(session, [world.per_key], clock=clock, settings=settings)
    assert await _rows(session, world.per_key) == []


async def test_a_citizen_who_has_not_chosen_gets_nothing(
    session: AsyncSession, world: World, clock: FrozenClock, settings: Settings
) -> None:
    choice = await notifications.get_settings(session, citizen(world.per))
    assert choice == notifications.NotificationChoice(
        Channel.NONE, Frequency.AT_ONCE, None, None, chosen=False
    )
    await notifications.something_new(session, [world.per_key], clock=clock, settings=settings)
    assert await _rows(session, world.per_key) == []


async def test_staff_who_have_not_chosen_get_e_mail_at_once_to_their_work_address(
    session: AsyncSession, world: World, clock: FrozenClock, settings: Settings
) -> None:
    choice = await notifications.get_settings(session, employee(world.kari))
    assert choice.channel is Channel.EMAIL and choice.email == world.kari.email
    assert not choice.chosen
    await notifications.something_new(
        session, [world.kari_key, world.per_key, world.kari_key], clock=clock, settings=settings
    )
    [row] = await _rows(session, world.kari_key)
    assert row.address == world.kari.email and row.due_at == clock.now()


async def test_staff_without_a_work_address_get_nothing_until_they_choose(
    session: AsyncSession, world: World, clock: FrozenClock, settings: Settings
) -> None:
    world.kari.email = None
    await session.flush()
    assert (await notifications.get_settings(session, employee(world.kari))).channel is Channel.NONE
    await notifications.something_new(session, [world.kari_key], clock=clock, settings=settings)
    assert await _rows(session, world.kari_key) == []


async def test_sms_goes_to_the_number_in_its_stored_form(
    session: AsyncSession, world: World, clock: FrozenClock, settings: Settings
) -> None:
    choice = await _choose(session, world, clock, Channel.SMS, email=None, phone="912 34 567")
    assert choice.phone == "+4791234567" and choice.chosen
    await notifications.something_new(session, [world.per_key], clock=clock, settings=settings)
    [row] = await _rows(session, world.per_key)
    assert row.channel is Channel.SMS and row.address == "+4791234567"


async def test_saving_is_audited_and_drops_notices_for_the_old_address(
    session: AsyncSession, world: World, clock: FrozenClock, settings: Settings
) -> None:
    await _choose(session, world, clock)
    await notifications.something_new(session, [world.per_key], clock=clock, settings=settings)
    await _choose(session, world, clock, email="per.ny@example.test")
    await session.commit()

    assert await _rows(session, world.per_key) == []
    audited = (
        await session.scalars(
            select(AuditEvent).where(AuditEvent.action == "notification_settings.saved")
        )
    ).all()
    assert len(audited) == 2
    assert all(
        row.actor_person_id == world.per.id and row.plan_id is None and row.outcome == "allowed"
        for row in audited
    )
    stored = await notifications.get_settings(session, citizen(world.per))
    assert stored.email == "per.ny@example.test" and stored.chosen


@pytest.mark.parametrize(
    ("channel", "email", "phone", "code", "field"),
    [
        (Channel.EMAIL, None, None, "email_needed", "email"),
        (Channel.EMAIL, "  ", "91234567", "email_needed", "email"),
        (Channel.SMS, "per@example.test", "", "phone_needed", "phone"),
        (Channel.EMAIL, "per@", None, "bad_email", "email"),
        (Channel.NONE, None, "123", "bad_phone", "phone"),
    ],
)
async def test_settings_that_cannot_work_are_refused_with_the_field_named(
    session: AsyncSession,
    world: World,
    clock: FrozenClock,
    channel: Channel,
    email: str | None,
    phone: str | None,
    code: str,
    field: str,
) -> None:
    with pytest.raises(InvalidInput) as refused:
        await _choose(session, world, clock, channel, email=email, phone=phone)
    assert refused.value.error_code == code and refused.value.field == field


def test_check_finds_every_problem_at_once() -> None:
    checked = notifications.check(Channel.SMS, "not an address", "")
    assert [problem.field for problem in checked.problems] == ["email", "phone"]


async def test_r_note_2_the_database_keeps_one_waiting_notice_per_person(
    session: AsyncSession, world: World, clock: FrozenClock, settings: Settings
) -> None:
    # Two conversations telling one person at the same moment each see no notice waiting; the
    # partial unique index is what keeps the second out (something_new skips it on conflict).
    def notice(**extra: object) -> NotificationOutbox:
        values: dict[str, object] = {
            "recipient": world.per_key,
            "channel": Channel.EMAIL,
            "address": "per@example.test",
            "created_at": clock.now(),
            "due_at": clock.now(),
            "attempts": 0,
            **extra,
        }
        return NotificationOutbox(**values)

    session.add(notice(sent_at=clock.now()))  # sent ones may be many
    session.add(notice())
    await session.flush()
    with pytest.raises(IntegrityError):
        async with session.begin_nested():
            session.add(notice())
    await _choose(session, world, clock)
    await notifications.something_new(session, [world.per_key], clock=clock, settings=settings)
    waiting = [row for row in await _rows(session, world.per_key) if row.sent_at is None]
    assert len(waiting) == 1
