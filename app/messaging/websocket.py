"""One websocket endpoint, /ws: Origin checked, the session cookie authenticates, access is asked
for each thread subscribed to, and the same services as the pages store every post.

Close codes: 4401 not logged in, 4403 access ended or wrong Origin, 1013 the client fell too far
behind (reconnect and resume from the last sequence number), 4029 too many frames.

Each connection has a reader (frames in) and a writer (frames out, from the hub's queue); either
may end the connection, and the other is then stopped. A client that reads slowly just gets its
messages later: the hub queues only what fits and reads on when the writer has made room. One
that stops reading fills the socket buffers (the operating system's, then uvicorn's), and a send
then waits; a send that has not gone out within SEND_SECONDS closes the connection with 1013.
The queue's own limit (QUEUE_FRAMES) does the same for a client that floods it with requests
for replies. The close frame waits behind the unread data for at most CLOSE_SECONDS: a client
that reads again by then sees 1013 after the frames still in flight, otherwise the connection
is dropped. Either way the client resumes from the last sequence number it has.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from urllib.parse import urlsplit

from fastapi import APIRouter
from starlette.websockets import WebSocket, WebSocketDisconnect

from app.access.actors import Actor
from app.api.deps import load_actor
from app.db import unit_of_work
from app.drafts import service as drafts
from app.errors import DomainError
from app.i18n import language_of, translations
from app.messages import service as messages
from app.messaging import protocol
from app.messaging.connection import (
    CLOSE_FLOOD,
    CLOSE_REVOKED,
    CLOSE_TOO_SLOW,
    ROOM_AGAIN_AT,
    Connection,
)
from app.messaging.hub import Hub

logger = logging.getLogger(__name__)
router = APIRouter()

CLOSE_UNAUTHENTICATED = 4401
# Posting: at most this many frames of any kind in the window; beyond that, refused, and a
# client that keeps flooding is disconnected.
FRAMES_PER_WINDOW = 30
WINDOW_SECONDS = 10.0
FLOOD_FRAMES = 120
# A send that cannot go out for this long means the client has stopped reading (1013).
SEND_SECONDS = 5.0
# How long the close frame may wait behind data the client has not read.
CLOSE_SECONDS = 10.0


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def _origin_allowed(websocket: WebSocket) -> bool:
    """Browsers always send Origin on a websocket; a page of another site must not ride on the
    person's cookie (cross-site websocket hijacking). Clients without a browser send none."""
    origin = websocket.headers.get("origin")
    if origin is None:
        return True
    settings = websocket.app.state.settings
    http_base = str(websocket.base_url).replace("ws://", "http://").replace("wss://", "https://")
    return origin.lower() in {_origin(settings.base_url), _origin(http_base)}


@router.websocket("/ws")
async def live(websocket: WebSocket) -> None:
    # Refusals are close frames with a code and a reason a client can act on; nothing is sent
    # before them, so accepting first gives a refused page nothing.
    if not _origin_allowed(websocket):
        await websocket.accept()
        await websocket.close(code=CLOSE_REVOKED, reason="wrong origin")
        return
    actor = await _who(websocket)
    await websocket.accept()
    if actor is None:
        await websocket.close(code=CLOSE_UNAUTHENTICATED, reason="log in first")
        return
    hub: Hub = websocket.app.state.hub
    connection = Connection(
        websocket=websocket,
        actor=actor,
        language=language_of(websocket),
        html=websocket.query_params.get("format") == "html",
    )
    hub.add(connection)
    reader = asyncio.create_task(_read(connection, hub))
    writer = asyncio.create_task(_write(connection, hub))
    try:
        # The reader ends when the client leaves or floods; the writer when it has closed the
        # socket (access ended, too slow, server going away). A writer that gave up on a client
        # that reads nothing must not leave the reader waiting for a frame that never comes.
        await asyncio.wait({reader, writer}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        hub.remove(connection)
        connection.close(1000, "")  # the writer sends what is queued, then ends
        reader.cancel()
        outcomes = await asyncio.gather(reader, writer, return_exceptions=True)
    for outcome in outcomes:
        if isinstance(outcome, Exception) and not isinstance(outcome, WebSocketDisconnect):
            raise outcome


async def _who(websocket: WebSocket) -> Actor | None:
    # Its own function, so that the closed database session is not kept for the connection's
    # life in live()'s frame (some thousands of idle sockets each held one).
    async with unit_of_work(websocket.app.state.sessionmaker) as session:
        return await load_actor(websocket, session)  # type: ignore[arg-type]


async def _write(connection: Connection, hub: Hub) -> None:
    while True:
        frame = await connection.queue.get()
        if frame is None or connection.close_code == CLOSE_TOO_SLOW:
            break  # what is still queued is not sent: the client resumes from its last number
        try:
            async with asyncio.timeout(SEND_SECONDS):
                await connection.websocket.send_text(frame)
        except TimeoutError:
            connection.close(CLOSE_TOO_SLOW, "too far behind: reconnect and resume")
            break
        except Exception:  # the client went away; the reader notices too
            return
        if connection.behind and connection.queue.qsize() <= ROOM_AGAIN_AT:
            hub.made_room(connection)
    if connection.close_code is not None and connection.close_code != 1000:
        with contextlib.suppress(Exception):
            async with asyncio.timeout(CLOSE_SECONDS):
                await connection.websocket.close(
                    code=connection.close_code, reason=connection.close_reason
                )


async def _read(connection: Connection, hub: Hub) -> None:
    window_start, frames = time.monotonic(), 0
    while connection.close_code is None:
        raw = await connection.websocket.receive_text()
        now = time.monotonic()
        if now - window_start > WINDOW_SECONDS:
            window_start, frames = now, 0
        frames += 1
        if frames > FLOOD_FRAMES:
            connection.close(CLOSE_FLOOD, "too many frames: slow down")
            return
        if frames > FRAMES_PER_WINDOW:
            hub.tell(connection, protocol.error("too_many", "Slow down and try again."))
            continue
        try:
            frame = protocol.parse(raw)
        except protocol.BadFrame as bad:
            hub.tell(connection, protocol.error(bad.code, bad.detail))
            continue
        await _handle(connection, hub, frame)


async def _handle(connection: Connection, hub: Hub, frame: protocol.ClientFrame) -> None:
    app = connection.websocket.app
    clock = app.state.clock
    try:
        if isinstance(frame, protocol.Ping):
            hub.tell(connection, {"type": "pong"})
        elif isinstance(frame, protocol.Subscribe):
            last = await hub.subscribe(connection, frame.plan, frame.thread, frame.after)
            hub.tell(
                connection, {"type": "subscribed", "thread": str(frame.thread), "last_seq": last}
            )
        elif isinstance(frame, protocol.Unsubscribe):
            hub.unsubscribe(connection, frame.thread)
        elif isinstance(frame, protocol.Post):
            async with unit_of_work(app.state.sessionmaker) as session:
                message = await messages.post_message(
                    session,
                    connection.actor,
                    frame.plan,
                    frame.thread,
                    frame.text,
                    clock=clock,
                    client_id=frame.client_id,
                )
                # The page kept a draft of this message while it was typed: it is sent now.
                await drafts.forget_saved(
                    session, connection.actor, frame.plan, f"message:{frame.thread}"
                )
            hub.tell(
                connection,
                {
                    "type": "posted",
                    "plan": str(frame.plan),
                    "thread": str(frame.thread),
                    "client_id": frame.client_id,
                    "seq": message.seq,
                },
            )
        elif isinstance(frame, protocol.Follow):
            await app.state.timeline_followers.follow(connection, frame.plan)
        elif isinstance(frame, protocol.Unfollow):
            connection.following.discard(frame.plan)
        elif isinstance(frame, protocol.Read):
            async with unit_of_work(app.state.sessionmaker) as session:
                await messages.mark_read(
                    session, connection.actor, frame.plan, frame.thread, frame.seq, clock=clock
                )
    except DomainError as refused:
        detail = translations(connection.language).gettext(refused.detail)
        thread = getattr(frame, "thread", None)
        hub.tell(
            connection,
            protocol.error(
                refused.error_code,
                detail,
                thread=str(thread) if thread else None,
                field=refused.field,
            ),
        )
