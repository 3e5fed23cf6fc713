"""Run Alembic migrations from the app and tell whether the database schema is at head."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from app.settings import Settings


def alembic_config(settings: Settings) -> Config:
    config = Config(str(settings.migrations_dir.parent / "alembic.ini"))
    config.set_main_option("script_location", str(settings.migrations_dir))
    config.attributes["configure_logging"] = False
    return config


def head_revision(settings: Settings) -> str | None:
    return _head_in(settings.migrations_dir)


@cache
def _head_in(migrations_dir: Path) -> str | None:
    # The scripts cannot change under a running process; /readyz asks every few seconds.
    config = Config()
    config.set_main_option("script_location", str(migrations_dir))
    return ScriptDirectory.from_config(config).get_current_head()


def revision_of(connection: Connection) -> str | None:
    """The revision the database is at (None before the first migration)."""
    return MigrationContext.configure(connection).get_current_revision()


async def upgrade(engine: AsyncEngine, settings: Settings, revision: str = "head") -> None:
    await _run(engine, settings, lambda config: command.upgrade(config, revision))


async def downgrade(engine: AsyncEngine, settings: Settings, revision: str = "base") -> None:
    await _run(engine, settings, lambda config: command.downgrade(config, revision))


async def current_revision(engine: AsyncEngine) -> str | None:
    async with engine.connect() as connection:
        return await connection.run_sync(revision_of)


async def _run(engine: AsyncEngine, settings: Settings, step: object) -> None:
    config = alembic_config(settings)

    def run(connection: Connection) -> None:
        config.attributes["connection"] = connection
        step(config)  # type: ignore[operator]

    async with engine.begin() as connection:
        await connection.run_sync(run)
