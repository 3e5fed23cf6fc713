"""R7: every migration upgrades and downgrades on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import inspect

from app import schema
from app.db import Base, make_engine
from app.settings import Settings
from tests.support import databases


async def _tables(engine_url: str) -> set[str]:
    engine = make_engine(engine_url)
    try:
        async with engine.connect() as connection:
            names = await connection.run_sync(lambda sync: inspect(sync).get_table_names())
    finally:
        await engine.dispose()
    return set(names) - {"alembic_version"}


async def test_migrations_go_up_down_and_up_again(settings: Settings, data_dir: Path) -> None:
    name = f"samplan_migrations_{databases.worker_suffix()}"
    url = await databases.fresh_database(name, data_dir)
    engine = make_engine(url)
    try:
        await schema.upgrade(engine, settings)
        assert await schema.current_revision(engine) == schema.head_revision(settings)
        assert await _tables(url) == set(Base.metadata.tables)

        await schema.downgrade(engine, settings, "base")
        assert await schema.current_revision(engine) is None
        assert await _tables(url) == set()

        await schema.upgrade(engine, settings)
        assert await schema.current_revision(engine) == schema.head_revision(settings)
    finally:
        await engine.dispose()
        await databases.drop_database(name)


async def test_models_and_migrations_agree(settings: Settings, data_dir: Path) -> None:
    """Autogenerate finds nothing to add: no model change is missing its migration."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    name = f"samplan_drift_{databases.worker_suffix()}"
    url = await databases.fresh_database(name, data_dir)
    engine = make_engine(url)
    try:
        await schema.upgrade(engine, settings)
        async with engine.connect() as connection:
            differences = await connection.run_sync(
                lambda sync: compare_metadata(
                    MigrationContext.configure(sync, opts={"compare_type": True}), Base.metadata
                )
            )
        assert differences == []
    finally:
        await engine.dispose()
        await databases.drop_database(name)
