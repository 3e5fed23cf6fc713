"""The timeline: every change, newest first, page by page without gaps or repeats; filters; and
only the parts the reader may read."""

from __future__ import annotations

import base64
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from app.actions import service as actions
from app.errors import InvalidInput, NotFound
from app.goals import service as goals
from app.life_situation import service as life
from app.models import Contributor
from app.plan_frame import service as frame
from app.timeline import service as timeline
from tests.consents.world import citizen
from tests.plan_content.plan_world import (
    READ_LIFE,
    PlanWorld,
    home_visit,
    invite_relative,
    nurse_may_write,
    timeline_rows,
)
from tests.support.clock import FrozenClock


async def _a_bit_of_everything(session: AsyncSession, world: PlanWorld, clock: FrozenClock) -> None:
    """Own words, a goal, an action with a note and a comment, and a contribution."""
    plan_id = world.plan_id
    await life.write_own_words(
        session,
        world.owner,
        plan_id,
        life.OwnWords(needs="Hjelp"),
        seen_version=None,
        clock=clock,
    )
    clock.advance(timedelta(minutes=1))
    goal = await goals.propose_goal(
        session, world.owner, plan_id, goals.GoalInput("Gå tur"), clock=clock
    )
    clock.advance(timedelta(minutes=1))
    visit = await actions.create_action(
        session, world.coordinator, plan_id, home_visit(world, goal_ids=(goal.id,)), clock=clock
    )
    await actions.add_note(session, world.coordinator, plan_id, visit.id, "Gjort", clock=clock)
    await actions.add_note(session, world.owner, plan_id, visit.id, "Takk", clock=clock)
    await frame.add_contribution(
        session,
        world.owner,
        plan_id,
        frame.ContributionInput(Contributor.OWNER, "Mat"),
        clock=clock,
    )


async def test_timeline_pages_through_75_entries_without_gaps_or_repeats(
    session: AsyncSession, world: PlanWorld, clock: FrozenClock
) -> None:
    for n in range(75):
        if n % 4 == 0:  # some in the same instant, some apart
            clock.advance(timedelta(seconds=1))
        await goals.propose_goal(
            session, world.owner, world.plan_id, goals.GoalInput(f"Mål {n}"), clock=clock
        )
    stored = await timeline_rows(session, world.plan_id)
    newest_first = [e.id for e in reversed(stored)]
    seen, cursor, pages = [], None, 0
    while True:
        page = await timeline.page(
            session, world.owner, world.plan_id, clock=clock, before=cursor, limit=10
        )
        seen += [view.entry.id for view in page.entries]
        pages += 1
        cursor = page.next_cursor
        if cursor is None:
            break
    assert pages == 8 and len(seen) == 75 and seen == newest_first
    assert [v.entry.changes["text"][1] for v in page.entries] == [
        f"Mål {n}" for n in range(4, -1, -1)
    ]


async def test_timeline_page_size_is_kept_within_bounds(
    session: AsyncSession, world: PlanWorld, clock: FrozenClock
) -> None:
    for n in range(3):
        await goals.propose_goal(
            session, world.owner, world.plan_id, goals.GoalInput(f"Mål {n}"), clock=clock
        )
    one = await timeline.page(session, world.owner, world.plan_id, clock=clock, limit=0)
    assert len(one.entries) == 1 and one.next_cursor is not None
    everything = await timeline.page(session, world.owner, world.plan_id, clock=clock, limit=10**6)
    assert len(everything.entries) == 3 and everything.next_cursor is None


@pytest.mark.parametrize(
    "cursor",
    [
        "not base64 at all!",
        base64.urlsafe_b64encode(b"2026-11-23T10:00:00+00:00").decode(),
        base64.urlsafe_b64encode(b"yesterday|00000000-0000-0000-0000-000000000000").decode(),
        base64.urlsafe_b64encode(b"2026-11-23T10:00:00+00:00|not-a-uuid").decode(),
        base64.urlsafe_b64encode(b"\xff\xfe|\xff").decode(),
        # A moment without a time zone: the database refuses naive datetimes.
        base64.urlsafe_b64encode(b"2026-11-23T10:00:00|00000000-0000-0000-0000-000000000000")
        .decode()
        .rstrip("="),
        "æøå",
    ],
)
async def test_timeline_a_bad_cursor_is_refused(
    session: AsyncSession, world: PlanWorld, clock: FrozenClock, cursor: str
) -> None:
    with pytest.raises(InvalidInput) as error:
        await timeline.page(session, world.owner, world.plan_id, clock=clock, before=cursor)
    assert (error.value.error_code, error.value.field) == ("bad_cursor", "before")


async def test_timeline_filters_by_kind_and_person(
    session: AsyncSession, world: PlanWorld, clock: FrozenClock
) -> None:
    await _a_bit_of_everything(session, world, clock)

    async def kinds(**filters: object) -> list[str]:
        page = await timeline.page(
            session,
            world.owner,
            world.plan_id,
            clock=clock,
            filters=timeline.TimelineFilter(**filters),  # type: ignore[arg-type]
        )
        return [view.entry.kind for view in page.entries]

    assert await kinds(kinds=("goals",)) == ["goal.added"]
    assert await kinds(kinds=("notes",)) == ["note.comment", "note.progress"]
    assert await kinds(kinds=("actions", "own_words")) == ["action.added", "life_situation.written"]
    assert await kinds(kinds=("frame",)) == ["contribution.added"]
    assert await kinds(kinds=("people",)) == []
    owner_key = f"person:{world.base.owner.id}"
    coordinator_key = f"employee:{world.base.coordinator.id}"
    assert await kinds(person=coordinator_key) == ["note.progress", "action.added"]
    assert await kinds(person=owner_key, kinds=("notes",)) == ["note.comment"]
    assert await kinds(person="person:not-an-id") == []
    assert await kinds(person=f"employee:{world.base.owner.id}") == []
    page = await timeline.page(session, world.owner, world.plan_id, clock=clock)
    assert page.people == sorted(
        [(owner_key, world.base.owner.display_name), (coordinator_key, "Kim Koordinator")],
        key=lambda pair: pair[1],
    )
    # The coordinator writes on home care's action as herself, not as home care.
    [note] = [v for v in page.entries if v.entry.kind == "note.progress"]
    assert (note.who, note.unit) == ("Kim Koordinator", None)


async def test_timeline_names_the_unit_an_employee_writes_for(
    session: AsyncSession, world: PlanWorld, clock: FrozenClock
) -> None:
    """The nurse takes part for home care: her action and note carry it, on the timeline and on
    the note. The coordinator's entries on the same action carry no unit of hers."""
    await nurse_may_write(session, world, clock)
    action = await actions.create_action(
        session, world.nurse, world.plan_id, home_visit(world), clock=clock
    )
    nurses = await actions.add_note(
        session, world.nurse, world.plan_id, action.id, "Gikk bra", clock=clock
    )
    coordinators = await actions.add_note(
        session, world.coordinator, world.plan_id, action.id, "Fulgt opp", clock=clock
    )
    assert nurses.author_unit_id == world.base.home_care.id
    assert coordinators.author_unit_id is None
    page = await timeline.page(session, world.owner, world.plan_id, clock=clock)
    shown = {(v.entry.kind, v.who, v.unit) for v in page.entries}
    assert ("action.added", "Nils Sykepleier", "Hjemmetjenesten") in shown
    assert ("note.progress", "Nils Sykepleier", "Hjemmetjenesten") in shown
    assert ("note.progress", "Kim Koordinator", None) in shown


async def test_timeline_filters_by_oslo_dates(
    session: AsyncSession, world: PlanWorld, clock: FrozenClock
) -> None:
    moments = {
        "late on the 23rd": datetime(2026, 11, 23, 22, 59, tzinfo=UTC),  # 23:59 in Oslo
        "early on the 24th": datetime(2026, 11, 23, 23, 1, tzinfo=UTC),  # 00:01 in Oslo
        "the 25th": datetime(2026, 11, 25, 9, 0, tzinfo=UTC),
    }
    for text, moment in moments.items():
        clock.set(moment)
        await goals.propose_goal(
            session, world.owner, world.plan_id, goals.GoalInput(text), clock=clock
        )

    async def texts(since: date | None, until: date | None) -> list[str]:
        page = await timeline.page(
            session,
            world.owner,
            world.plan_id,
            clock=clock,
            filters=timeline.TimelineFilter(since=since, until=until),
        )
        return [view.entry.changes["text"][1] for view in page.entries]

    d23, d24, d25 = date(2026, 11, 23), date(2026, 11, 24), date(2026, 11, 25)
    assert await texts(None, d23) == ["late on the 23rd"]
    assert await texts(d24, None) == ["the 25th", "early on the 24th"]
    assert await texts(d24, d24) == ["early on the 24th"]
    assert await texts(d23, d25) == ["the 25th", "early on the 24th", "late on the 23rd"]
    with pytest.raises(InvalidInput) as error:
        await texts(d25, d24)
    assert error.value.field == "until"


async def test_timeline_a_reader_without_notes_sees_no_note_entries(
    session: AsyncSession, world: PlanWorld, clock: FrozenClock
) -> None:
    await invite_relative(session, world, clock, READ_LIFE)
    await _a_bit_of_everything(session, world, clock)
    today = clock.now().date()
    await frame.set_dates(
        session,
        world.coordinator,
        world.plan_id,
        frame.PlanDates(today, today + timedelta(days=99), today),
        seen_version=None,
        clock=clock,
    )
    page = await timeline.page(session, world.relative, world.plan_id, clock=clock)
    assert [v.entry.kind for v in page.entries] == ["plan.dates", "life_situation.written"]
    assert page.people == sorted(
        [
            (f"person:{world.base.owner.id}", world.base.owner.display_name),
            (f"employee:{world.base.coordinator.id}", "Kim Koordinator"),
        ],
        key=lambda pair: pair[1],
    )
    notes = await timeline.page(
        session,
        world.relative,
        world.plan_id,
        clock=clock,
        filters=timeline.TimelineFilter(kinds=("notes",)),
    )
    assert notes.entries == []
    everything = await timeline_rows(session, world.plan_id)
    live = await timeline.entries_after(
        session, world.relative, world.plan_id, [e.id for e in everything], clock=clock
    )
    assert [v.entry.kind for v in live] == ["life_situation.written", "plan.dates"]
    for_owner = await timeline.entries_after(
        session, world.owner, world.plan_id, [e.id for e in everything], clock=clock
    )
    assert [v.entry.id for v in for_owner] == [e.id for e in everything]


async def test_timeline_is_for_those_who_may_see_the_plan(
    session: AsyncSession, world: PlanWorld, clock: FrozenClock
) -> None:
    for outsider in (citizen(world.base.stranger), world.nurse):
        with pytest.raises(NotFound):
            await timeline.page(session, outsider, world.plan_id, clock=clock)
