"""The plan rows of `make bench` (bench/plan_bench.py, P2 and P7 in bench/scenarios.py): their
wiring, the fixed-rate generator, the report's verdicts and P7 table, and the PostgreSQL
cluster each plan server gets."""

from __future__ import annotations

import asyncio
import datetime as dt
import sys
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import pytest

from bench import plan_bench
from bench.context import ServerContext
from bench.plan_bench import PacedResult, paced_load, run_paced
from bench.report import BenchRun, Measurement, Pinning, RunConfig, noise_warnings, render_report
from bench.run import http_rows
from bench.scenarios import BASELINE_ID, SCENARIOS, SERVERS, Scenario
from bench.wrk import WrkResult

# --- wiring --------------------------------------------------------------------------------------


def test_every_row_names_a_server_and_every_twin_a_row_on_another() -> None:
    servers = {spec.name: spec for spec in SERVERS}
    by_name = {scenario.name: scenario for scenario in SCENARIOS}
    for scenario in SCENARIOS:
        assert scenario.server in servers
        assert ("{" in scenario.path) == (scenario.path_params is not None)
        if scenario.empty_twin is not None:
            twin = by_name[scenario.empty_twin]
            assert twin.path == scenario.path and twin.server != scenario.server
    for spec in SERVERS:
        if spec.helper_cpu is not None:  # a server with its own database also stops it
            assert spec.cleanup is not None and spec.prepare is not None


def test_only_p7_brings_the_p2_rows_it_is_compared_with() -> None:
    assert [s.id for s in http_rows(["P7"])] == [BASELINE_ID, "P2", "P2", "P7", "P7"]
    assert [s.id for s in http_rows(["P2"])] == [BASELINE_ID, "P2", "P2"]
    assert http_rows(None) == list(SCENARIOS)


# --- the report ----------------------------------------------------------------------------------


def _wrk(rps: float, p99: float = 300.0) -> WrkResult:
    return WrkResult(
        requests_per_sec=rps,
        requests=int(rps * 10),
        duration_s=10.0,
        latency_avg_ms=p99 / 2,
        latency_max_ms=p99 * 2,
        percentiles_ms={50: p99 / 3, 75: p99 / 2, 90: p99 / 1.5, 99: p99},
        non_2xx=0,
        socket_errors={"connect": 0, "read": 0, "write": 0, "timeout": 0},
    )


def _paced(rate: float, p99: float, errors: int = 0) -> PacedResult:
    return PacedResult(
        target_rate=rate,
        achieved_rate=rate,
        requests=int(rate * 10),
        percentiles_ms={50: p99 / 3, 90: p99 / 2, 99: p99},
        max_ms=p99 * 1.5,
        errors=errors,
        send_lag_p99_ms=0.5,
        server_cpu_pct=50.0,
    )


def _row(scenario_id: str, path: str) -> Scenario:
    return next(s for s in SCENARIOS if s.id == scenario_id and s.path == path)


def _run(*measurements: Measurement) -> BenchRun:
    config = RunConfig(duration_s=10, warmup_s=3, connections=64, repeats=1, quick=False)
    run = BenchRun(config=config, pinning=Pinning(0, 1, "test"), started=dt.datetime.now(dt.UTC))
    baseline = Measurement(scenario=SCENARIOS[0], runs=[_wrk(10_000.0, 5.0)])
    run.measurements = [baseline, *measurements]
    return run


PLAN, TIMELINE = "/plans/{plan_id}", "/plans/{plan_id}/timeline"


def test_p2_passes_only_with_both_throughput_and_latency_at_half_rate() -> None:
    good = Measurement(_row("P2", PLAN), runs=[_wrk(700.0)], paced=_paced(350.0, 20.0))
    slow = Measurement(_row("P2", TIMELINE), runs=[_wrk(500.0)], paced=_paced(250.0, 80.0))
    run = _run(good, slow)
    assert run.verdict(good) == "pass"
    assert run.verdict(slow) == "FAIL (throughput, p99 at 50 %)"
    report = render_report(run, machine={}, versions={}, commit="test")
    assert "## Latency at half the maximum rate" in report
    assert "| P2 /plans/{plan_id} | 350 | 350 | 6.67 | 10.00 | 20.00 | 30.00 | 0 | ≤ 50 |" in report


def test_p7_compares_each_page_with_its_twin_on_the_empty_database() -> None:
    empty = Measurement(
        _row("P2", PLAN), runs=[_wrk(100.0)], paced=_paced(50.0, 120.0), server_cpu_pct=[100.0]
    )
    full = Measurement(
        _row("P7", PLAN), runs=[_wrk(90.0)], paced=_paced(45.0, 132.0), server_cpu_pct=[99.0]
    )
    empty_tl = Measurement(_row("P2", TIMELINE), runs=[_wrk(100.0)], paced=_paced(50.0, 100.0))
    full_tl = Measurement(_row("P7", TIMELINE), runs=[_wrk(70.0)], paced=_paced(35.0, 100.0))
    run = _run(empty, empty_tl, full, full_tl)
    assert run.full_over_empty(full) == pytest.approx(0.9)
    assert run.verdict(full) == "pass"
    assert run.verdict(full_tl) == "FAIL (× empty)"
    report = render_report(run, machine={}, versions={}, commit="test")
    assert "## P7: cost with a full database" in report
    assert (
        "| plan page as the owner, full database | 100 | 90 | 0.900 | 120.00 | 132.00 | 1.10 "
        "| 10.0 | 11.0 | 1.10 | ≥ 0.80 | pass |"
    ) in report


def test_the_database_on_the_load_core_is_not_counted_as_other_work() -> None:
    row = Measurement(
        _row("P2", PLAN),
        runs=[_wrk(100.0)],
        server_cpu_pct=[100.0],
        load_cpu_pct=[5.0],
        helper_cpu_pct=[40.0],
        cpu_busy_pct=[{"cpu0": 100.0, "cpu1": 47.0}],
    )
    assert noise_warnings(_run(row)) == []
    row.helper_cpu_pct = []
    assert noise_warnings(_run(row)) == [
        "P2 /plans/{plan_id}, run 1: other work took 42 % of cpu1 (wrk's core)"
    ]


# --- the fixed-rate generator --------------------------------------------------------------------


async def _answer(status: int) -> tuple[asyncio.Server, str]:
    """A keep-alive HTTP server on a free port that answers every GET with `status`."""

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while await reader.readuntil(b"\r\n\r\n"):
            writer.write(f"HTTP/1.1 {status} X\r\nContent-Length: 2\r\n\r\nok".encode())
            await writer.drain()

    async def quietly(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            await serve(reader, writer)
        except (asyncio.IncompleteReadError, ConnectionError):
            writer.close()

    server = await asyncio.start_server(quietly, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    return server, f"http://127.0.0.1:{port}/page"


async def test_requests_go_out_on_schedule_and_count_from_when_they_were_due() -> None:
    server, url = await _answer(200)
    async with server:
        result = await paced_load(
            url, headers={"Cookie": "x=1"}, rate=100.0, duration_s=0.3, connections=4
        )
    assert result.requests == 30 and result.errors == 0
    assert 0 < result.percentiles_ms[50] <= result.percentiles_ms[99] <= result.max_ms
    # Never faster than offered: the 30th request is due 0.29 s after the first. How much slower
    # depends on the machine's load, so that is measured by `make bench`, not asserted here.
    assert 0 < result.achieved_rate <= 30 / 0.29
    # Latency counts from when a request was due, so it includes any lag in sending it.
    assert result.max_ms >= result.send_lag_p99_ms * 0.999


async def test_answers_other_than_the_expected_status_are_errors() -> None:
    server, url = await _answer(500)
    async with server:
        result = await paced_load(url, headers={}, rate=50.0, duration_s=0.2, connections=2)
    assert result.errors == result.requests == 10


@pytest.fixture
def threaded_server() -> Iterator[str]:
    """The same server on a loop of its own, for the generator in a subprocess."""
    loop = asyncio.new_event_loop()
    ready = threading.Event()
    found: list[str] = []

    def run() -> None:
        asyncio.set_event_loop(loop)
        server, url = loop.run_until_complete(_answer(200))
        found.append(url)
        ready.set()
        loop.run_forever()
        server.close()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    ready.wait(5)
    yield found[0]
    loop.call_soon_threadsafe(loop.stop)
    thread.join(5)


def test_the_harness_runs_the_generator_in_a_process_of_its_own(threaded_server: str) -> None:
    result = run_paced(
        threaded_server,
        headers={"Cookie": "samplan_session=secret"},
        rate=40.0,
        duration_s=1,
        connections=2,
        expect_status=200,
        prefix=(),
        python=sys.executable,
    )
    assert result.requests == 40 and result.errors == 0 and result.server_cpu_pct is None


# --- the PostgreSQL cluster of a plan server -----------------------------------------------------


async def test_a_plan_server_gets_a_cluster_of_its_own_and_stops_it() -> None:
    with tempfile.TemporaryDirectory(prefix="samplan-test-cluster-") as tmp:
        data_dir = Path(tmp) / "data"
        data_dir.mkdir()
        ctx = ServerContext(
            name="test",
            data_dir=data_dir,
            env={},
            project_root=Path(),
            python=sys.executable,
            load_prefix=("taskset", "-c", "0"),
        )
        try:
            plan_bench.start_cluster(ctx)
            url = plan_bench.database_url(data_dir).replace("postgresql+asyncpg", "postgresql")
            host = str(plan_bench.cluster_dir(data_dir))
            connection = await asyncpg.connect(
                f"postgresql://postgres@/{plan_bench.DATABASE}", host=host
            )
            try:
                assert await connection.fetchval("SELECT current_setting('fsync')") == "off"
            finally:
                await connection.close()
            assert url.endswith(f"?host={host}")
            used = plan_bench.cluster_cpu_seconds(ctx)
            assert used is not None and used >= 0
            plan_bench.pin_cluster(ctx)
            postmaster = (plan_bench.cluster_dir(data_dir) / "data" / "postmaster.pid").read_text()
            status = Path(f"/proc/{postmaster.split()[0]}/status").read_text()
            assert "Cpus_allowed_list:\t0\n" in status
        finally:
            plan_bench.stop_cluster(ctx)
        assert not (plan_bench.cluster_dir(data_dir) / "data" / "postmaster.pid").exists()
        assert plan_bench.cluster_cpu_seconds(ctx) is None
