"""Run Alembic migrations from the app and tell whether the database schema is at head."""

from __future__ import annotations

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
    return ScriptDirectory.from_config(alembic_config(settings)).get_current_head()


async def upgrade(engine: AsyncEngine, settings: Settings, revision: str = "head") -> None:
    await _run(engine, settings, lambda config: command.upgrade(config, revision))


async def downgrade(engine: AsyncEngine, settings: Settings, revision: str = "base") -> None:
    await _run(engine, settings, lambda config: command.downgrade(config, revision))


async def current_revision(engine: AsyncEngine) -> str | None:
    async with engine.connect() as connection:
        return await connection.run_sync(
            lambda sync: MigrationContext.configure(sync).get_current_revision()
        )


async def _run(engine: AsyncEngine, settings: Settings, step: object) -> None:
    config = alembic_config(settings)

    def run(connection: Connection) -> None:
        config.attributes["connection"] = connection
        step(config)  # type: ignore[operator]

    async with engine.begin() as connection:
        await connection.run_sync(run)
