"""Cross-process fan-out: wake-ups that carry ids only, never the data itself.

A receiver always reads what changed from the database, from its last per-thread sequence
number on. So a lost wake-up costs latency, never data; after a lost listener connection the
on_reconnect listeners are called so receivers re-read whatever they may have missed.

Backends (settings.fanout): "memory" for one process, "postgres" (LISTEN/NOTIFY on the app's own
database) or "redis" (pub/sub) for several. Not the `broadcaster` package: its Postgres backend
does not notice a lost connection (docs research perf_security.md 3.3).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol
from urllib.parse import urlsplit, urlunsplit

from app.messaging.fanout_listeners import (
    DEFAULT_CHANNEL,
    MAX_PAYLOAD_BYTES,
    Listener,
    ReconnectListener,
)
from app.messaging.fanout_memory import MemoryFanout
from app.messaging.fanout_postgres import PostgresFanout
from app.messaging.fanout_redis import RedisFanout
from app.settings import ConfigurationError, Settings

__all__ = [
    "DEFAULT_CHANNEL",
    "MAX_PAYLOAD_BYTES",
    "Fanout",
    "Listener",
    "MemoryFanout",
    "PostgresFanout",
    "ReconnectListener",
    "RedisFanout",
    "asyncpg_dsn",
    "make_fanout",
]


class Fanout(Protocol):
    async def start(self) -> None:
        """Connect and begin listening. Never raises because the broker is down: it retries."""

    async def stop(self) -> None: ...

    async def publish(self, topic: str, payload: str) -> None:
        """Wake every subscriber in every process (this one too), on a later loop turn.

        Best effort: a broker that cannot be reached is logged, not raised. ValueError for a
        topic containing "|" or longer than 200 bytes, or a payload over 999 bytes.
        """

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """listener(topic, payload) on the event loop; must be quick. Returns unsubscribe."""

    def on_reconnect(self, listener: ReconnectListener) -> Callable[[], None]:
        """Called when listening resumes after a gap: wake-ups may have been missed."""

    @property
    def healthy(self) -> bool:
        """Listening right now."""


def make_fanout(settings: Settings, *, channel: str = DEFAULT_CHANNEL) -> Fanout:
    if settings.fanout == "postgres":
        return PostgresFanout(asyncpg_dsn(settings.resolved_database_url), channel=channel)
    if settings.fanout == "redis":
        return RedisFanout(settings.redis_url, channel=channel)
    return MemoryFanout()


def asyncpg_dsn(database_url: str) -> str:
    """The SQLAlchemy URL "postgresql+asyncpg://..." as asyncpg.connect takes it."""
    parts = urlsplit(database_url)
    dialect = parts.scheme.split("+", 1)[0]
    if dialect not in ("postgresql", "postgres"):
        raise ConfigurationError(
            "SAMPLAN_FANOUT=postgres needs a PostgreSQL SAMPLAN_DATABASE_URL; "
            "use SAMPLAN_FANOUT=memory (one process) or redis"
        )
    return urlunsplit(("postgresql", parts.netloc, parts.path, parts.query, parts.fragment))
