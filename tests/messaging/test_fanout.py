"""The cross-process fan-out against real PostgreSQL and Redis, nothing mocked.

Two Fanout instances stand for two app processes. Faults are real too: the server kills the
listener's connection (pg_terminate_backend, CLIENT KILL), a TCP relay goes silent the way a
pulled cable does, and a broker is absent when the app starts.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import pytest
from redis.asyncio import Redis

from app.messaging.fanout import (
    Fanout,
    MemoryFanout,
    PostgresFanout,
    RedisFanout,
    asyncpg_dsn,
    make_fanout,
)
from app.settings import ConfigurationError, Environment, Settings
from tests.support import databases, postgres_cluster
from tests.support.live_server import free_port
from tests.support.redis_server import redis_for_tests

# Both backends are PostgreSQL and Redis themselves: one pass is enough (tests/conftest.py).
pytestmark = pytest.mark.postgres_pass

BROKERS = ["postgres", "redis"]
WITHIN = 5.0


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    with redis_for_tests() as url:
        yield url


@pytest.fixture(scope="session")
async def postgres_url() -> AsyncIterator[str]:
    # Runs on the SQLite suite as well: the fan-out needs PostgreSQL whatever the app stores in.
    url = databases.postgres_admin_url()
    if await databases.postgres_answers(url):
        yield url
        return
    cluster = postgres_cluster.start()
    try:
        yield cluster.url
    finally:
        cluster.stop()


@pytest.fixture(scope="session")
def broker_settings(
    request: pytest.FixtureRequest, postgres_url: str, redis_url: str, data_dir: Path
) -> Settings:
    if databases.backend() == "postgresql":
        base: Settings = request.getfixturevalue("settings")
    else:
        sqlalchemy_url = urlunsplit(urlsplit(postgres_url)._replace(scheme="postgresql+asyncpg"))
        base = Settings(env=Environment.TEST, database_url=sqlalchemy_url, data_dir=data_dir)
    return base.model_copy(update={"redis_url": redis_url})


@dataclass
class Fanouts:
    """Builds fan-outs on one channel of this test's own, and stops them afterwards."""

    settings: Settings
    channel: str = field(default_factory=lambda: f"samplan_fanout_test_{uuid.uuid4().hex[:10]}")
    running: list[Fanout] = field(default_factory=list)

    def url(self, backend: str) -> str:
        if backend == "postgres":
            return asyncpg_dsn(self.settings.resolved_database_url)
        return self.settings.redis_url

    def build(self, backend: str, url: str | None = None, **tuning: float) -> Fanout:
        kind = PostgresFanout if backend == "postgres" else RedisFanout
        return kind(url or self.url(backend), channel=self.channel, **tuning)

    async def start(self, fanout: Fanout) -> Fanout:
        self.running.append(fanout)
        await fanout.start()
        return fanout

    async def from_settings(self, backend: str) -> Fanout:
        settings = self.settings.model_copy(update={"fanout": backend})
        return await self.start(make_fanout(settings, channel=self.channel))


@pytest.fixture
async def fanouts(broker_settings: Settings) -> AsyncIterator[Fanouts]:
    made = Fanouts(broker_settings)
    yield made
    for fanout in reversed(made.running):
        await fanout.stop()


class Inbox:
    def __init__(self) -> None:
        self.queue: asyncio.Queue[tuple[str, str]] = asyncio.Queue()

    def __call__(self, topic: str, payload: str) -> None:
        self.queue.put_nowait((topic, payload))

    async def next(self) -> tuple[str, str]:
        return await asyncio.wait_for(self.queue.get(), WITHIN)


def reconnect_signal(fanout: Fanout) -> asyncio.Event:
    reconnected = asyncio.Event()
    fanout.on_reconnect(reconnected.set)
    return reconnected


async def assert_delivers(publisher: Fanout, inbox: Inbox, topic: str) -> None:
    payload = uuid.uuid4().hex
    await publisher.publish(topic, payload)
    assert await inbox.next() == (topic, payload)


@dataclass
class _Link:
    writers: list[asyncio.StreamWriter]
    silent: bool = False


class SilenceableRelay:
    """A TCP relay in front of a real server. silence() makes the open connections swallow
    everything without closing, like a pulled cable or a hung server; new connections pass."""

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        self._target = (parts.hostname or "127.0.0.1", parts.port or 0)
        self._links: list[_Link] = []
        self._handlers: set[asyncio.Task[None]] = set()
        self._server: asyncio.Server | None = None

    async def start(self, port: int = 0) -> int:
        self._server = await asyncio.start_server(self._relay, "127.0.0.1", port)
        return int(self._server.sockets[0].getsockname()[1])

    def silence(self) -> None:
        for link in self._links:
            link.silent = True

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
        for link in self._links:
            for writer in link.writers:
                writer.close()
        if self._handlers:
            await asyncio.wait(self._handlers, timeout=WITHIN)

    async def _relay(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._handlers.add(task)
        try:
            upstream_reader, upstream_writer = await asyncio.open_connection(*self._target)
        except OSError:
            writer.close()
            return
        link = _Link([writer, upstream_writer])
        self._links.append(link)
        try:
            await asyncio.gather(
                self._pump(reader, upstream_writer, link),
                self._pump(upstream_reader, writer, link),
            )
        finally:
            self._handlers.discard(task)

    async def _pump(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, link: _Link
    ) -> None:
        try:
            while data := await reader.read(65536):
                if not link.silent:
                    writer.write(data)
                    await writer.drain()
        except OSError:
            pass
        finally:
            writer.close()


def via(url: str, port: int) -> str:
    parts = urlsplit(url)
    user, at, _host = parts.netloc.rpartition("@")
    return urlunsplit(parts._replace(netloc=f"{user}{at}127.0.0.1:{port}"))


async def kill_listener_connection(fanout: Fanout, fanouts: Fanouts) -> None:
    """What a database restart or an administrator does to the listener's connection."""
    if isinstance(fanout, PostgresFanout):
        assert fanout.listener_pid is not None
        admin = await asyncpg.connect(fanouts.url("postgres"))
        try:
            assert await admin.fetchval("SELECT pg_terminate_backend($1)", fanout.listener_pid)
        finally:
            await admin.close()
        return
    assert isinstance(fanout, RedisFanout)
    admin = Redis.from_url(fanouts.url("redis"), decode_responses=True)
    try:
        (listener,) = [c for c in await admin.client_list() if c["name"] == fanout.listener_name]
        assert await admin.client_kill_filter(_id=listener["id"]) == 1
    finally:
        await admin.aclose()


@pytest.mark.parametrize("backend", BROKERS)
async def test_two_processes_wake_each_other(fanouts: Fanouts, backend: str) -> None:
    first = await fanouts.from_settings(backend)
    second = await fanouts.from_settings(backend)
    assert first.healthy and second.healthy
    first_inbox, second_inbox = Inbox(), Inbox()
    first.subscribe(first_inbox)
    second.subscribe(second_inbox)

    await first.publish("thread:7", "7:42")

    assert await first_inbox.next() == ("thread:7", "7:42")
    assert await second_inbox.next() == ("thread:7", "7:42")
    await assert_delivers(second, first_inbox, "thread:8")


async def test_memory_fanout_delivers_within_the_process(fanouts: Fanouts) -> None:
    fanout = await fanouts.from_settings("memory")
    assert isinstance(fanout, MemoryFanout) and fanout.healthy
    inbox = Inbox()
    fanout.subscribe(inbox)
    await assert_delivers(fanout, inbox, "plan:3")


@pytest.mark.parametrize("backend", BROKERS)
async def test_killed_listener_connection_reconnects_and_says_so(
    fanouts: Fanouts, backend: str
) -> None:
    listener = await fanouts.start(fanouts.build(backend))
    other = await fanouts.start(fanouts.build(backend))
    reconnected = reconnect_signal(listener)
    inbox, other_inbox = Inbox(), Inbox()
    listener.subscribe(inbox)
    other.subscribe(other_inbox)
    await assert_delivers(other, inbox, "thread:1")
    await other_inbox.next()

    await kill_listener_connection(listener, fanouts)

    await asyncio.wait_for(reconnected.wait(), WITHIN)
    assert listener.healthy
    await assert_delivers(other, inbox, "thread:2")
    await other_inbox.next()
    await assert_delivers(listener, other_inbox, "thread:3")


@pytest.mark.parametrize("backend", BROKERS)
async def test_silent_listener_connection_is_noticed_by_the_health_check(
    fanouts: Fanouts, backend: str
) -> None:
    relay = SilenceableRelay(fanouts.url(backend))
    port = await relay.start()
    try:
        listener = await fanouts.start(
            fanouts.build(
                backend,
                via(fanouts.url(backend), port),
                health_interval=0.3,
                health_timeout=0.5,
                backoff_max=0.5,
            )
        )
        other = await fanouts.start(fanouts.build(backend))
        reconnected = reconnect_signal(listener)
        inbox = Inbox()
        listener.subscribe(inbox)
        await assert_delivers(other, inbox, "thread:1")

        relay.silence()

        await asyncio.wait_for(reconnected.wait(), WITHIN)
        assert listener.healthy
        await assert_delivers(other, inbox, "thread:2")
        await listener.stop()
    finally:
        await relay.stop()


@pytest.mark.parametrize("backend", BROKERS)
async def test_broker_down_at_start_is_retried_without_raising(
    fanouts: Fanouts, backend: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="app.messaging.fanout")
    port = free_port()
    listener = await fanouts.start(
        fanouts.build(backend, via(fanouts.url(backend), port), connect_timeout=1, backoff_max=0.5)
    )
    assert not listener.healthy
    await listener.publish("thread:1", "lost-while-down")  # logged, never raised into the app
    reconnected = reconnect_signal(listener)
    inbox = Inbox()
    listener.subscribe(inbox)
    other = await fanouts.start(fanouts.build(backend))

    relay = SilenceableRelay(fanouts.url(backend))
    await relay.start(port)
    try:
        await asyncio.wait_for(reconnected.wait(), WITHIN)
        assert listener.healthy
        await assert_delivers(other, inbox, "thread:2")
        await listener.stop()
    finally:
        await relay.stop()
    events = [getattr(record, "event", None) for record in caplog.records]
    assert "fanout_connect_failed" in events and "fanout_publish_failed" in events
    assert "lost-while-down" not in caplog.text


@pytest.mark.parametrize("backend", BROKERS)
async def test_stop_while_the_broker_is_still_down(fanouts: Fanouts, backend: str) -> None:
    fanout = fanouts.build(backend, via(fanouts.url(backend), free_port()), backoff_max=0.5)
    await fanout.start()
    await asyncio.sleep(0.3)  # the supervisor is now between retries

    await asyncio.wait_for(fanout.stop(), WITHIN)
    assert not fanout.healthy


@pytest.mark.parametrize("backend", ["memory", *BROKERS])
async def test_a_failing_listener_does_not_stop_delivery(
    fanouts: Fanouts, backend: str, caplog: pytest.LogCaptureFixture
) -> None:
    fanout = await fanouts.from_settings(backend)

    def broken(topic: str, payload: str) -> None:
        raise RuntimeError("a receiver with a bug")

    fanout.subscribe(broken)
    inbox = Inbox()
    fanout.subscribe(inbox)
    fanout.on_reconnect(lambda: None)

    await fanout.publish("thread:5", "secret-looking-id")
    assert await inbox.next() == ("thread:5", "secret-looking-id")
    await assert_delivers(fanout, inbox, "thread:6")

    failures = [r for r in caplog.records if getattr(r, "event", "") == "fanout_listener_failed"]
    assert len(failures) == 2
    assert "thread" in failures[0].getMessage()
    assert "secret-looking-id" not in caplog.text


async def test_memory_publish_never_runs_listeners_inline() -> None:
    fanout = MemoryFanout()
    await fanout.start()
    inbox = Inbox()
    fanout.subscribe(inbox)

    await fanout.publish("thread:1", "1:1")

    assert inbox.queue.empty()
    assert await inbox.next() == ("thread:1", "1:1")
    await fanout.stop()
    assert not fanout.healthy


async def test_unsubscribed_listener_hears_nothing_more() -> None:
    fanout = MemoryFanout()
    kept, dropped = Inbox(), Inbox()
    fanout.subscribe(kept)
    unsubscribe = fanout.subscribe(dropped)
    unsubscribe()
    unsubscribe()  # a second call is harmless

    await assert_delivers(fanout, kept, "thread:1")
    assert dropped.queue.empty()


@pytest.mark.parametrize(
    ("topic", "payload"),
    [("", "1"), ("thread|1", "1"), ("t" * 201, "1"), ("thread:1", "x" * 1000)],
)
async def test_wake_ups_that_no_broker_can_carry_are_refused(topic: str, payload: str) -> None:
    with pytest.raises(ValueError):
        await MemoryFanout().publish(topic, payload)


def test_make_fanout_picks_the_configured_backend(tmp_path: Path) -> None:
    sqlite = f"sqlite+aiosqlite:///{tmp_path / 'samplan.db'}"
    postgres = "postgresql+asyncpg://samplan@db.internal:5432/samplan"

    def settings(fanout: str, database_url: str) -> Settings:
        return Settings.model_validate(
            {"env": "test", "data_dir": tmp_path, "fanout": fanout, "database_url": database_url}
        )

    assert isinstance(make_fanout(settings("memory", sqlite)), MemoryFanout)
    assert isinstance(make_fanout(settings("redis", sqlite)), RedisFanout)
    assert isinstance(make_fanout(settings("postgres", postgres)), PostgresFanout)
    assert asyncpg_dsn(postgres) == "postgresql://samplan@db.internal:5432/samplan"
    with pytest.raises(ConfigurationError):
        make_fanout(settings("postgres", sqlite))  # SQLite has no LISTEN/NOTIFY
