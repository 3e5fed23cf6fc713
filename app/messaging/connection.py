"""One live websocket connection in the hub: who it is, what it has subscribed to, and its
bounded queue of frames (the flow control described in app/messaging/hub.py)."""

from __future__ import annotations

import asyncio
import logging
import uuid
from dataclasses import dataclass, field

from starlette.websockets import WebSocket

from app.access import Actor
from app.i18n import Language
from app.idempotency.service import actor_key

logger = logging.getLogger(__name__)

QUEUE_FRAMES = 256  # frames waiting for one connection's writer; more than this and it is cut off
# Message frames never fill the last REPLY_FRAMES places: replies (subscribed, posted, pong,
# error, revoked) always fit, so only a client that does not read at all runs out of room.
REPLY_FRAMES = 32
ROOM_AGAIN_AT = QUEUE_FRAMES // 4  # the writer asks for more once the queue is down to this
CLOSE_REVOKED = 4403
# 1013 "try again later" (RFC 6455 registry): clients, htmx's websocket extension among them,
# reconnect after it with backoff, and the page resubscribes from its last sequence number.
CLOSE_TOO_SLOW = 1013
CLOSE_FLOOD = 4029


@dataclass
class Subscription:
    plan_id: uuid.UUID
    thread_id: uuid.UUID
    last_seq: int
    reads_from: int


@dataclass(eq=False)
class Connection:
    websocket: WebSocket
    actor: Actor
    language: Language
    html: bool
    subscriptions: dict[uuid.UUID, Subscription] = field(default_factory=dict)
    following: set[uuid.UUID] = field(default_factory=set)  # plans whose timeline it follows
    # Unbounded as an asyncio.Queue, so close() can always put the stop sign (None) behind the
    # frames without dropping one: a dropped message would have the client resume past it.
    # send() keeps the queue to QUEUE_FRAMES.
    queue: asyncio.Queue[str | None] = field(default_factory=asyncio.Queue)
    # Threads with messages this connection had no room for; read again by made_room().
    behind: set[uuid.UUID] = field(default_factory=set)
    close_code: int | None = None
    close_reason: str = ""

    @property
    def key(self) -> str:
        return actor_key(self.actor)

    @property
    def room(self) -> int:
        """How many more message frames may be queued now."""
        if self.close_code is not None:
            return 0
        return QUEUE_FRAMES - REPLY_FRAMES - self.queue.qsize()

    def send(self, frame: str) -> None:
        """Queue a frame; a connection too far behind is closed (it resumes from its last
        sequence number when it comes back)."""
        if self.close_code is not None:
            return
        if self.queue.qsize() >= QUEUE_FRAMES:
            self.close(CLOSE_TOO_SLOW, "too far behind: reconnect and resume")
            return
        self.queue.put_nowait(frame)

    def close(self, code: int, reason: str) -> None:
        """Stop queueing; the writer sends what is queued (all of it unless the client is too
        slow), then the close frame."""
        if self.close_code is None:
            self.close_code, self.close_reason = code, reason
            self.queue.put_nowait(None)
            if code == CLOSE_TOO_SLOW:
                logger.info("live connection too slow; closed", extra={"event": "live_too_slow"})


def position(subscription: Subscription) -> int:
    """The sequence number after which the subscription has (or may have) nothing new."""
    return max(subscription.last_seq, subscription.reads_from)
