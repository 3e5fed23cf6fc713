"""The test bench: one suite, run on SQLite or PostgreSQL (SAMPLAN_TEST_DATABASE).

Migrations run once per worker; each test gets a session inside one outer transaction that is
rolled back afterwards (style.md trap 2: the SQLite BEGIN fix lives in app/db.py). The app under
test shares that session, so what a request writes is visible to the test and then undone.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from app import schema
from app.db import PENDING_AFTER_ROLLBACK, get_session, make_engine
from app.main import create_app
from app.settings import Environment, Settings
from tests.support import databases, log_scan, postgres_cluster
from tests.support.clock import FrozenClock

FROZEN_INSTANT = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


def pytest_configure(config: pytest.Config) -> None:
    # Only the controlling process starts a cluster; xdist workers inherit its address.
    if hasattr(config, "workerinput") or databases.backend() != "postgresql":
        return
    if asyncio.run(databases.postgres_answers(databases.postgres_admin_url())):
        return
    cluster = postgres_cluster.start()
    os.environ["SAMPLAN_TEST_POSTGRES_URL"] = cluster.url
    config.add_cleanup(cluster.stop)


_LOG_COLLECTOR = log_scan.CollectingHandler()
LIVE_SERVER_LOGS: list[Path] = []


def pytest_sessionstart(session: pytest.Session) -> None:
    logging.getLogger().addHandler(_LOG_COLLECTOR)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    lines = _LOG_COLLECTOR.lines + log_scan.read_log_files(LIVE_SERVER_LOGS)
    problems = log_scan.findings(lines)
    if problems:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            reporter.write_line(f"PERSONAL DATA IN LOGS ({len(problems)}):", red=True)
            for problem in problems[:20]:
                reporter.write_line(f"  {problem}", red=True)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests of PostgreSQL's and Redis's own machinery (cross-process fan-out) test the same
    thing in both passes: they run in the PostgreSQL pass only, where the suite's database is
    PostgreSQL too."""
    if databases.backend() == "postgresql":
        return
    once = [item for item in items if item.get_closest_marker("postgres_pass")]
    if once:
        config.hook.pytest_deselected(items=once)
        items[:] = [item for item in items if not item.get_closest_marker("postgres_pass")]


def pytest_report_header() -> str:
    target = databases.postgres_admin_url() if databases.backend() == "postgresql" else "file"
    return f"samplan database backend: {databases.backend()} ({target.rsplit('@', 1)[-1]})"


@pytest.fixture(scope="session")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("samplan-data")


@pytest.fixture(scope="session")
async def database_url(data_dir: Path) -> AsyncIterator[str]:
    name = f"samplan_test_{databases.worker_suffix()}"
    url = await databases.fresh_database(name, data_dir)
    yield url
    await databases.drop_database(name)


@pytest.fixture(scope="session")
def settings(database_url: str, data_dir: Path) -> Settings:
    return Settings(
        env=Environment.TEST,
        database_url=database_url,
        data_dir=data_dir,
        base_url="http://testserver",
    )


@pytest.fixture(scope="session")
async def engine(settings: Settings) -> AsyncIterator[AsyncEngine]:
    engine = make_engine(settings.resolved_database_url)
    await schema.upgrade(engine, settings)
    yield engine
    await engine.dispose()


@pytest.fixture
async def session(engine: AsyncEngine) -> AsyncIterator[AsyncSession]:
    async with engine.connect() as connection:
        outer = await connection.begin()
        session = AsyncSession(
            bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
        )
        try:
            yield session
        finally:
            await session.close()
            await outer.rollback()


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(FROZEN_INSTANT)


@pytest.fixture
def app(settings: Settings, session: AsyncSession, clock: FrozenClock) -> Iterator[FastAPI]:
    app = create_app(settings, clock=clock)

    async def shared_session() -> AsyncIterator[AsyncSession]:
        # Same unit-of-work shape as app.db.get_session, inside the test's outer transaction.
        try:
            yield session
            await session.commit()
        except BaseException:
            await session.rollback()
            if session.info.get(PENDING_AFTER_ROLLBACK):
                await session.commit()
            raise

    app.dependency_overrides[get_session] = shared_session
    yield app


@pytest.fixture
async def client(app: FastAPI, session: AsyncSession) -> AsyncIterator[httpx.AsyncClient]:
    async def expunge(_request: httpx.Request) -> None:
        # Requests start with an empty identity map, so lazy-loading mistakes show up here.
        session.expunge_all()

    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://testserver", event_hooks={"request": [expunge]}
    ) as client:
        yield client
