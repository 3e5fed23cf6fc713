"""Fan-out across app processes through Redis pub/sub.

redis-py would quietly reconnect and resubscribe a pub/sub connection, so nobody would learn that
wake-ups were missed. The listener client therefore never retries on its own: any error ends the
session and the supervisor reconnects and tells the on_reconnect listeners. A PING every
`health_interval` seconds whose answer (or any other traffic) is overdue marks a silent peer.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable
from dataclasses import dataclass

from redis.asyncio import Redis
from redis.asyncio.client import PubSub
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

from app.messaging.fanout_listeners import DEFAULT_CHANNEL, encode, logger, topic_kind
from app.messaging.fanout_reconnecting import ListenerLost, ReconnectingFanout


@dataclass
class _Subscribed:
    client: Redis
    pubsub: PubSub


class RedisFanout(ReconnectingFanout[_Subscribed]):
    def __init__(
        self,
        url: str,
        *,
        channel: str = DEFAULT_CHANNEL,
        health_interval: float = 5.0,
        health_timeout: float = 3.0,
        connect_timeout: float = 5.0,
        publish_timeout: float = 3.0,
        backoff_max: float = 5.0,
    ) -> None:
        super().__init__(
            "redis",
            health_interval=health_interval,
            health_timeout=health_timeout,
            connect_timeout=connect_timeout,
            backoff_max=backoff_max,
        )
        self._url = url
        self._channel = channel
        self._publish_timeout = publish_timeout
        # Shown by CLIENT LIST, so operators (and fault tests) can find the listener connection.
        self.listener_name = f"samplan-fanout-{uuid.uuid4().hex[:12]}"
        self._publisher: Redis | None = None

    async def publish(self, topic: str, payload: str) -> None:
        message = encode(topic, payload)
        if self._publisher is None:
            # One quick retry (a pooled connection may have died since last use); the caller,
            # often a request, must not wait through redis-py's default backoff.
            self._publisher = Redis.from_url(
                self._url,
                socket_connect_timeout=self._connect_timeout,
                socket_timeout=self._publish_timeout,
                retry=Retry(NoBackoff(), 1),
            )
        try:
            await asyncio.wait_for(
                self._publisher.publish(self._channel, message), self._publish_timeout
            )
        except Exception as error:  # the message is stored; a lost wake-up only costs latency
            logger.warning(
                f"fan-out publish failed (redis, topic kind {topic_kind(topic)}, "
                f"{len(message)} chars)",
                extra={"event": "fanout_publish_failed", "error_type": type(error).__name__},
            )

    async def _close_publisher(self) -> None:
        publisher, self._publisher = self._publisher, None
        if publisher is not None:
            await _quietly(publisher.aclose(), self._publish_timeout)

    async def _open(self) -> _Subscribed:
        client = Redis.from_url(
            self._url,
            decode_responses=True,
            socket_connect_timeout=self._connect_timeout,
            socket_timeout=self._connect_timeout,
            socket_keepalive=True,
            retry=Retry(NoBackoff(), 0),
            client_name=self.listener_name,
        )
        subscribed = _Subscribed(client, client.pubsub())
        try:
            await asyncio.wait_for(self._subscribe(subscribed.pubsub), self._connect_timeout)
        except BaseException:
            await self._close(subscribed)
            raise
        return subscribed

    async def _subscribe(self, pubsub: PubSub) -> None:
        await pubsub.subscribe(self._channel)
        # Listening starts when Redis confirms, not when the command is sent: a reconnect
        # announced earlier could let a receiver re-read before wake-ups reach us again.
        while True:
            reply = await pubsub.get_message(timeout=self._connect_timeout)
            if reply is not None and reply["type"] == "subscribe":
                return

    async def _listen(self, session: _Subscribed) -> None:
        loop = asyncio.get_running_loop()
        last_heard = last_ping = loop.time()
        poll = min(self._health_interval / 2, 1.0)
        while True:
            now = loop.time()
            if now - last_heard > self._health_interval + self._health_timeout:
                raise ListenerLost("no answer to the health check")
            if now - last_ping >= self._health_interval:
                await asyncio.wait_for(session.pubsub.ping(), self._health_timeout)
                last_ping = now
            reply = await asyncio.wait_for(
                session.pubsub.get_message(timeout=poll), poll + self._health_timeout
            )
            if reply is None:
                continue
            last_heard = loop.time()
            if reply["type"] == "message":
                self._registry.deliver_message(str(reply["data"]))

    async def _close(self, session: _Subscribed) -> None:
        closing = session.pubsub.aclose()  # type: ignore[no-untyped-call]  # redis-py lacks a hint
        await _quietly(closing, self._health_timeout)
        await _quietly(session.client.aclose(), self._health_timeout)


async def _quietly(closing: Awaitable[object], seconds: float) -> None:
    """Closing a connection to a dead server must neither hang nor raise."""
    try:
        await asyncio.wait_for(closing, seconds)
    except Exception as error:
        logger.debug(
            "fan-out connection closed uncleanly (redis)",
            extra={"event": "fanout_close_failed", "error_type": type(error).__name__},
        )
