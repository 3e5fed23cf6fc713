"""Live messages across two app processes: two uvicorn servers on one PostgreSQL database, the
fan-out through PostgreSQL LISTEN/NOTIFY or Redis pub/sub, real websocket clients, nothing mocked.

A client on process B gets what is posted through process A's API; and B's clients get every
message exactly once, in order (quality.md R2), when the database or Redis kills B's listener
connection while messages are posted, when one client's connection drops, and when process B
is restarted while A goes on posting (every client reconnects and resumes from its last number).

The helpers here (a PostgreSQL database whatever SAMPLAN_TEST_DATABASE says, the two processes,
an API client and a reconnecting websocket follower) serve test_live_resume.py as well.
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import signal
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import httpx
import pytest
from redis.asyncio import Redis
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake

from app.messaging.fanout_postgres import LISTENER_APPLICATION_NAME
from tests.conftest import LIVE_SERVER_LOGS
from tests.support import databases, postgres_cluster
from tests.support.live_login import cookie_header, log_in, ws_url
from tests.support.live_server import LiveServer, start_live_server
from tests.support.redis_server import redis_for_tests

# Both backends are PostgreSQL and Redis themselves: one pass is enough (tests/conftest.py).
pytestmark = pytest.mark.postgres_pass

OWNER = ("citizen", "Per Mikkelsen")
STAFF = ("employee", "Ingrid Berg")
REDIS_LISTENER_PREFIX = "samplan-fanout-"  # app/messaging/fanout_redis.py: listener_name


# --- PostgreSQL, whatever the suite stores in --------------------------------------------------


@asynccontextmanager
async def postgres_database(tag: str) -> AsyncIterator[tuple[str, str]]:
    """A fresh PostgreSQL database as (SQLAlchemy URL, asyncpg URL), dropped afterwards.

    Several processes share one database only on PostgreSQL, so these tests use it on the
    SQLite run too: the server at SAMPLAN_TEST_POSTGRES_URL, or a throwaway cluster.
    """
    admin_url = databases.postgres_admin_url()
    cluster = None
    if not await databases.postgres_answers(admin_url):
        cluster = postgres_cluster.start()
        admin_url = cluster.url
    name = f"samplan_{tag}_{databases.worker_suffix()}"
    admin = await asyncpg.connect(admin_url)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    parts = urlsplit(admin_url)._replace(path=f"/{name}")
    try:
        yield urlunsplit(parts._replace(scheme="postgresql+asyncpg")), urlunsplit(parts)
    finally:
        admin = await asyncpg.connect(admin_url)
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()
        if cluster is not None:
            cluster.stop()


# --- app processes ---------------------------------------------------------------------------


@dataclass
class Processes:
    """App processes on one database; each start gets its own data folder (and log), and the
    keys are shared through the environment, as production requires of several processes."""

    database_url: str
    tmp: Path
    env: dict[str, str]
    started: int = 0

    def start(self, label: str) -> LiveServer:
        self.started += 1
        data_dir = self.tmp / f"{label}-{self.started}"
        # migrate and seed-demo are idempotent; starts are never concurrent here.
        server = start_live_server(
            database_url=self.database_url, data_dir=data_dir, extra_env=self.env
        )
        LIVE_SERVER_LOGS.append(server.log_path)
        return server


@dataclass
class Pair:
    a: LiveServer
    b: LiveServer
    processes: Processes
    database: str  # asyncpg URL

    def restart_b(self) -> None:
        """Stop process B and start a new one (on another port) on the same database."""
        self.b.stop()
        self.b = self.processes.start("b")


def live_env(fanout: str, redis_url: str | None = None) -> dict[str, str]:
    env = {
        "SAMPLAN_FANOUT": fanout,
        "SAMPLAN_SECRET_KEY": secrets.token_urlsafe(48),
        "SAMPLAN_DATA_KEY": secrets.token_urlsafe(48),
        "SAMPLAN_LOGIN_RATE_PER_MINUTE": "100000",
        "SAMPLAN_NOTIFICATION_WORKER": "false",
    }
    if redis_url is not None:
        env["SAMPLAN_REDIS_URL"] = redis_url
    return env


@asynccontextmanager
async def two_processes(
    tmp: Path, tag: str, fanout: str, redis_url: str | None = None
) -> AsyncIterator[Pair]:
    async with postgres_database(tag) as (database_url, plain_url):
        processes = Processes(database_url, tmp, live_env(fanout, redis_url))
        a = processes.start("a")
        try:
            pair = Pair(a, processes.start("b"), processes, plain_url)
        except BaseException:
            a.stop()
            raise
        try:
            yield pair
        finally:
            pair.a.stop()
            pair.b.stop()


# --- clients ---------------------------------------------------------------------------------


class Api:
    """The JSON API as one logged-in person, from the event loop."""

    def __init__(self, server: LiveServer, realm: str, label: str) -> None:
        browser = log_in(server, realm, label)
        self.cookie = cookie_header(browser)
        self.client = httpx.AsyncClient(
            base_url=f"{server.url}/api/v1",
            cookies=browser.client.cookies,
            headers={"Origin": server.url},
            timeout=30,
        )
        browser.close()

    async def call(self, method: str, path: str, **kwargs: Any) -> Any:
        response = await self.client.request(method, path, **kwargs)
        assert response.status_code < 300, (path, response.status_code, response.text[:500])
        return response.json() if response.content else None

    async def plan_of(self, owner: str) -> str:
        plans = await self.call("GET", "/plans")
        return str(next(p["id"] for p in plans if p["owner_name"] == owner))

    async def start_thread(self, plan: str, topic: str, text: str) -> str:
        started = await self.call(
            "POST", f"/plans/{plan}/threads", json={"topic": topic, "text": text}
        )
        return str(started["thread"]["id"])

    async def post(self, plan: str, thread: str, text: str) -> int:
        posted = await self.call(
            "POST", f"/plans/{plan}/threads/{thread}/messages", json={"text": text}
        )
        return int(posted["seq"])

    async def aclose(self) -> None:
        await self.client.aclose()


async def open_socket(
    server: LiveServer, cookie: str, *, html: bool = False, **options: Any
) -> ClientConnection:
    return await connect(
        ws_url(server, html=html),
        additional_headers={"Cookie": cookie, "Origin": server.url},
        **options,
    )


def subscribe_frame(plan: str, thread: str, after: int) -> str:
    return json.dumps({"type": "subscribe", "plan": plan, "thread": thread, "after": after})


@dataclass
class Follower:
    """A websocket client following one thread the way a page does: it keeps the last sequence
    number it has, and after any disconnect reconnects (to wherever `server()` is now) and
    subscribes from there."""

    server: Callable[[], LiveServer]
    cookie: str
    plan: str
    thread: str
    seqs: list[int] = field(default_factory=list)
    connections: int = 0
    subscribed: asyncio.Event = field(default_factory=asyncio.Event)
    socket: ClientConnection | None = None

    @property
    def last_seq(self) -> int:
        return self.seqs[-1] if self.seqs else 0

    async def follow(self, until: int, *, linger: float = 0.5) -> None:
        """Receive up to sequence number `until`, then `linger` seconds more, so that a message
        delivered twice would show."""
        settle_at: float | None = None
        while True:
            try:
                async with await open_socket(self.server(), self.cookie) as socket:
                    self.socket, self.connections = socket, self.connections + 1
                    await socket.send(subscribe_frame(self.plan, self.thread, self.last_seq))
                    while True:
                        wait = None if settle_at is None else settle_at - time.monotonic()
                        if wait is not None and wait <= 0:
                            return
                        try:
                            raw = await asyncio.wait_for(socket.recv(), wait)
                        except TimeoutError:
                            return
                        frame = json.loads(raw)
                        if frame["type"] == "subscribed":
                            self.subscribed.set()
                        elif frame["type"] == "message":
                            self.seqs.append(frame["seq"])
                        if settle_at is None and self.last_seq >= until:
                            settle_at = time.monotonic() + linger
            except (OSError, ConnectionClosed, InvalidHandshake, TimeoutError):
                pass  # dropped, refused or not up yet: come back and resume
            finally:
                self.socket = None
            await asyncio.sleep(0.1)


async def follow_all(followers: list[Follower], until: int, timeout: float) -> None:
    async with asyncio.timeout(timeout):
        await asyncio.gather(*(f.follow(until) for f in followers))


def assert_exactly_once_in_order(followers: list[Follower], last: int) -> None:
    expected = list(range(1, last + 1))
    for index, follower in enumerate(followers):
        assert follower.seqs == expected, (index, follower.seqs)


# --- finding process B's connections to the broker ---------------------------------------------


def local_ports(pid: int) -> set[int]:
    """The local TCP ports of a process's sockets (Linux /proc): which broker connections are
    process B's, so the test can kill exactly those."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue  # closed meanwhile
        if target.startswith("socket:["):
            inodes.add(target[len("socket:[") : -1])
    ports = set()
    for table in ("tcp", "tcp6"):
        for line in Path(f"/proc/{pid}/net/{table}").read_text().splitlines()[1:]:
            columns = line.split()
            if columns[9] in inodes:
                ports.add(int(columns[1].rsplit(":", 1)[1], 16))
    return ports


async def kill_postgres_listener(pair: Pair) -> None:
    """pg_terminate_backend on process B's LISTEN connection."""
    ports = local_ports(pair.b.process.pid)
    connection = await asyncpg.connect(pair.database)
    try:
        rows = await connection.fetch(
            "SELECT pid, client_port FROM pg_stat_activity "
            "WHERE datname = current_database() AND application_name = $1",
            LISTENER_APPLICATION_NAME,
        )
        mine = [row["pid"] for row in rows if row["client_port"] in ports]
        assert len(mine) == 1, (rows, ports)
        assert await connection.fetchval("SELECT pg_terminate_backend($1)", mine[0])
    finally:
        await connection.close()


async def redis_listeners_of_b(pair: Pair, redis_url: str) -> list[dict[str, Any]]:
    ports = local_ports(pair.b.process.pid)
    client = Redis.from_url(redis_url, decode_responses=True)
    try:
        clients = await client.client_list(_type="pubsub")
    finally:
        await client.aclose()
    return [
        c
        for c in clients
        if str(c.get("name", "")).startswith(REDIS_LISTENER_PREFIX)
        and int(str(c["addr"]).rsplit(":", 1)[1]) in ports
    ]


async def kill_redis_listener(pair: Pair, redis_url: str) -> None:
    """CLIENT KILL on process B's pub/sub connection."""
    mine = await redis_listeners_of_b(pair, redis_url)
    assert len(mine) == 1, mine
    client = Redis.from_url(redis_url, decode_responses=True)
    try:
        assert await client.client_kill_filter(_id=mine[0]["id"]) == 1
    finally:
        await client.aclose()


async def wait_until(condition: Callable[[], Any], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not await condition():
        assert time.monotonic() < deadline, f"not within {timeout} s: {what}"
        await asyncio.sleep(0.05)


# --- the tests -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def redis_url() -> Iterator[str]:
    with redis_for_tests() as url:
        yield url


@pytest.fixture(scope="module", params=["postgres", "redis"])
async def pair(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Pair]:
    fanout = str(request.param)
    redis = request.getfixturevalue("redis_url") if fanout == "redis" else None
    async with two_processes(
        tmp_path_factory.mktemp(f"live-{fanout}"), f"live_fanout_{fanout}", fanout, redis
    ) as made:
        yield made


@dataclass
class Conversation:
    owner_on_a: Api
    staff_on_b: Api
    plan: str
    thread: str


@pytest.fixture
async def conversation(pair: Pair) -> AsyncIterator[Conversation]:
    """A new thread, started by the plan's owner through process A."""
    owner = Api(pair.a, *OWNER)
    staff = Api(pair.b, *STAFF)
    plan = await owner.plan_of(OWNER[1])
    thread = await owner.start_thread(plan, "Hjemmebesøk", "Første melding")
    yield Conversation(owner, staff, plan, thread)
    await owner.aclose()
    await staff.aclose()


async def test_r2_a_message_posted_on_process_a_reaches_a_client_on_process_b(
    pair: Pair, conversation: Conversation
) -> None:
    c = conversation
    socket = await open_socket(pair.b, c.staff_on_b.cookie)
    try:
        await socket.send(subscribe_frame(c.plan, c.thread, 0))
        replayed = json.loads(await asyncio.wait_for(socket.recv(), 5))
        assert (replayed["type"], replayed["seq"]) == ("message", 1)
        assert json.loads(await asyncio.wait_for(socket.recv(), 5))["type"] == "subscribed"
        for seq, text in ((2, "Andre"), (3, "Tredje")):
            assert await c.owner_on_a.post(c.plan, c.thread, text) == seq
            posted_at = time.monotonic()
            frame = json.loads(await asyncio.wait_for(socket.recv(), 2))
            assert time.monotonic() - posted_at < 2.0
            assert (frame["type"], frame["seq"], frame["text"]) == ("message", seq, text)
            assert frame["author"] == OWNER[1]
    finally:
        await socket.close()


async def test_r2_a_killed_listener_on_process_b_loses_nothing(
    request: pytest.FixtureRequest, pair: Pair, conversation: Conversation
) -> None:
    c = conversation
    fanout = request.node.callspec.params["pair"]
    followers = [Follower(lambda: pair.b, c.staff_on_b.cookie, c.plan, c.thread) for _ in range(2)]
    following = asyncio.gather(*(f.follow(until=16) for f in followers))
    try:
        async with asyncio.timeout(10):
            await asyncio.gather(*(f.subscribed.wait() for f in followers))
        # B is held still while its listener connection is killed and messages are posted, so
        # every wake-up for them is lost to B: only re-reading after the reconnect brings them.
        pair.b.process.send_signal(signal.SIGSTOP)
        try:
            if fanout == "postgres":
                await kill_postgres_listener(pair)
            else:
                await kill_redis_listener(pair, request.getfixturevalue("redis_url"))
            for number in range(2, 12):
                await c.owner_on_a.post(c.plan, c.thread, f"Melding {number}")
        finally:
            pair.b.process.send_signal(signal.SIGCONT)

        async def caught_up() -> bool:
            return all(f.last_seq >= 11 for f in followers)

        await wait_until(caught_up, 10, "the messages posted meanwhile reached B's clients")
        # And live delivery goes on over B's new listener connection.
        for number in range(12, 17):
            await c.owner_on_a.post(c.plan, c.thread, f"Melding {number}")
        async with asyncio.timeout(15):
            await following
    finally:
        following.cancel()
        await asyncio.gather(following, return_exceptions=True)
    assert_exactly_once_in_order(followers, 16)
    assert all(f.connections == 1 for f in followers), "the clients never noticed the broker"
    assert "fan-out listening again" in pair.b.log()


async def test_r2_clients_resume_after_a_dropped_connection_and_a_restart_of_their_process(
    pair: Pair, conversation: Conversation
) -> None:
    c = conversation
    total = 31  # the first message and 30 posted through A at a steady pace
    owner_on_b = Api(pair.b, *OWNER)
    followers = [
        Follower(lambda: pair.b, api.cookie, c.plan, c.thread)
        for api in (c.staff_on_b, c.staff_on_b, c.staff_on_b, owner_on_b, owner_on_b)
    ]
    following = asyncio.ensure_future(follow_all(followers, total, timeout=90))
    restarted = asyncio.Event()
    restarting: asyncio.Future[None] | None = None
    try:
        async with asyncio.timeout(10):
            await asyncio.gather(*(f.subscribed.wait() for f in followers))
        for number in range(2, total + 1):
            if number == 22:  # the last ten once B is back
                await restarted.wait()
            assert await c.owner_on_a.post(c.plan, c.thread, f"Melding {number}") == number
            if number == 8:  # one client's connection drops, the way a network fails
                dropped = followers[0].socket
                assert dropped is not None
                dropped.transport.abort()
            if number == 12:  # every client's: process B stops, and starts again elsewhere
                restarting = asyncio.ensure_future(asyncio.to_thread(pair.restart_b))
                restarting.add_done_callback(lambda _done: restarted.set())
            await asyncio.sleep(0.2)
        assert restarting is not None
        await restarting
        await following
    finally:
        following.cancel()
        await asyncio.gather(following, return_exceptions=True)
        await owner_on_b.aclose()
    assert_exactly_once_in_order(followers, total)
    assert followers[0].connections >= 3
    assert all(f.connections >= 2 for f in followers[1:])
