"""The messaging rows of `make bench` (bench/messaging_*.py) at a tiny scale on the suite's
database: the conversations and the bulk-inserted history (pages read alike, sequence numbers
consecutive), and against a real server the harness's own load paths (post → delivered over
websockets, idle sockets held while the plan page is measured again, posts at a fixed rate
stored once each, the history URLs); then the section of the report and its verdicts.

wrk is not needed here: the wrk parts (P3's Lua script, the maximum rates) run in `make bench`.
"""

from __future__ import annotations

import sys
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from app import schema
from app.clock import SystemClock
from app.db import make_engine, make_sessionmaker
from app.demo.seed import seed_demo
from app.messages import service as messages
from app.models import Message, Person, Thread
from app.people.pid_vault import PidVault
from app.settings import Environment, Settings
from bench import messaging_bench, plan_bench
from bench.context import ScenarioContext, ServerContext
from bench.harness import PROJECT_ROOT, RunningServer
from bench.messaging_bench import idle_sockets, measure_delivery, paced_posts
from bench.messaging_data import PAGE_SIZE, POST_THREADS, THREADS_FILE, Threads, prepare
from bench.messaging_load import DeliveryResult
from bench.messaging_report import (
    P5_SOCKETS,
    DeliveryRow,
    HistoryRow,
    IdleRow,
    MessagingResults,
    with_messaging_section,
)
from bench.messaging_servers import log_in_owner, messaging_server
from bench.plan_bench import MEASURED_PLAN_FILE, PacedResult
from bench.report import Measurement, Pinning
from bench.wrk import WrkResult
from tests.conftest import LIVE_SERVER_LOGS
from tests.support import databases
from tests.support.clock import FrozenClock
from tests.support.live_server import start_live_server
from tests.support.logins import citizen

HISTORY_PAGES = 3
UNPINNED = Pinning(None, None, "test")


# --- the conversations and the history -----------------------------------------------------------


@pytest.fixture
async def bench_settings(data_dir: Path, clock: FrozenClock) -> AsyncIterator[Settings]:
    """A database of its own with the demo data, as `make bench` has it."""
    name = f"samplan_messaging_data_{databases.worker_suffix()}"
    url = await databases.fresh_database(name, data_dir)
    own_dir = data_dir / name
    own_dir.mkdir(exist_ok=True)
    settings = Settings(env=Environment.TEST, database_url=url, data_dir=own_dir)
    engine = make_engine(url)
    try:
        await schema.upgrade(engine, settings)
        async with make_sessionmaker(engine).begin() as session:
            await seed_demo(session, vault=PidVault(settings.resolved_data_key()), clock=clock)
        yield settings
    finally:
        await engine.dispose()
        await databases.drop_database(name)


async def test_the_history_is_consecutive_and_its_first_and_last_pages_read_alike(
    bench_settings: Settings, clock: FrozenClock
) -> None:
    threads = await prepare(bench_settings, history_pages=HISTORY_PAGES, clock=clock)
    assert Threads.read(bench_settings.data_dir) == threads
    assert (bench_settings.data_dir / THREADS_FILE).exists()
    assert len(threads.post) == POST_THREADS
    wanted = HISTORY_PAGES * PAGE_SIZE
    assert threads.history_messages == wanted
    history = uuid.UUID(threads.history)
    engine = make_engine(bench_settings.resolved_database_url)
    try:
        async with make_sessionmaker(engine)() as session:
            thread = await session.get(Thread, history)
            assert thread is not None and thread.last_seq == wanted
            seqs = list(
                await session.scalars(
                    select(Message.seq).where(Message.thread_id == history).order_by(Message.seq)
                )
            )
            assert seqs == list(range(1, wanted + 1))
            authors = await session.scalar(
                select(func.count(func.distinct(Message.author_key))).where(
                    Message.thread_id == history
                )
            )
            assert authors == 2  # the owner and the coordinator in turn
            owner = await session.get(Person, thread.created_by_person_id)
            assert owner is not None
            me = citizen(owner)
            newest = await messages.thread_page(session, me, thread.plan_id, history, clock=clock)
            oldest = await messages.thread_page(
                session, me, thread.plan_id, history, clock=clock, before=PAGE_SIZE + 1
            )
            assert [v.message.seq for v in newest.messages] == seqs[-PAGE_SIZE:]
            assert [v.message.seq for v in oldest.messages] == seqs[:PAGE_SIZE]
            assert newest.older_than == wanted - PAGE_SIZE + 1 and oldest.older_than is None
            assert {v.author for v in newest.messages} == {v.author for v in oldest.messages}
            for live in (threads.live, threads.idle, threads.cross, *threads.post):
                started = await session.get(Thread, uuid.UUID(live))
                assert started is not None and started.last_seq == 1
            await session.rollback()
    finally:
        await engine.dispose()


# --- the load paths against a real server --------------------------------------------------------


@dataclass
class Live:
    server: RunningServer
    threads: Threads


@pytest.fixture(scope="module")
async def live(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Live]:
    data_dir: Path = tmp_path_factory.mktemp("bench-messaging")
    name = f"samplan_bench_msg_{databases.worker_suffix()}"
    url = await databases.fresh_database(name, data_dir)
    started = start_live_server(
        database_url=url,
        data_dir=data_dir,
        extra_env={
            "SAMPLAN_LOGIN_RATE_PER_MINUTE": "100000",
            "SAMPLAN_NOTIFICATION_WORKER": "false",
        },
    )
    LIVE_SERVER_LOGS.append(started.log_path)
    try:
        settings = Settings(env=Environment.TEST, database_url=url, data_dir=data_dir)
        threads = await prepare(settings, history_pages=HISTORY_PAGES, clock=SystemClock())
        (data_dir / MEASURED_PLAN_FILE).write_text(threads.plan + "\n")
        spec = messaging_server("memory")
        context = ServerContext(
            name=spec.name,
            data_dir=data_dir,
            env={},
            project_root=PROJECT_ROOT,
            python=sys.executable,
        )
        server = RunningServer(
            spec=spec,
            context=context,
            base_url=started.url,
            process=started.process,
            log_path=started.log_path,
        )
        yield Live(server, threads)
    finally:
        started.stop()
        await databases.drop_database(name)


@pytest.fixture
def owner_cookie(live: Live) -> str:
    return log_in_owner(live.server.base_url)


def _stored(live: Live, cookie: str, thread: str) -> int:
    answer = httpx.get(
        f"{live.server.base_url}/api/v1/plans/{live.threads.plan}/threads",
        headers={"Cookie": cookie},
        timeout=10,
    )
    assert answer.status_code == 200, answer.text[:300]
    return int(next(t["last_seq"] for t in answer.json() if t["id"] == thread))


def test_every_socket_gets_every_post_and_each_delivery_is_timed(live: Live) -> None:
    row = DeliveryRow("P4", "test", "memory", 50.0)
    measure_delivery(
        row,
        poster=live.server,
        listener=live.server,
        workers=[live.server],
        threads=live.threads,
        thread=live.threads.live,
        subscribers=3,
        duration_s=1,
        pinning=UNPINNED,
        python=sys.executable,
        rate=10.0,  # SQLite takes one writer at a time: the bench's 50 a second is PostgreSQL's
    )
    result = row.result
    assert result is not None and row.error is None
    assert result.subscribers == 3 and result.subscribe_failed == 0
    assert result.posted == 10 and result.post_errors == 0
    assert result.delivered == result.expected == 30 and result.missing == 0
    assert 0 < result.percentiles_ms[50] <= result.percentiles_ms[99] <= result.max_ms
    assert row.server_cpu_pct is not None


def test_posts_at_a_fixed_rate_are_stored_once_each(live: Live, owner_cookie: str) -> None:
    threads = live.threads
    urls = [
        f"{live.server.base_url}/api/v1/plans/{threads.plan}/threads/{t}/messages"
        for t in threads.post[:2]
    ]
    before = [_stored(live, owner_cookie, t) for t in threads.post[:2]]
    paced = paced_posts(
        live.server,
        urls,
        owner_cookie,
        rate=10.0,
        duration_s=1,
        pinning=UNPINNED,
        python=sys.executable,
    )
    assert paced.requests == 10 and paced.errors == 0
    after = [_stored(live, owner_cookie, t) for t in threads.post[:2]]
    assert [a - b for a, b in zip(after, before, strict=True)] == [5, 5]
    assert paced.server_cpu_pct is not None


def test_idle_sockets_stay_open_while_the_plan_page_is_measured_again(
    live: Live, owner_cookie: str
) -> None:
    ctx = ScenarioContext(live.server.context, live.server.base_url)
    url = live.server.base_url + "/plans/{plan_id}".format_map(plan_bench.measured_plan(ctx))
    without = plan_bench.run_paced(
        url,
        headers={"Cookie": owner_cookie},
        rate=4.0,
        duration_s=1,
        connections=2,
        expect_status=200,
        prefix=(),
        python=sys.executable,
    )
    row = idle_sockets(
        live.server,
        live.threads,
        without,
        sockets=20,
        duration_s=1,
        pinning=UNPINNED,
        python=sys.executable,
        sessions=2,
    )
    assert row.opened == 20 and row.failed == 0 and row.still_open == 20
    assert row.rss_before_kib and row.rss_after_kib
    assert row.with_sockets is not None and row.with_sockets.errors == 0
    assert row.with_sockets.target_rate == without.target_rate
    assert row.kib_per_socket is not None and row.p99_worse_by is not None


def test_the_history_rows_ask_for_the_newest_and_the_oldest_page(
    live: Live, owner_cookie: str
) -> None:
    newest, oldest = messaging_bench.history_scenarios("test", live.threads)
    ctx = ScenarioContext(live.server.context, live.server.base_url)
    pages = []
    for scenario in (newest, oldest):
        assert scenario.path_params is not None
        path = scenario.path.format_map(scenario.path_params(ctx))
        answer = httpx.get(
            live.server.base_url + path, headers={"Cookie": owner_cookie}, timeout=10
        )
        assert answer.status_code == 200, answer.text[:300]
        pages.append([m["seq"] for m in answer.json()["messages"]])
    last = live.threads.history_messages
    assert pages == [list(range(last - PAGE_SIZE + 1, last + 1)), list(range(1, PAGE_SIZE + 1))]


# --- the report ----------------------------------------------------------------------------------


def _delivery(p99: float, *, missing: int = 0) -> DeliveryResult:
    return DeliveryResult(
        subscribers=50,
        rate=50.0,
        posted=500,
        post_errors=0,
        expected=25_000,
        delivered=25_000 - missing,
        percentiles_ms={50: p99 / 3, 90: p99 / 2, 99: p99},
        max_ms=p99 * 2,
        post_p99_ms=p99 / 2,
        send_lag_p99_ms=0.5,
    )


def _paced(rate: float, p99: float) -> PacedResult:
    return PacedResult(
        target_rate=rate,
        achieved_rate=rate,
        requests=int(rate * 10),
        percentiles_ms={50: p99 / 3, 90: p99 / 2, 99: p99},
        max_ms=p99 * 1.5,
        errors=0,
        send_lag_p99_ms=0.5,
    )


def _page(rps: float) -> Measurement:
    result = WrkResult(
        requests_per_sec=rps,
        requests=int(rps * 10),
        duration_s=10.0,
        latency_avg_ms=10.0,
        latency_max_ms=40.0,
        percentiles_ms={50: 9.0, 75: 11.0, 90: 14.0, 99: 30.0},
        non_2xx=0,
        socket_errors={"connect": 0, "read": 0, "write": 0, "timeout": 0},
    )
    scenario = messaging_bench.history_scenarios("test", _threads())[0]
    return Measurement(scenario=scenario, url="http://x/api/v1/plans/p/threads/t", runs=[result])


def _threads() -> Threads:
    return Threads(
        plan="p",
        post=["a"],
        live="l",
        idle="i",
        cross="c",
        history="h",
        history_messages=50_000,
    )


def test_verdicts_follow_the_bars() -> None:
    assert DeliveryRow("P4", "x", "memory", 50.0, result=_delivery(40.0)).verdict() == "pass"
    assert DeliveryRow("P6", "x", "postgres", 20.0, result=_delivery(40.0)).verdict() == (
        "FAIL (p99)"
    )
    late = DeliveryRow("P4", "x", "memory", 50.0, result=_delivery(10.0, missing=3))
    assert late.verdict() == "FAIL (3 deliveries missing)"
    assert DeliveryRow("P4", "x", "memory", 50.0, error="no server").verdict() == "ERROR"

    idle = IdleRow(
        sockets_wanted=P5_SOCKETS,
        opened=P5_SOCKETS,
        still_open=P5_SOCKETS,
        rss_before_kib=100_000,
        rss_after_kib=100_000 + 60 * P5_SOCKETS,
        without=_paced(20.0, 40.0),
        with_sockets=_paced(20.0, 46.0),
    )
    assert idle.kib_per_socket == pytest.approx(60.0)
    assert idle.p99_worse_by == pytest.approx(0.15)
    assert idle.verdict() == "pass"
    idle.with_sockets = _paced(20.0, 60.0)
    idle.rss_after_kib = 100_000 + 120 * P5_SOCKETS
    assert idle.verdict() == "FAIL (memory, p99)"

    history = HistoryRow(messages=50_000, pages=1_000, first=_page(100.0), last=_page(85.0))
    assert history.ratio == pytest.approx(0.85) and history.verdict() == "pass"
    history.last = _page(70.0)
    assert history.verdict() == "FAIL (page 1,000 slower)"


def test_the_section_goes_before_the_method_and_names_every_row() -> None:
    results = MessagingResults(
        delivery=[DeliveryRow("P4", "one worker, 50-member thread", "memory", 50.0, _delivery(9))],
        idle=IdleRow(sockets_wanted=P5_SOCKETS, error="the client did not answer"),
        history=HistoryRow(messages=50_000, pages=1_000, first=_page(100.0), last=_page(99.0)),
        notes=["P6 with Redis: not run, redis-server is not installed."],
    )
    report = with_messaging_section("# Report\n\n## Results\n\n## Method\n\n- x\n", results)
    section = report.index("## Messages: live delivery")
    assert report.index("## Results") < section < report.index("## Method")
    assert "| P4 | one worker, 50-member thread | memory | 50 | 50 | 25,000 / 25,000 |" in report
    assert "| ERROR |" in report  # the idle row that failed
    assert "| 50,000 messages | 100 | 99 | 0.990 | ≥ 0.80 |" in report
    assert "- P6 with Redis: not run" in report
    assert with_messaging_section("# Report\n", MessagingResults()) == "# Report\n"


def test_only_picks_the_messaging_rows() -> None:
    assert messaging_bench.rows(None) == ["P3", "P4", "P5", "P6", "P7"]
    assert messaging_bench.rows(["P2", "P4", "P7"]) == ["P4", "P7"]
    assert messaging_bench.rows(["P1"]) == []
