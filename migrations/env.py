"""Alembic environment: async engines, batch mode so the same migrations run on SQLite."""

from __future__ import annotations

import asyncio
from logging.config import fileConfig

from alembic import context
from sqlalchemy.engine import Connection

import app.models  # noqa: F401  # registers every table on Base.metadata
from app.db import Base, make_engine
from app.settings import Settings

config = context.config
if config.config_file_name is not None and config.attributes.get("configure_logging", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_async(url: str) -> None:
    engine = make_engine(url)
    async with engine.connect() as connection:
        await connection.run_sync(_run)
        await connection.commit()
    await engine.dispose()


# Callers that already hold a connection (the app's `migrate`, the tests) pass it in; the
# alembic command line gets its address from the same settings as the app.
given: Connection | None = config.attributes.get("connection")
if given is not None:
    _run(given)
else:
    asyncio.run(_run_async(config.attributes.get("url") or Settings().resolved_database_url))
