"""The listening side of a broker-backed fan-out: keep one listener connection alive, forever.

A supervisor task opens the connection, hands it to the backend to listen on until it is lost
(closed by the server, or silent past the health check), then reopens it with backoff
(0.1 s doubling to `backoff_max`). Every connection opened after start() returned is announced
to the on_reconnect listeners: wake-ups sent meanwhile are gone, so receivers re-read from their
last sequence numbers. A broker that is down never raises into the app; it is logged and retried.
"""

from __future__ import annotations

import asyncio
import contextlib
from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import Generic, TypeVar

from app.messaging.fanout_listeners import (
    Listener,
    ListenerRegistry,
    ReconnectListener,
    logger,
)

Session = TypeVar("Session")

FIRST_RETRY_SECONDS = 0.1
# While the broker stays down, say so about once a minute rather than on every attempt.
LOG_EVERY_NTH_FAILURE = 12


class ListenerLost(Exception):
    """The listener connection stopped working; the supervisor reopens it."""


class ReconnectingFanout(ABC, Generic[Session]):
    def __init__(
        self,
        backend: str,
        *,
        health_interval: float,
        health_timeout: float,
        connect_timeout: float,
        backoff_max: float,
    ) -> None:
        self._backend = backend
        self._registry = ListenerRegistry(backend)
        self._health_interval = health_interval
        self._health_timeout = health_timeout
        self._connect_timeout = connect_timeout
        self._backoff_max = backoff_max
        self._supervisor: asyncio.Task[None] | None = None
        self._healthy = False

    @abstractmethod
    async def _open(self) -> Session:
        """Connect and begin listening; raise if that fails (the connection is then closed)."""

    @abstractmethod
    async def _listen(self, session: Session) -> None:
        """Deliver wake-ups until the connection is lost, then raise (ListenerLost or the
        driver's error). Checks health every `health_interval` seconds."""

    @abstractmethod
    async def _close(self, session: Session) -> None:
        """Close the listener connection without waiting long on a dead peer."""

    async def _close_publisher(self) -> None:
        """Close whatever publish() opened."""

    async def start(self) -> None:
        if self._supervisor is not None:
            return
        session = await self._try_open(failed=0, reconnecting=False)
        self._healthy = session is not None
        self._supervisor = asyncio.create_task(
            self._supervise(session), name=f"fanout-{self._backend}"
        )

    async def stop(self) -> None:
        supervisor, self._supervisor = self._supervisor, None
        if supervisor is not None:
            supervisor.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await supervisor
        self._healthy = False
        await self._close_publisher()

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        return self._registry.subscribe(listener)

    def on_reconnect(self, listener: ReconnectListener) -> Callable[[], None]:
        return self._registry.on_reconnect(listener)

    @property
    def healthy(self) -> bool:
        return self._healthy

    async def _supervise(self, session: Session | None) -> None:
        failed = 0 if session is not None else 1  # connection attempts failed in this outage
        while True:
            if session is None:
                await asyncio.sleep(self._retry_delay(failed))
                session = await self._try_open(failed, reconnecting=True)
                if session is None:
                    failed += 1
                    continue
                self._healthy = True
                self._registry.reconnected()
            else:
                self._healthy = True
            try:
                await self._listen(session)
                raise ListenerLost("listener returned")
            except ListenerLost as lost:
                self._log_lost(type(lost).__name__, str(lost))
            except Exception as error:  # whatever the driver raises, the answer is to reconnect
                self._log_lost(type(error).__name__, "connection error")
            finally:
                self._healthy = False
                await self._close(session)
            session = None
            failed = 0

    async def _try_open(self, failed: int, *, reconnecting: bool) -> Session | None:
        try:
            session = await self._open()
        except Exception as error:  # broker down, refused, timed out: all mean "try again later"
            if failed % LOG_EVERY_NTH_FAILURE == 0:
                logger.warning(
                    f"fan-out listener cannot connect ({self._backend}, attempt {failed + 1}); "
                    f"retrying within {self._backoff_max:g} s",
                    extra={"event": "fanout_connect_failed", "error_type": type(error).__name__},
                )
            return None
        if reconnecting:
            logger.info(
                f"fan-out listening again ({self._backend}, after {failed} failed attempts)",
                extra={"event": "fanout_listening"},
            )
        else:
            logger.info(f"fan-out listening ({self._backend})", extra={"event": "fanout_listening"})
        return session

    def _log_lost(self, error_type: str, reason: str) -> None:
        logger.warning(
            f"fan-out listener connection lost ({self._backend}: {reason}); reconnecting",
            extra={"event": "fanout_listener_lost", "error_type": error_type},
        )

    def _retry_delay(self, failed: int) -> float:
        doublings = min(max(failed - 1, 0), 16)
        return min(FIRST_RETRY_SECONDS * (1 << doublings), self._backoff_max)
