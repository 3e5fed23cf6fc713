"""Fan-out inside one process: the embedded run and single-worker deployments need no broker."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from app.messaging.fanout_listeners import Listener, ListenerRegistry, ReconnectListener, encode


class MemoryFanout:
    def __init__(self) -> None:
        self._registry = ListenerRegistry("memory")
        self._running = False

    async def start(self) -> None:
        self._running = True

    async def stop(self) -> None:
        self._running = False

    async def publish(self, topic: str, payload: str) -> None:
        encode(topic, payload)  # same limits as the brokers, so a misuse shows up in development
        # Listeners run on a later loop turn, as they would after a broker round trip: the
        # publisher (often inside a request's commit) never runs receiver code.
        asyncio.get_running_loop().call_soon(self._registry.deliver, topic, payload)

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        return self._registry.subscribe(listener)

    def on_reconnect(self, listener: ReconnectListener) -> Callable[[], None]:
        # Nothing between publisher and listener can be lost, so this is never called.
        return self._registry.on_reconnect(listener)

    @property
    def healthy(self) -> bool:
        return self._running
