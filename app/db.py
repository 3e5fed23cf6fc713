"""Engine, session and the unit of work. The HTTP request owns the commit (style.md trap 1)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from fastapi import Request
from sqlalchemy import DateTime, MetaData, event
from sqlalchemy import Enum as SqlEnum
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# session.info key under which app/access/audit.py keeps audit rows not yet written. Entries still
# there after a rollback are denials that must be written anyway, so get_session commits again.
PENDING_AFTER_ROLLBACK = "audit_pending"


class UtcDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes on both databases; SQLite would otherwise hand back naive values."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are refused: take time from the clock")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UtcDateTime()}


class IdMixin:
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)


def insert_on_conflict(
    session: Session | AsyncSession, model: Any
) -> postgresql.Insert | sqlite.Insert:
    """An INSERT that can say ON CONFLICT, for the session's database (both spell it alike)."""
    if session.get_bind().dialect.name == "postgresql":
        return postgresql.insert(model)
    return sqlite.insert(model)


def make_engine(url: str, **kwargs: Any) -> AsyncEngine:
    engine = create_async_engine(url, **kwargs)
    if engine.dialect.name == "sqlite":
        _install_sqlite_fixes(engine)
    return engine


def _install_sqlite_fixes(engine: AsyncEngine) -> None:
    # pysqlite begins and ends transactions on its own schedule, which breaks SAVEPOINTs and
    # per-test rollback (style.md trap 2). Take control of BEGIN, and turn on foreign keys.
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        # IMMEDIATE: take the write lock at the start. A deferred transaction that reads and
        # then writes cannot wait for another writer; SQLite refuses it at once ("database is
        # locked"). Nearly every request writes (its audit rows), so nothing is lost by it.
        # A connection that only reads says so (execution option read_only) and does not queue.
        read_only = connection.get_execution_options().get("read_only", False)
        connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


def make_sessionmaker(
    engine: AsyncEngine, *, info: dict[str, Any] | None = None
) -> async_sessionmaker[AsyncSession]:
    """`info` is copied into every session (e.g. the publisher that hears of committed changes)."""
    return async_sessionmaker(engine, expire_on_commit=False, info=info)


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    """One transaction per request, committed before the response leaves.

    Declared with Depends(..., scope="function") in the adapters' deps modules, so the commit runs
    before the response is sent and a failing commit becomes an error, not a false 200.
    """
    async with unit_of_work(request.app.state.sessionmaker) as session:
        yield session


@asynccontextmanager
async def unit_of_work(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> AsyncIterator[AsyncSession]:
    """One transaction: committed at the end, rolled back on an error except for the audit rows
    of denials (R-LOG-1). For requests, and for work outside them (a websocket frame, a job)."""
    async with sessionmaker() as session:
        try:
            yield session
            await session.commit()
        except BaseException:
            await session.rollback()
            if session.info.get(PENDING_AFTER_ROLLBACK):
                await session.commit()  # only the audit rows kept for denials (R-LOG-1)
            raise


def str_enum(enum_class: type[StrEnum], length: int = 40) -> SqlEnum:
    """A StrEnum stored as its value in a VARCHAR, identical on SQLite and PostgreSQL."""
    return SqlEnum(
        enum_class,
        native_enum=False,
        create_constraint=False,
        length=length,
        values_callable=lambda members: [member.value for member in members],
    )
