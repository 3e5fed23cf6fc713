"""Liveness and readiness: is the database reachable, and is its schema at the newest migration?"""

from __future__ import annotations

import logging

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine

from app import schema
from app.health.schemas import Readiness
from app.settings import Settings

logger = logging.getLogger(__name__)


async def readiness(engine: AsyncEngine, settings: Settings) -> Readiness:
    try:
        # Reading the revision is the query that proves the database answers: one connection.
        async with engine.connect() as connection:
            await connection.execution_options(read_only=True)
            current = await connection.run_sync(schema.revision_of)
        database_ok = True
        at_head = current == schema.head_revision(settings)
    except (SQLAlchemyError, OSError) as error:
        logger.warning("database not reachable", extra={"error_type": type(error).__name__})
        database_ok, at_head = False, False
    ready = database_ok and at_head
    return Readiness(
        status="ready" if ready else "not_ready", database=database_ok, migrations_at_head=at_head
    )
