"""Live clients against one real server (uvicorn, the demo data, the suite's database), nothing
mocked: one that stops reading, one that floods, and a page.

A client that stopped reading is cut off with 1013 and, back with the last sequence number it
had, gets the rest exactly once and in order (quality.md R2), although the rest is more than the
server queues for one connection. A client flooding the server gets "too_many" and then 4029
while the others go on. Pages (?format=html) get the message as escaped HTML fragments.
(Dropped connections and a restarted process: test_live_fanout.py.)
"""

from __future__ import annotations

import asyncio
import json
import socket
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from tests.conftest import LIVE_SERVER_LOGS
from tests.messaging.test_live_fanout import (
    OWNER,
    STAFF,
    Api,
    Follower,
    follow_all,
    open_socket,
    subscribe_frame,
)
from tests.support import databases
from tests.support.live_login import ws_url
from tests.support.live_server import LiveServer, start_live_server

QUEUE_FRAMES = 256  # app/messaging/connection.py: frames queued for one connection at most
POSTERS = {"sqlite": 1, "postgresql": 4}


@pytest.fixture(scope="module")
async def server(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[LiveServer]:
    """One process on the suite's database (SQLite or PostgreSQL), fan-out in memory."""
    data_dir: Path = tmp_path_factory.mktemp("live-resume")
    name = f"samplan_live_resume_{databases.worker_suffix()}"
    url = await databases.fresh_database(name, data_dir)
    live = start_live_server(
        database_url=url,
        data_dir=data_dir,
        extra_env={
            "SAMPLAN_LOGIN_RATE_PER_MINUTE": "100000",
            "SAMPLAN_NOTIFICATION_WORKER": "false",
        },
    )
    LIVE_SERVER_LOGS.append(live.log_path)
    yield live
    live.stop()
    await databases.drop_database(name)


@pytest.fixture
async def owner(server: LiveServer) -> AsyncIterator[Api]:
    api = Api(server, *OWNER)
    yield api
    await api.aclose()


@pytest.fixture
async def staff(server: LiveServer) -> AsyncIterator[Api]:
    api = Api(server, *STAFF)
    yield api
    await api.aclose()


async def _frames_until_closed(socket: ClientConnection, seconds: float) -> tuple[list[Any], int]:
    """Every frame until the server closes the connection, and the close code."""
    frames: list[Any] = []
    try:
        async with asyncio.timeout(seconds):
            while True:
                raw = await socket.recv()
                frames.append(json.loads(raw))
    except ConnectionClosed as closed:
        assert closed.rcvd is not None, f"no close frame ({closed})"
        return frames, closed.rcvd.code
    raise AssertionError("unreachable")


async def _next_frame(socket: ClientConnection, kind: str) -> dict[str, Any]:
    async with asyncio.timeout(5):
        while True:
            frame = json.loads(await socket.recv())
            if frame["type"] == kind:
                return dict(frame)


def _small_receive_buffer(server: LiveServer) -> socket.socket:
    """A client socket whose receive window is small, so a client that stops reading shows at
    the server after a few frames rather than after megabytes of kernel buffers."""
    address = urlsplit(server.url)
    raw = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    raw.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # before connect: sets the window
    raw.connect((address.hostname, address.port))
    raw.setblocking(False)
    return raw


async def test_r2_a_client_that_stops_reading_is_cut_off_with_1013_and_resumes_exactly_once(
    server: LiveServer, owner: Api, staff: Api
) -> None:
    plan = await owner.plan_of(OWNER[1])
    thread = await owner.start_thread(plan, "Mange meldinger", "Melding 1")
    total = 401
    slow = await connect(
        ws_url(server),
        sock=_small_receive_buffer(server),
        additional_headers={"Cookie": staff.cookie, "Origin": server.url},
        max_queue=1,  # the client library holds one frame, not sixteen
        compression=None,  # frames as large on the wire as in the app
    )
    seqs: list[int] = []
    await slow.send(subscribe_frame(plan, thread, 0))
    seqs.append((await _next_frame(slow, "message"))["seq"])
    await _next_frame(slow, "subscribed")
    # From here the client reads nothing, while the messages are posted. Each frame is about
    # 24 KB (JSON writes æ, ø and å as \u00e6 and so on), so the buffers between the server's
    # writer and the client fill after a few.
    text = "æøå" * 1330
    numbers = iter(range(2, total + 1))

    async def post_some() -> None:
        for number in numbers:
            await owner.post(plan, thread, f"{number}: {text}")

    # SQLite takes one writer at a time; more posters there only wait for its lock.
    posting = asyncio.gather(*(post_some() for _ in range(POSTERS[databases.backend()])))
    try:
        started = time.monotonic()
        while '"live_too_slow"' not in server.log():
            assert time.monotonic() - started < 30, "the server never noticed the client"
            await asyncio.sleep(0.1)
        # Reading again: the frames that were on their way, then the close frame.
        frames, code = await _frames_until_closed(slow, 20)
        assert code == 1013
        seqs += [f["seq"] for f in frames if f["type"] == "message"]
        assert seqs == list(range(1, len(seqs) + 1))
        await posting  # the rest is posted while the client is away
    finally:
        posting.cancel()
        await asyncio.gather(posting, return_exceptions=True)
    assert total - len(seqs) > QUEUE_FRAMES, "too little to catch up on to test it"
    # Back with the last number it had: the rest, each once, without being cut off again
    # although it is far more than the server queues for one connection.
    again = Follower(lambda: server, staff.cookie, plan, thread, seqs=seqs)
    await follow_all([again], total, timeout=30)
    assert again.seqs == list(range(1, total + 1))
    assert again.connections == 1


async def test_a_flooding_client_gets_too_many_then_4029_and_the_others_go_on(
    server: LiveServer, owner: Api, staff: Api
) -> None:
    plan = await owner.plan_of(OWNER[1])
    thread = await owner.start_thread(plan, "Flom", "Melding 1")
    other = await open_socket(server, staff.cookie)
    await other.send(subscribe_frame(plan, thread, 0))
    await _next_frame(other, "subscribed")
    flood = await open_socket(server, staff.cookie)
    started = time.monotonic()
    for _ in range(150):
        await flood.send(json.dumps({"type": "ping"}))
    assert time.monotonic() - started < 3
    frames, code = await _frames_until_closed(flood, 10)
    assert code == 4029
    kinds = [f["type"] if f["type"] != "error" else f["code"] for f in frames]
    assert kinds[0] == "pong" and "too_many" in kinds, kinds
    first_refusal = kinds.index("too_many")
    assert set(kinds[:first_refusal]) == {"pong"} and set(kinds[first_refusal:]) == {"too_many"}
    # The others are not held up: live delivery and a new connection both work.
    assert await owner.post(plan, thread, "Etter flommen") == 2
    assert (await _next_frame(other, "message"))["seq"] == 2
    fresh = await open_socket(server, staff.cookie)
    await fresh.send(json.dumps({"type": "ping"}))
    assert (await _next_frame(fresh, "pong")) == {"type": "pong"}
    await fresh.close()
    await other.close()


async def test_pages_get_the_message_as_an_escaped_html_fragment(
    server: LiveServer, owner: Api, staff: Api
) -> None:
    plan = await owner.plan_of(OWNER[1])
    thread = await owner.start_thread(plan, "Nettside", "Melding 1")
    page = await open_socket(server, staff.cookie, html=True)
    try:
        await page.send(subscribe_frame(plan, thread, 0))
        replayed = str(await asyncio.wait_for(page.recv(), 5))
        assert "hx-swap-oob" in replayed and 'data-seq="1"' in replayed
        await owner.post(plan, thread, "<script>alert(1)</script> & <b>hei</b>")
        fragment = str(await asyncio.wait_for(page.recv(), 5))
    finally:
        await page.close()
    assert "hx-swap-oob" in fragment and 'data-seq="2"' in fragment
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;hei&lt;/b&gt;" in fragment
    assert "<script>" not in fragment and "<b>" not in fragment
    assert f"#messages-{thread}" in fragment
