"""The owner's access log through the service (R-LOG-3, R-AGE-2), on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import event, select
from sqlalchemy.ext.asyncio import AsyncSession

from app import access
from app.access import Permission, Purpose
from app.access_log import service as access_log
from app.access_log.cursor import Cursor
from app.access_log.entry import Entry
from app.access_log.schemas import Shown
from app.errors import Forbidden, InvalidInput, NotFound
from app.models import AuditEvent, ShieldedItem
from tests.access_log.world import (
    World,
    give_youth_access,
    make_world,
    seal,
    shield,
    staff_actor,
    write_row,
)
from tests.support.clock import FrozenClock
from tests.support.logins import citizen


@pytest.fixture
async def w(session: AsyncSession, clock: FrozenClock) -> World:
    return await make_world(session, clock)


async def _whole_log(
    session: AsyncSession,
    w: World,
    clock: FrozenClock,
    *,
    person: str | None = None,
    since: date | None = None,
    until: date | None = None,
    outcome: Shown = Shown.ALLOWED,
    own: bool = False,
) -> list[Entry]:
    page = await access_log.entries(
        session,
        citizen(w.owner),
        w.plan.id,
        clock=clock,
        person=person,
        since=since,
        until=until,
        outcome=outcome,
        own=own,
        limit=200,
    )
    return list(page.entries)


async def test_r_log_3_owner_sees_reads_by_the_coordinator_with_name_and_unit(
    session: AsyncSession, clock: FrozenClock, w: World
) -> None:
    # Real decisions, audited by the access module itself.
    await access.require(
        session, staff_actor(w.coordinator), Permission.READ_LIFE_SITUATION, w.plan.id, clock=clock
    )
    await access.require(
        session, staff_actor(w.provider), Permission.READ_LIFE_SITUATION, w.plan.id, clock=clock
    )
    await seal(session)
    page = await access_log.entries(session, citizen(w.owner), w.plan.id, clock=clock)
    by_name = {entry.who.name: entry for entry in page.entries}
    coordinator = by_name["Ingrid Berg"]
    assert coordinator.who.kind == "employee"
    assert coordinator.who.units == ("Hjemmetjenesten",)
    assert coordinator.who.role == "coordinator"
    assert coordinator.what == "Read the life situation"
    assert not coordinator.refused and coordinator.purpose is None
    provider = by_name["Ola Hansen"]
    assert provider.who.units == ("Fysioterapitjenesten",)  # recorded with the decision
    assert provider.who.role == "service provider"
    assert {who.name for who in page.people} == {"Ingrid Berg", "Ola Hansen"}


async def test_r_log_3_own_rows_say_you_and_on_whose_behalf_is_named(
    session: AsyncSession, clock: FrozenClock, w: World
) -> None:
    await write_row(session, clock, w.plan, person=w.owner, action="see_plan", role="owner")
    clock.advance(timedelta(minutes=1))
    await write_row(
        session,
        clock,
        w.plan,
        person=w.representative,
        on_behalf_of=w.owner,
        action="grant.given",
        role="representative",
    )
    await seal(session)
    # The reader's own use is left out unless asked for, by the box or by choosing "you".
    assert [entry.who.name for entry in await _whole_log(session, w, clock)] == ["Liv Mikkelsen"]
    mine = await _whole_log(session, w, clock, person=f"p:{w.owner.id}")
    assert [entry.who.kind for entry in mine] == ["you"]
    newest, oldest = await _whole_log(session, w, clock, own=True)
    assert newest.who.name == "Liv Mikkelsen" and newest.who.role == "power of attorney"
    assert newest.on_behalf_of_you and newest.on_behalf_of is None
    assert newest.what == "Gave access to part of the plan"
    assert oldest.who.kind == "you" and oldest.who.name is None
    assert oldest.what == "Opened the plan"


async def test_r_log_3_unknown_actions_are_plain_words_never_codes(
    session: AsyncSession, clock: FrozenClock, w: World
) -> None:
    await write_row(session, clock, w.plan, staff=w.coordinator, action="thread.reindexed_v2")
    await write_row(session, clock, w.plan, action="plan.migrated")  # no actor: Samplan itself
    await seal(session)
    entries = await _whole_log(session, w, clock)
    assert {entry.what for entry in entries} == {"Used the plan"}
    assert {entry.who.kind for entry in entries} == {"employee", "system"}


async def test_r_log_3_filter_by_person(
    session: AsyncSession, clock: FrozenClock, w: World
) -> None:
    await write_row(session, clock, w.plan, staff=w.coordinator)
    await write_row(session, clock, w.plan, person=w.relative, role="relative")
    await write_row(session, clock, w.plan, person=w.owner)
    await seal(session)
    coordinator = await _whole_log(session, w, clock, person=f"e:{w.coordinator.id}")
    assert [entry.who.name for entry in coordinator] == ["Ingrid Berg"]
    relative = await _whole_log(session, w, clock, person=f"p:{w.relative.id}")
    assert [entry.who.name for entry in relative] == ["Rita Mikkelsen"]
    assert relative[0].who.role == "family member or support person"
    nobody = await _whole_log(session, w, clock, person=f"p:{uuid.uuid4()}")
    assert nobody == []
    page = await access_log.entries(session, citizen(w.owner), w.plan.id, clock=clock)
    assert [who.kind for who in page.people] == ["you", "employee", "person"]
    for bad in ("x:" + str(uuid.uuid4()), "p:not-a-uuid", "e:"):
        with pytest.raises(InvalidInput):
            await _whole_log(session, w, clock, person=bad)


async def test_r_log_3_filter_by_period_in_oslo_dates_with_until_inclusive(
    session: AsyncSession, clock: FrozenClock, w: World
) -> None:
    # 22:30 UTC on 19 November is 23:30 in Oslo: still the 19th there.
    for moment in (
        datetime(2026, 11, 18, 12, 0, tzinfo=UTC),
        datetime(2026, 11, 19, 22, 30, tzinfo=UTC),
        datetime(2026, 11, 19, 23, 30, tzinfo=UTC),  # 00:30 on the 20th in Oslo
        datetime(2026, 11, 21, 9, 0, tzinfo=UTC),
    ):
        clock.set(moment)
        await write_row(session, clock, w.plan, staff=w.coordinator)
    await seal(session)
    clock.set(datetime(2026, 11, 23, 10, 0, tzinfo=UTC))
    day_19 = await _whole_log(session, w, clock, since=date(2026, 11, 19), until=date(2026, 11, 19))
    assert [entry.occurred_at.hour for entry in day_19] == [22]
    from_20 = await _whole_log(session, w, clock, since=date(2026, 11, 20))
    assert len(from_20) == 2
    until_19 = await _whole_log(session, w, clock, until=date(2026, 11, 19))
    assert len(until_19) == 2
    wide = await _whole_log(session, w, clock, since=date(1, 1, 1), until=date.max)
    assert len(wide) == 4
    with pytest.raises(InvalidInput):
        await _whole_log(session, w, clock, since=date(2026, 11, 20), until=date(2026, 11, 19))


async def _fill(session: AsyncSession, clock: FrozenClock, w: World, count: int) -> None:
    """`count` rows, three at a time sharing a timestamp, so the id must break the ties."""
    clock.set(datetime(2026, 10, 1, 8, 0, tzinfo=UTC))
    for number in range(count):
        if number % 3 == 0:
            clock.advance(timedelta(minutes=7))
        await write_row(session, clock, w.plan, staff=w.coordinator)
    await seal(session)
    clock.set(datetime(2026, 11, 23, 10, 0, tzinfo=UTC))


async def test_r_log_3_keyset_pages_through_120_rows_without_duplicates_or_gaps(
    session: AsyncSession, clock: FrozenClock, w: World
) -> None:
    await _fill(session, clock, w, 120)
    expected = (
        (
            await session.execute(
                select(AuditEvent.id)
                .where(AuditEvent.plan_id == w.plan.id)
                .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
            )
        )
        .scalars()
        .all()
    )
    assert len(expected) == 120
    owner = citizen(w.owner)
    seen: list[uuid.UUID] = []
    sizes = []
    cursor = None
    pages = []
    while True:
        page = await access_log.entries(session, owner, w.plan.id, clock=clock, after=cursor)
        pages.append(page)
        sizes.append(len(page.entries))
        seen.extend(entry.id for entry in page.entries)
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert sizes == [50, 50, 20]
    assert seen == list(expected)  # every row once, newest first
    assert pages[0].newer_cursor is None and pages[2].newer_cursor is not None
    # And back again with the newer cursors.
    back: list[uuid.UUID] = []
    before = pages[2].newer_cursor
    while before is not None:
        page = await access_log.entries(session, owner, w.plan.id, clock=clock, before=before)
        back = [entry.id for entry in page.entries] + back
        before = page.newer_cursor
    assert back == list(expected[:100])


async def test_r_log_3_a_malformed_cursor_is_invalid_input(
    session: AsyncSession, clock: FrozenClock, w: World
) -> None:
    good = Cursor(datetime(2026, 11, 1, tzinfo=UTC), uuid.uuid4()).encode()
    assert Cursor.decode(good).occurred_at == datetime(2026, 11, 1, tzinfo=UTC)
    for bad in ("not a cursor", "%%%", "MjAyNg", "w6bDuMOl", good[:-3], "é"):
        with pytest.raises(InvalidInput) as raised:
            await access_log.entries(session, citizen(w.owner), w.plan.id, clock=clock, after=bad)
        assert raised.value.error_code == "invalid_cursor"
    with pytest.raises(InvalidInput):
        await access_log.entries(
            session, citizen(w.owner), w.plan.id, clock=clock, after=good, before=good
        )
    with pytest.raises(InvalidInput):
        await access_log.entries(session, citizen(w.owner), w.plan.id, clock=clock, limit=0)


async def test_r_log_3_an_employee_of_another_municipality_is_told_not_found(
    session: AsyncSession, clock: FrozenClock, w: World
) -> None:
    with pytest.raises(NotFound):
        await access_log.entries(session, staff_actor(w.elsewhere), w.plan.id, clock=clock)
    with pytest.raises(NotFound):
        await access_log.entries(
            session, staff_actor(w.elsewhere), w.plan.id, clock=clock, purpose=Purpose.AUDIT_DUTY
        )


@pytest.mark.parametrize("who", ["provider", "coordinator", "relative"])
async def test_r_log_3_providers_coordinators_and_relatives_with_grants_are_forbidden(
    session: AsyncSession, clock: FrozenClock, w: World, who: str
) -> None:
    actor = {
        "provider": staff_actor(w.provider),
        "coordinator": staff_actor(w.coordinator),
        "relative": citizen(w.relative),
    }[who]
    with pytest.raises(Forbidden):
        await access_log.entries(session, actor, w.plan.id, clock=clock)


async def test_r_log_3_the_ke_reads_only_for_audit_duty_and_the_owner_sees_it_as_such(
    session: AsyncSession, clock: FrozenClock, w: World
) -> None:
    ke = staff_actor(w.ke)
    with pytest.raises(Forbidden):
        await access_log.entries(session, ke, w.plan.id, clock=clock)
    with pytest.raises(Forbidden):
        await access_log.entries(session, ke, w.plan.id, clock=clock, purpose=Purpose.CASE)
    await access_log.entries(session, ke, w.plan.id, clock=clock, purpose=Purpose.AUDIT_DUTY)
    await seal(session)
    entries = await _whole_log(session, w, clock)
    control = [entry for entry in entries if entry.who.name == "Kari Nordmann"]
    assert len(control) == 1  # the refusals are in the other view
    read = control[0]
    assert read.what == "Read the access log"
    assert read.purpose == "As part of the coordinating unit's control duty"
    assert read.who.units == ("Koordinerende enhet",) and read.who.role is None  # said once
    refused = await _whole_log(session, w, clock, outcome=Shown.DENIED)
    assert [entry.who.name for entry in refused] == ["Kari Nordmann", "Kari Nordmann"]
    assert all(entry.refused and entry.purpose is None for entry in refused)


async def test_r_log_3_refused_attempts_are_a_view_of_their_own(
    session: AsyncSession, clock: FrozenClock, w: World
) -> None:
    with pytest.raises(NotFound):
        await access.require(
            session, staff_actor(w.elsewhere), Permission.SEE_PLAN, w.plan.id, clock=clock
        )
    with pytest.raises(Forbidden):
        await access.require(
            session, citizen(w.relative), Permission.MANAGE_GRANTS, w.plan.id, clock=clock
        )
    await write_row(session, clock, w.plan, staff=w.coordinator)
    await seal(session)
    allowed = await _whole_log(session, w, clock)
    assert [entry.who.name for entry in allowed] == ["Ingrid Berg"]
    refused = await _whole_log(session, w, clock, outcome=Shown.DENIED)
    # An outsider who may not even know the plan exists is shown too, with their unit.
    assert {(entry.who.name, entry.who.units, entry.what) for entry in refused} == {
        ("Rita Mikkelsen", (), "Changed who has access"),
        ("Bente Borg", ("Andrevik KE",), "Opened the plan"),
    }
    assert all(entry.refused for entry in refused)


async def test_r_age_2_a_guardian_of_a_14_year_old_sees_no_rows_about_a_shielded_item(
    session: AsyncSession, clock: FrozenClock, w: World
) -> None:
    hidden_goal, open_goal = uuid.uuid4(), uuid.uuid4()
    await shield(session, clock, w.youth_plan, hidden_goal)
    await write_row(session, clock, w.youth_plan, staff=w.coordinator, item_id=open_goal)
    await write_row(session, clock, w.youth_plan, staff=w.provider, item_id=hidden_goal)
    await write_row(session, clock, w.youth_plan, person=w.youth, item_id=hidden_goal)
    await seal(session)
    guardian = citizen(w.youth_guardian, acting_for=w.youth)
    page = await access_log.entries(session, guardian, w.youth_plan.id, clock=clock)
    assert [entry.who.name for entry in page.entries] == ["Ingrid Berg"]
    assert page.hidden_shielded
    # Nobody who only touched the shielded item is even in the list of people.
    assert [who.name for who in page.people] == ["Ingrid Berg"]
    # Narrowing the period does not tell when the hidden rows were written.
    quiet = await access_log.entries(
        session,
        guardian,
        w.youth_plan.id,
        clock=clock,
        since=date(2020, 1, 1),
        until=date(2020, 1, 2),
    )
    assert quiet.entries == [] and quiet.hidden_shielded
    # The young person (with youth access) sees their own plan's log in full.
    await give_youth_access(session, clock, w)
    own = await access_log.entries(
        session, citizen(w.youth), w.youth_plan.id, clock=clock, own=True
    )
    assert len(own.entries) == 3 and not own.hidden_shielded


async def test_r_age_2_no_note_when_nothing_is_held_back_and_none_once_shielding_ends(
    session: AsyncSession, clock: FrozenClock, w: World
) -> None:
    goal = uuid.uuid4()
    await write_row(session, clock, w.youth_plan, staff=w.coordinator, item_id=goal)
    await seal(session)
    guardian = citizen(w.youth_guardian, acting_for=w.youth)
    page = await access_log.entries(session, guardian, w.youth_plan.id, clock=clock)
    assert len(page.entries) == 1 and not page.hidden_shielded
    await shield(session, clock, w.youth_plan, goal)
    page = await access_log.entries(session, guardian, w.youth_plan.id, clock=clock)
    assert page.entries == [] and page.hidden_shielded
    shielded = await session.scalar(select(ShieldedItem))
    assert shielded is not None
    shielded.ended_at = clock.now()
    await session.flush()
    page = await access_log.entries(session, guardian, w.youth_plan.id, clock=clock)
    assert len(page.entries) == 1 and not page.hidden_shielded


async def test_r_age_2_a_guardian_of_a_9_year_old_sees_every_row(
    session: AsyncSession, clock: FrozenClock, w: World
) -> None:
    goal = uuid.uuid4()
    await shield(session, clock, w.child_plan, goal)  # not a tier that can shield; no effect
    await write_row(session, clock, w.child_plan, staff=w.coordinator, item_id=goal)
    await write_row(session, clock, w.child_plan, person=w.child_guardian, on_behalf_of=w.child)
    await seal(session)
    guardian = citizen(w.child_guardian, acting_for=w.child)
    page = await access_log.entries(session, guardian, w.child_plan.id, clock=clock, own=True)
    assert len(page.entries) == 2 and not page.hidden_shielded
    mine = next(entry for entry in page.entries if entry.who.kind == "you")
    assert mine.on_behalf_of == "Emma Solberg" and not mine.on_behalf_of_you


@contextmanager
def _counting(connection: object) -> Iterator[list[str]]:
    statements: list[str] = []

    def count(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE")):
            statements.append(statement)

    event.listen(connection, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(connection, "before_cursor_execute", count)


async def test_r_log_3_a_page_costs_the_same_queries_for_1_and_50_entries(
    session: AsyncSession, clock: FrozenClock, w: World
) -> None:
    """quality.md P8: names and units are joined once per page, never per row."""
    connection = (await session.connection()).sync_connection
    await write_row(session, clock, w.plan, staff=w.coordinator)
    await seal(session)
    session.expunge_all()
    with _counting(connection) as one:
        page = await access_log.entries(session, citizen(w.owner), w.plan.id, clock=clock)
    assert len(page.entries) == 1
    await _fill(session, clock, w, 49)
    for member in (w.provider, w.ke):
        await write_row(session, clock, w.plan, staff=member)
    await write_row(session, clock, w.plan, person=w.relative, on_behalf_of=w.owner)
    await seal(session)
    session.expunge_all()
    with _counting(connection) as many:
        page = await access_log.entries(session, citizen(w.owner), w.plan.id, clock=clock)
    assert len(page.entries) == 50
    assert len(many) == len(one), many
    assert len(one) <= 8, one  # decision (3-4), people, units, page
