"""Fan-out across app processes through PostgreSQL LISTEN/NOTIFY.

One dedicated connection LISTENs (a pooled one would lose its LISTEN when returned to the pool);
publishing goes through a small separate pool. asyncpg does not notice a silent peer by itself,
so besides its termination callback a `SELECT 1` with a timeout runs every few seconds.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

import asyncpg

from app.messaging.fanout_listeners import DEFAULT_CHANNEL, encode, logger, topic_kind
from app.messaging.fanout_reconnecting import ListenerLost, ReconnectingFanout

LISTENER_APPLICATION_NAME = "samplan-fanout-listener"
PUBLISHER_APPLICATION_NAME = "samplan-fanout-publisher"


@dataclass
class _Listening:
    connection: Any
    lost: asyncio.Event = field(default_factory=asyncio.Event)


class PostgresFanout(ReconnectingFanout[_Listening]):
    def __init__(
        self,
        dsn: str,
        *,
        channel: str = DEFAULT_CHANNEL,
        health_interval: float = 5.0,
        health_timeout: float = 3.0,
        connect_timeout: float = 5.0,
        publish_timeout: float = 3.0,
        backoff_max: float = 5.0,
    ) -> None:
        super().__init__(
            "postgres",
            health_interval=health_interval,
            health_timeout=health_timeout,
            connect_timeout=connect_timeout,
            backoff_max=backoff_max,
        )
        self._dsn = dsn
        self._channel = channel
        self._publish_timeout = publish_timeout
        self._listening: _Listening | None = None
        self._pool: Any = None
        self._pool_lock = asyncio.Lock()

    @property
    def listener_pid(self) -> int | None:
        """The server process of the listener connection (operations and fault tests)."""
        if self._listening is None or self._listening.connection.is_closed():
            return None
        return int(self._listening.connection.get_server_pid())

    async def publish(self, topic: str, payload: str) -> None:
        message = encode(topic, payload)
        # One retry: a pooled connection may have died with a server restart since last use.
        # Not after a timeout, though: the caller (often a request) has waited long enough.
        for attempt in (1, 2):
            try:
                await asyncio.wait_for(self._notify(message), self._publish_timeout)
                return
            except Exception as error:  # the message is stored; a lost wake-up only costs latency
                if attempt == 2 or isinstance(error, TimeoutError):
                    logger.warning(
                        f"fan-out publish failed (postgres, topic kind {topic_kind(topic)}, "
                        f"{len(message)} chars)",
                        extra={
                            "event": "fanout_publish_failed",
                            "error_type": type(error).__name__,
                        },
                    )
                    return

    async def _notify(self, message: str) -> None:
        pool = await self._publisher()
        await pool.execute("SELECT pg_notify($1, $2)", self._channel, message)

    async def _publisher(self) -> Any:
        async with self._pool_lock:
            if self._pool is None:
                self._pool = await asyncpg.create_pool(
                    self._dsn,
                    min_size=1,
                    max_size=2,
                    timeout=self._connect_timeout,
                    server_settings={"application_name": PUBLISHER_APPLICATION_NAME},
                )
            return self._pool

    async def _close_publisher(self) -> None:
        pool, self._pool = self._pool, None
        if pool is None:
            return
        try:
            await asyncio.wait_for(pool.close(), self._publish_timeout)
        except Exception:  # a pool stuck on a dead server is dropped rather than waited for
            pool.terminate()

    def _on_notification(self, _connection: Any, _pid: int, _channel: str, message: str) -> None:
        self._registry.deliver_message(message)

    async def _open(self) -> _Listening:
        connection = await asyncpg.connect(
            self._dsn,
            timeout=self._connect_timeout,
            server_settings={"application_name": LISTENER_APPLICATION_NAME},
        )
        listening = _Listening(connection)
        try:
            connection.add_termination_listener(lambda _connection: listening.lost.set())
            await asyncio.wait_for(
                connection.add_listener(self._channel, self._on_notification),
                self._connect_timeout,
            )
        except BaseException:
            connection.terminate()
            raise
        self._listening = listening
        return listening

    async def _listen(self, session: _Listening) -> None:
        while True:
            try:
                await asyncio.wait_for(session.lost.wait(), self._health_interval)
            except TimeoutError:
                pass
            else:
                raise ListenerLost("terminated")
            try:
                await session.connection.fetchval("SELECT 1", timeout=self._health_timeout)
            except TimeoutError as silent:
                raise ListenerLost("no answer to the health check") from silent

    async def _close(self, session: _Listening) -> None:
        if self._listening is session:
            self._listening = None
        connection = session.connection
        if session.lost.is_set() or connection.is_closed():
            connection.terminate()
            return
        try:
            await asyncio.wait_for(connection.close(), self._health_timeout)
        except Exception:  # a dead peer will not answer the goodbye; just drop the socket
            connection.terminate()
