"""How a server process is set up for speed: its PostgreSQL pool, and the collector kept away
from what start-up made (bench/REPORT.md shows what each is worth)."""

from __future__ import annotations

import asyncio
import gc
from pathlib import Path

import pytest

from app import long_lived
from app.main import create_app, create_app_from_environment
from app.settings import Environment, Settings


async def test_a_postgresql_app_keeps_the_pool_it_is_told_to(tmp_path: Path) -> None:
    settings = Settings(
        env=Environment.TEST,
        data_dir=tmp_path,
        database_url="postgresql+asyncpg://nobody@127.0.0.1:9/none",
        db_pool_size=7,
        db_max_overflow=3,
    )
    app = create_app(settings)
    try:
        pool = app.state.engine.pool
        # Nothing connects until a request: the figures are the pool's own.
        assert pool.size() == 7
        assert pool._max_overflow == 3  # noqa: SLF001 (QueuePool has no public reader)
        assert pool._pre_ping  # noqa: SLF001 (a restarted database is noticed: quality.md R1)
    finally:
        await app.state.engine.dispose()


def test_the_default_pool_outlasts_a_browser_and_a_few_sockets() -> None:
    # Requests beyond the pool open and close a connection each; 5 (SQLAlchemy's default)
    # made every sixth concurrent request pay for a new connection.
    assert Settings().db_pool_size >= 20


def test_the_server_factory_freezes_what_start_up_made(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SAMPLAN_ENV", "test")
    monkeypatch.setenv("SAMPLAN_DATA_DIR", str(tmp_path))
    gc.unfreeze()
    try:
        create_app_from_environment()
        assert gc.get_freeze_count() > 10_000
    finally:
        gc.unfreeze()  # the test process goes on collecting as before


async def test_a_server_freezes_again_once_the_first_requests_have_filled_the_caches(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(long_lived, "WARM_UP_SECONDS", (0.01, 0.02))
    objects = long_lived.LongLivedObjects()
    gc.unfreeze()
    try:
        objects.freeze_start_up()
        at_start = gc.get_freeze_count()
        filled_later = [[n] for n in range(5_000)]  # what the first requests keep (lists: tracked)
        await objects.start()
        for _ in range(100):
            if gc.get_freeze_count() >= at_start + len(filled_later):
                break
            await asyncio.sleep(0.01)
        assert gc.get_freeze_count() >= at_start + len(filled_later)
        await objects.stop()
    finally:
        gc.unfreeze()


async def test_an_app_made_for_a_test_freezes_nothing(tmp_path: Path) -> None:
    app = create_app(Settings(env=Environment.TEST, data_dir=tmp_path))
    gc.unfreeze()
    await app.state.long_lived.start()
    await app.state.long_lived.stop()
    assert gc.get_freeze_count() == 0
