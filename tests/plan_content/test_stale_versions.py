"""R-SAFE-2: a save made on top of a version that is no longer current is refused, and what is
stored stays as the other person left it."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.exc import StaleDataError

from app import schema
from app.actions import service as actions
from app.clock import today_in_oslo
from app.db import make_engine, make_sessionmaker
from app.errors import StaleVersion
from app.goals import service as goals
from app.life_situation import service as life
from app.models import (
    ActionStatus,
    Contributor,
    Goal,
    GoalStatus,
    LifeSituation,
    ReviewAssessment,
)
from app.plan_frame import service as frame
from app.settings import Settings
from tests.plan_content.plan_world import PlanWorld, home_visit, make_plan_world, timeline_rows
from tests.support import databases
from tests.support.clock import FrozenClock


async def _refused(work: object, current: int) -> None:
    assert asyncio.iscoroutine(work)
    with pytest.raises(StaleVersion) as error:
        await work
    assert error.value.current_version == current and error.value.status == 409


async def test_r_safe_2_stale_goal_changes_are_refused(
    session: AsyncSession, world: PlanWorld, clock: FrozenClock
) -> None:
    goal = await goals.propose_goal(
        session, world.owner, world.plan_id, goals.GoalInput("Gå tur"), clock=clock
    )
    seen = goal.version
    await goals.change_goal(
        session,
        world.owner,
        world.plan_id,
        goal.id,
        goals.GoalChange("Gå lang tur"),
        seen_version=seen,
        clock=clock,
    )
    entries = len(await timeline_rows(session, world.plan_id))
    await _refused(
        goals.change_goal(
            session,
            world.owner,
            world.plan_id,
            goal.id,
            goals.GoalChange("Symje"),
            seen_version=seen,
            clock=clock,
        ),
        current=2,
    )
    await _refused(
        goals.set_goal_status(
            session,
            world.owner,
            world.plan_id,
            goal.id,
            GoalStatus.ACTIVE,
            seen_version=seen,
            clock=clock,
        ),
        current=2,
    )
    await session.refresh(goal)
    assert (goal.text, goal.status, goal.version) == ("Gå lang tur", GoalStatus.ACCEPTED, 2)
    assert len(await timeline_rows(session, world.plan_id)) == entries


async def test_r_safe_2_stale_action_changes_and_notes_are_refused(
    session: AsyncSession, world: PlanWorld, clock: FrozenClock
) -> None:
    action = await actions.create_action(
        session, world.coordinator, world.plan_id, home_visit(world), clock=clock
    )
    await actions.set_action_status(
        session,
        world.coordinator,
        world.plan_id,
        action.id,
        ActionStatus.ONGOING,
        seen_version=1,
        clock=clock,
    )
    await _refused(
        actions.change_action(
            session,
            world.coordinator,
            world.plan_id,
            action.id,
            home_visit(world, title="Anna"),
            seen_version=1,
            clock=clock,
        ),
        current=2,
    )
    await _refused(
        actions.set_action_status(
            session,
            world.coordinator,
            world.plan_id,
            action.id,
            ActionStatus.DONE,
            seen_version=1,
            clock=clock,
        ),
        current=2,
    )
    note = await actions.add_note(
        session, world.coordinator, world.plan_id, action.id, "Fyrste", clock=clock
    )
    await actions.change_note(
        session, world.coordinator, world.plan_id, note.id, "Andre", seen_version=1, clock=clock
    )
    await _refused(
        actions.change_note(
            session,
            world.coordinator,
            world.plan_id,
            note.id,
            "Tredje",
            seen_version=1,
            clock=clock,
        ),
        current=2,
    )
    await session.refresh(action)
    await session.refresh(note)
    assert (action.title, action.status, note.text) == (
        "Hjemmebesøk",
        ActionStatus.ONGOING,
        "Andre",
    )


async def test_r_safe_2_stale_reviews_and_frame_items_are_refused(
    session: AsyncSession, world: PlanWorld, clock: FrozenClock
) -> None:
    goal = await goals.propose_goal(
        session, world.owner, world.plan_id, goals.GoalInput("Gå tur"), clock=clock
    )
    review = await goals.add_review(
        session,
        world.owner,
        world.plan_id,
        goal.id,
        goals.ReviewInput(ReviewAssessment.PARTLY, "Litt"),
        clock=clock,
    )
    await goals.change_review(
        session,
        world.owner,
        world.plan_id,
        review.id,
        goals.ReviewInput(ReviewAssessment.ON_TRACK, "Godt"),
        seen_version=1,
        clock=clock,
    )
    await _refused(
        goals.change_review(
            session,
            world.owner,
            world.plan_id,
            review.id,
            goals.ReviewInput(ReviewAssessment.REACHED, "Nådd"),
            seen_version=1,
            clock=clock,
        ),
        current=2,
    )
    contribution = await frame.add_contribution(
        session,
        world.owner,
        world.plan_id,
        frame.ContributionInput(Contributor.OWNER, "Middag"),
        clock=clock,
    )
    await frame.change_contribution(
        session,
        world.owner,
        world.plan_id,
        contribution.id,
        frame.ContributionInput(Contributor.OWNER, "Frukost"),
        seen_version=1,
        clock=clock,
    )
    await _refused(
        frame.change_contribution(
            session, world.owner, world.plan_id, contribution.id, None, seen_version=1, clock=clock
        ),
        current=2,
    )
    await session.refresh(review)
    await session.refresh(contribution)
    assert review.text == "Godt" and contribution.text == "Frukost"
    assert contribution.withdrawn_at is None


async def test_r_safe_2_stale_plan_dates_are_refused(
    session: AsyncSession, world: PlanWorld, clock: FrozenClock
) -> None:
    plan = world.base.plan
    seen = plan.version
    today = today_in_oslo(clock)
    dates = frame.PlanDates(today, today + timedelta(days=90), today + timedelta(days=45))
    await frame.set_dates(
        session, world.coordinator, world.plan_id, dates, seen_version=seen, clock=clock
    )
    later = frame.PlanDates(today, today + timedelta(days=400), today + timedelta(days=45))
    await _refused(
        frame.set_dates(
            session, world.coordinator, world.plan_id, later, seen_version=seen, clock=clock
        ),
        current=seen + 1,
    )
    await session.refresh(plan)
    assert plan.period_end == today + timedelta(days=90)


async def test_r_safe_2_life_situation_writers_who_started_from_no_words(
    session: AsyncSession, world: PlanWorld, clock: FrozenClock
) -> None:
    words = await life.write_own_words(
        session,
        world.coordinator,
        world.plan_id,
        life.OwnWords(needs="Hjelp"),
        seen_version=None,
        clock=clock,
    )
    assert words.version == 1 and words.written_by_coordinator
    # The owner also opened the empty form, before the coordinator saved.
    await _refused(
        life.write_own_words(
            session,
            world.owner,
            world.plan_id,
            life.OwnWords(needs="Mat"),
            seen_version=None,
            clock=clock,
        ),
        current=1,
    )
    # A version of words that never existed, on a plan without words, is stale too.
    await _refused(
        life.write_own_words(
            session,
            world.small_child_parent,
            world.small_child_plan.id,
            life.OwnWords(needs="Mat"),
            seen_version=3,
            clock=clock,
        ),
        current=0,
    )
    updated = await life.write_own_words(
        session,
        world.owner,
        world.plan_id,
        life.OwnWords(needs="Mat"),
        seen_version=1,
        clock=clock,
    )
    assert updated.version == 2 and not updated.written_by_coordinator
    await _refused(
        life.write_own_words(
            session,
            world.coordinator,
            world.plan_id,
            life.OwnWords(needs="Anna"),
            seen_version=1,
            clock=clock,
        ),
        current=2,
    )
    await session.refresh(updated)
    assert updated.needs == "Mat"


async def test_r_safe_2_first_words_are_version_1_whoever_writes_them(
    session: AsyncSession, world: PlanWorld, clock: FrozenClock
) -> None:
    """The version the writer gets back is the one to send next time: one save, one version."""
    for writer, plan_id in (
        (world.owner, world.plan_id),
        (world.coordinator, world.small_child_plan.id),
    ):
        words = await life.write_own_words(
            session, writer, plan_id, life.OwnWords(needs="Hjelp"), seen_version=None, clock=clock
        )
        assert words.version == 1
        [entry] = [e for e in await timeline_rows(session, plan_id) if e.item_id == words.id]
        assert entry.item_version == 1
        again = await life.write_own_words(
            session, writer, plan_id, life.OwnWords(needs="Meir"), seen_version=1, clock=clock
        )
        assert again.version == 2


async def test_r_safe_2_two_first_writers_at_the_same_moment(
    settings: Settings, data_dir: Path, clock: FrozenClock
) -> None:
    """Two connections both save the first words of a plan: one wins, the other is told.
    PostgreSQL makes the second wait on the unique index; SQLite serialises the two."""
    name = f"samplan_first_words_{databases.worker_suffix()}"
    url = await databases.fresh_database(name, data_dir)
    engine = make_engine(url)
    try:
        await schema.upgrade(engine, settings)
        sessions = make_sessionmaker(engine)
        async with sessions.begin() as db:
            world = await make_plan_world(db, clock)
        overlap = engine.dialect.name == "postgresql"
        first_wrote, first_done = asyncio.Event(), asyncio.Event()

        async def first() -> str:
            try:
                async with sessions.begin() as db:
                    await life.write_own_words(
                        db,
                        world.owner,
                        world.plan_id,
                        life.OwnWords(needs="Fyrst"),
                        seen_version=None,
                        clock=clock,
                    )
                    first_wrote.set()
                    await asyncio.sleep(0.3)  # the second now waits on the unique index
                return "saved"
            finally:
                first_wrote.set()
                first_done.set()

        async def second() -> str:
            await (first_wrote if overlap else first_done).wait()
            try:
                async with sessions.begin() as db:
                    await life.write_own_words(
                        db,
                        world.coordinator,
                        world.plan_id,
                        life.OwnWords(needs="Sist"),
                        seen_version=None,
                        clock=clock,
                    )
            except StaleVersion:
                return "stale"
            return "saved"

        assert list(await asyncio.gather(first(), second())) == ["saved", "stale"]
        async with sessions() as db:
            stored = (await db.scalars(select(LifeSituation))).all()
        assert [(w.needs, w.version) for w in stored] == [("Fyrst", 1)]
    finally:
        await engine.dispose()
        await databases.drop_database(name)


async def test_r_safe_2_two_saves_that_both_passed_the_check_never_overwrite(
    settings: Settings, data_dir: Path, clock: FrozenClock
) -> None:
    """Both requests read version 1 before either saved: the database lets one through and
    refuses the other (the services' check cannot see a save that is not yet committed)."""
    name = f"samplan_lost_update_{databases.worker_suffix()}"
    url = await databases.fresh_database(name, data_dir)
    engine = make_engine(url)
    try:
        await schema.upgrade(engine, settings)
        sessions = make_sessionmaker(engine)
        async with sessions.begin() as db:
            world = await make_plan_world(db, clock)
            goal = await goals.propose_goal(
                db, world.owner, world.plan_id, goals.GoalInput("Gå tur"), clock=clock
            )
        async with sessions() as second:
            async with second.begin():  # the second request has read the goal at version 1
                await second.get(Goal, goal.id)
            async with sessions.begin() as first:
                await goals.change_goal(
                    first,
                    world.owner,
                    world.plan_id,
                    goal.id,
                    goals.GoalChange("Fyrst"),
                    seen_version=1,
                    clock=clock,
                )
            with pytest.raises((StaleVersion, StaleDataError)):
                async with second.begin():
                    await goals.change_goal(
                        second,
                        world.owner,
                        world.plan_id,
                        goal.id,
                        goals.GoalChange("Sist"),
                        seen_version=1,
                        clock=clock,
                    )
        async with sessions() as db:
            stored = await db.get(Goal, goal.id)
            assert stored is not None and (stored.text, stored.version) == ("Fyrst", 2)
    finally:
        await engine.dispose()
        await databases.drop_database(name)
