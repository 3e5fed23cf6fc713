"""What every fan-out backend shares: the wire format of a wake-up and the listener registry.

A wake-up is "topic|payload" on one broker channel. Topics and payloads are ids only, yet the
logs still carry just the topic's kind (the part before the first ":") and sizes.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

logger = logging.getLogger("app.messaging.fanout")

DEFAULT_CHANNEL = "samplan_fanout"
SEPARATOR = "|"
MAX_TOPIC_BYTES = 200
# Far below PostgreSQL's 8000-byte NOTIFY limit: a wake-up names things, it never carries them.
MAX_PAYLOAD_BYTES = 999

Listener = Callable[[str, str], None]
ReconnectListener = Callable[[], None]


def topic_kind(topic: str) -> str:
    return topic.split(":", 1)[0][:40]


def encode(topic: str, payload: str) -> str:
    """The broker message for a wake-up; ValueError on a topic or payload no backend can carry."""
    if not topic or SEPARATOR in topic or len(topic.encode()) > MAX_TOPIC_BYTES:
        raise ValueError(f"a fan-out topic is 1-{MAX_TOPIC_BYTES} bytes without {SEPARATOR!r}")
    if len(payload.encode()) > MAX_PAYLOAD_BYTES:
        raise ValueError(f"a fan-out payload is at most {MAX_PAYLOAD_BYTES} bytes (ids only)")
    return f"{topic}{SEPARATOR}{payload}"


def decode(message: str) -> tuple[str, str] | None:
    topic, separator, payload = message.partition(SEPARATOR)
    if not separator or not topic:
        return None
    return topic, payload


class ListenerRegistry:
    """Subscribers and reconnect listeners of one fan-out; a failing listener is isolated."""

    def __init__(self, backend: str) -> None:
        self._backend = backend
        # Keyed by a fresh object per registration, so the same callable may be added twice.
        self._listeners: dict[object, Listener] = {}
        self._reconnect_listeners: dict[object, ReconnectListener] = {}

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        key = object()
        self._listeners[key] = listener

        def unsubscribe() -> None:
            self._listeners.pop(key, None)

        return unsubscribe

    def on_reconnect(self, listener: ReconnectListener) -> Callable[[], None]:
        key = object()
        self._reconnect_listeners[key] = listener

        def remove() -> None:
            self._reconnect_listeners.pop(key, None)

        return remove

    def deliver(self, topic: str, payload: str) -> None:
        for listener in tuple(self._listeners.values()):
            try:
                listener(topic, payload)
            except Exception:  # one broken receiver must not keep the wake-up from the others
                logger.exception(
                    f"fan-out listener failed ({self._backend}, topic kind {topic_kind(topic)})",
                    extra={"event": "fanout_listener_failed"},
                )

    def deliver_message(self, message: str) -> None:
        decoded = decode(message)
        if decoded is None:
            logger.warning(
                f"fan-out message without topic dropped ({self._backend}, {len(message)} chars)",
                extra={"event": "fanout_message_malformed"},
            )
            return
        self.deliver(*decoded)

    def reconnected(self) -> None:
        for listener in tuple(self._reconnect_listeners.values()):
            try:
                listener()
            except Exception:  # the others must still catch up on what they may have missed
                logger.exception(
                    f"fan-out reconnect listener failed ({self._backend})",
                    extra={"event": "fanout_reconnect_listener_failed"},
                )
