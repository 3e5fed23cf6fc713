"""Which database the suite runs on, and throwaway databases for tests that need their own.

SAMPLAN_TEST_DATABASE=sqlite|postgresql picks the backend (make test runs both). PostgreSQL comes
from SAMPLAN_TEST_POSTGRES_URL; when none answers there, `throwaway_cluster` starts one from the
installed PostgreSQL binaries in a temporary folder.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg

DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"


def backend() -> str:
    value = os.environ.get("SAMPLAN_TEST_DATABASE", "sqlite")
    if value not in ("sqlite", "postgresql"):
        raise RuntimeError(f"SAMPLAN_TEST_DATABASE must be sqlite or postgresql, not {value!r}")
    return value


def postgres_admin_url() -> str:
    return os.environ.get("SAMPLAN_TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL)


def _with_database(url: str, database: str, scheme: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((scheme, parts.netloc, f"/{database}", parts.query, ""))


async def postgres_answers(url: str) -> bool:
    try:
        connection = await asyncpg.connect(url, timeout=3)
    except (TimeoutError, OSError, asyncpg.PostgresError):
        return False
    await connection.close()
    return True


async def fresh_database(name: str, tmp_dir: Path) -> str:
    """An empty database of the current backend, as a SQLAlchemy async URL."""
    if not re.fullmatch(r"[a-z0-9_]+", name):
        raise ValueError("database names are lower-case letters, digits and underscores")
    if backend() == "sqlite":
        path = tmp_dir / f"{name}.db"
        path.unlink(missing_ok=True)
        return f"sqlite+aiosqlite:///{path}"
    admin = await asyncpg.connect(postgres_admin_url())
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    return _with_database(postgres_admin_url(), name, "postgresql+asyncpg")


async def drop_database(name: str) -> None:
    if backend() != "postgresql":
        return
    admin = await asyncpg.connect(postgres_admin_url())
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


def worker_suffix() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")
