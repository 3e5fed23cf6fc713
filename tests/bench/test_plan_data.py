"""bench/plan_data.py at a tiny scale on the suite's database (SQLite or PostgreSQL, the latter
by COPY): the generated plans are whole and read by the services like any other plan, their
audit chains verify, the same seed gives the same plans, and the measured plan has its 10 goals
and 10 actions."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app import schema
from app.access.audit_verify import verify_chains
from app.db import Base, make_engine, make_sessionmaker
from app.demo.seed import seed_demo
from app.models import (
    Action,
    AuditEvent,
    Goal,
    Municipality,
    Person,
    Plan,
    ProgressNote,
    TimelineEntry,
)
from app.people.pid_vault import PidVault
from app.plan_view import service as plan_views
from app.settings import Environment, Settings
from app.timeline import service as timeline
from bench.plan_bench import MEASURED_PLAN_FILE
from bench.plan_data import (
    FIRST_MUNICIPALITY_NUMBER,
    MEASURED_ACTIONS,
    MEASURED_GOALS,
    Generator,
    prepare,
)
from tests.support import databases
from tests.support.clock import FrozenClock
from tests.support.logins import citizen

PLANS, AUDIT_ROWS = 20, 410  # not a multiple of the plans: the remainder must land somewhere


@pytest.fixture
async def bench_settings(data_dir: Path, clock: FrozenClock) -> AsyncIterator[Settings]:
    """A database of its own, migrated and seeded with the demo data, as `make bench` has it."""
    name = f"samplan_plan_data_{databases.worker_suffix()}"
    url = await databases.fresh_database(name, data_dir)
    own_dir = data_dir / name
    own_dir.mkdir(exist_ok=True)
    settings = Settings(env=Environment.TEST, database_url=url, data_dir=own_dir)
    engine = make_engine(url)
    try:
        await schema.upgrade(engine, settings)
        async with make_sessionmaker(engine).begin() as session:
            await seed_demo(session, vault=PidVault(settings.resolved_data_key()), clock=clock)
        yield settings
    finally:
        await engine.dispose()
        await databases.drop_database(name)


async def _count(session: AsyncSession, model: type, *where: object) -> int:
    found = await session.scalar(select(func.count()).select_from(model).where(*where))
    return int(found or 0)


async def test_generated_plans_are_whole_and_their_audit_chains_verify(
    bench_settings: Settings, clock: FrozenClock
) -> None:
    counts = await prepare(bench_settings, plans=PLANS, audit_rows=AUDIT_ROWS, seed=3, clock=clock)
    assert counts["plan"] == counts["person"] == PLANS
    assert counts["audit_event"] == AUDIT_ROWS
    assert counts["goal"] >= 3 * PLANS and counts["plan_action"] >= 2 * PLANS
    assert counts["timeline_entry"] > counts["goal"] + counts["plan_action"]

    engine = make_engine(bench_settings.resolved_database_url)
    try:
        async with make_sessionmaker(engine)() as session:
            report = await verify_chains(session)
            assert report.intact, report.broken
            generated = await session.scalar(
                select(Municipality).where(Municipality.number == str(FIRST_MUNICIPALITY_NUMBER))
            )
            assert generated is not None
            chain = next(c for c in report.chains if c.chain == str(generated.id))
            assert chain.rows == chain.head_seq == AUDIT_ROWS
            assert await _count(session, Plan, Plan.municipality_id == generated.id) == PLANS
            assert await _count(session, AuditEvent, AuditEvent.plan_id.is_(None)) == 0
            assert await _dangling_references(session) == []
    finally:
        await engine.dispose()


async def _dangling_references(session: AsyncSession) -> list[str]:
    """Every foreign key of every table, checked by query: on PostgreSQL the generator loads
    with the foreign-key triggers off, so nothing else would notice a row pointing nowhere."""
    dangling = []
    for table in Base.metadata.sorted_tables:
        for key in table.foreign_keys:
            target = key.column.table.alias()
            found = await session.scalar(
                select(func.count())
                .select_from(table.outerjoin(target, key.parent == target.c[key.column.name]))
                .where(key.parent.is_not(None), target.c[key.column.name].is_(None))
            )
            if found:
                dangling.append(f"{table.name}.{key.parent.name}: {found}")
    return dangling


async def test_the_services_read_a_generated_plan_like_any_other(
    bench_settings: Settings, clock: FrozenClock
) -> None:
    await prepare(bench_settings, plans=PLANS, audit_rows=AUDIT_ROWS, seed=4, clock=clock)
    engine = make_engine(bench_settings.resolved_database_url)
    try:
        async with make_sessionmaker(engine)() as session:
            plan, owner = (
                await session.execute(
                    select(Plan, Person)
                    .join(Person, Person.id == Plan.owner_id)
                    .join(Municipality, Municipality.id == Plan.municipality_id)
                    .where(Municipality.number == str(FIRST_MUNICIPALITY_NUMBER))
                    .order_by(Plan.id)
                    .limit(1)
                )
            ).one()
            view = await plan_views.plan_view(session, citizen(owner), plan.id, clock=clock)
            goals = await _count(session, Goal, Goal.plan_id == plan.id)
            assert (
                len(view.all_goals)
                + sum(1 for g in view.other_goals if g.goal.status.value == "declined")
                == goals
            )
            page = await timeline.page(session, citizen(owner), plan.id, clock=clock)
            entries = await _count(session, TimelineEntry, TimelineEntry.plan_id == plan.id)
            assert len(page.entries) == min(entries, timeline.PAGE_SIZE)
            assert [e.entry.at for e in page.entries] == sorted(
                (e.entry.at for e in page.entries), reverse=True
            )
            assert all(e.who for e in page.entries)
            await session.rollback()
    finally:
        await engine.dispose()


async def test_the_measured_plan_has_its_goals_and_actions_and_its_id_is_kept(
    bench_settings: Settings, clock: FrozenClock
) -> None:
    await prepare(bench_settings, plans=0, audit_rows=0, seed=6, clock=clock)
    plan_id = (bench_settings.data_dir / MEASURED_PLAN_FILE).read_text().strip()
    engine = make_engine(bench_settings.resolved_database_url)
    try:
        async with make_sessionmaker(engine)() as session:
            plan = await session.get(Plan, uuid.UUID(plan_id))
            assert plan is not None
            owner = await session.get(Person, plan.owner_id)
            assert owner is not None and owner.display_name == "Per Mikkelsen"
            assert await _count(session, Goal, Goal.plan_id == plan.id) == MEASURED_GOALS
            assert await _count(session, Action, Action.plan_id == plan.id) == MEASURED_ACTIONS
            assert await _count(session, ProgressNote, ProgressNote.plan_id == plan.id) >= 10
            assert await _count(session, TimelineEntry, TimelineEntry.plan_id == plan.id) > 30
    finally:
        await engine.dispose()
    # Preparing again adds nothing to the measured plan.
    await prepare(bench_settings, plans=0, audit_rows=0, seed=6, clock=clock)
    assert (bench_settings.data_dir / MEASURED_PLAN_FILE).read_text().strip() == plan_id


def test_the_same_seed_gives_the_same_plans() -> None:
    now = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)

    def rows(seed: int) -> dict[str, list[dict[str, object]]]:
        made = Generator(seed=seed, vault=PidVault(b"k" * 32), now=now).municipality(0, 5, 50)
        # The identity number's ciphertext has a random nonce, as every encryption does.
        return {
            table.name: [{k: v for k, v in row.items() if k != "pid_encrypted"} for row in found]
            for table, found in made.tables.items()
        }

    first, again, other = rows(1), rows(1), rows(2)
    assert first == again
    assert first["goal"] != other["goal"]
    assert len(first["audit_event"]) == 50 and len(first["plan"]) == 5
