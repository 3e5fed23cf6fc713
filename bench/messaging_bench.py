"""The messaging rows of `make bench` (issue 7): P3 to P6 and P7's history pages.

One PostgreSQL cluster of their own (bench/messaging_servers.py: initdb in a fresh data
directory, fsync off, pinned to the load core once its data is in), migrated, seeded with the
demo data, Per Mikkelsen's plan grown for the plan page (bench/plan_data.py) and the
conversations of bench/messaging_data.py. Then:

1. One worker (SAMPLAN_FANOUT=memory, pinned to the server core like every row):
   - P5: the plan page as its owner, measured as P2 is (wrk, then the fixed-rate run at half the
     rate); 2,000 idle authenticated websockets opened; the worker's RSS before and after; the
     fixed-rate run again at the same rate with the sockets open.
   - P7: page 1 and page 1,000 of a thread of 50,000 messages over the JSON API, with wrk.
   - P4: 50 websockets subscribed to one thread, 50 posts a second through the API for the run's
     duration, post → delivered at each socket (bench/messaging_load.py).
   - P3: `POST /api/v1/plans/{plan}/threads/{thread}/messages` as the owner with an
     Idempotency-Key each (a wrk Lua script), then posts at a fixed rate at half the maximum.
2. P6: two workers on the same database with SAMPLAN_FANOUT=postgres, then the same with
   SAMPLAN_FANOUT=redis (a throwaway redis-server, if one is installed): 1 websocket on worker B,
   50 posts a second through worker A.

P3, the P5 plan page and the P7 pages are `Measurement`s in the HTTP results (P3 has its bars
there); P4 to P7's own figures go to a section of their own (bench/messaging_report.py).
Order: P5 before the rows that write, so its plan page is the same as P2's.
"""

from __future__ import annotations

import datetime as dt
import logging
import sys
import tempfile
import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx

from bench import harness, plan_bench
from bench.context import BenchError, ScenarioContext, ServerContext
from bench.messaging_data import HISTORY_PAGES, PAGE_SIZE, Threads
from bench.messaging_load import DeliveryResult
from bench.messaging_report import (
    P4_P99_BAR_MS,
    P5_SOCKETS,
    P6_P99_BAR_MS,
    DeliveryRow,
    HistoryRow,
    IdleRow,
    MessagingResults,
    render_messaging_summary,
    with_messaging_section,
)
from bench.messaging_servers import (
    LOAD_TIMEOUT_S,
    OWNER,
    holding_client,
    load_client,
    log_in_owner,
    messaging_server,
    prepared_database,
    raise_open_files_limit,
    read_line,
    redis_server,
    rss_kib,
    worker,
    ws_url,
)
from bench.plan_bench import PacedResult
from bench.report import BenchRun, Measurement, Pinning, RunConfig, load_average
from bench.scenarios import (
    PLAN_CONNECTIONS,
    PLAN_PAGE,
    Scenario,
    citizen_session,
    measured_plan,
)
from bench.wrk import display_command, parse_wrk_output, run_wrk

__all__ = [
    "IDS",
    "render_messaging_summary",
    "rows",
    "run_messaging_bench",
    "with_messaging_section",
]

log = logging.getLogger("bench")

IDS = ("P3", "P4", "P5", "P6", "P7")
SESSIONS = 10  # logins the websockets share: a few people with many tabs
P3_BAR = 0.02
P3_P99_BAR_MS = 100.0
POST_CONNECTIONS = PLAN_CONNECTIONS  # a post takes milliseconds, like a page: the same reasoning
P4_SUBSCRIBERS = 50
DELIVERY_RATE = 50.0  # posts a second (P4; P6 uses the same)
P6_SUBSCRIBERS = 1
HISTORY_PAGE = "/api/v1/plans/{plan_id}/threads/{thread_id}"
MESSAGES = "/api/v1/plans/{plan}/threads/{thread}/messages"
SERVER_SPARE_DESCRIPTORS = 1024  # the database pool, log files, listening socket

# wrk: POST to the threads named after `--`, in turn, each with an Idempotency-Key of its own
# (the first argument makes the keys of one wrk run unlike any other's).
POST_SCRIPT = """\
local prefix, paths, headers, counter = "", {}, {}, 0

function init(args)
  prefix = args[1]
  for i = 2, #args do paths[#paths + 1] = args[i] end
  for name, value in pairs(wrk.headers) do headers[name] = value end
  headers["Content-Type"] = "application/json"
end

function request()
  counter = counter + 1
  headers["Idempotency-Key"] = prefix .. "-" .. counter
  local body = '{"text":"Benchmark post ' .. counter .. ' under load."}'
  return wrk.format("POST", paths[(counter % #paths) + 1], headers, body)
end
"""


def rows(only: Sequence[str] | None) -> list[str]:
    """The messaging rows to run for `--only` (all of them without it)."""
    return [row for row in IDS if not only or row in only]


# --- P3: posting ---------------------------------------------------------------------------------


def post_scenario(server_name: str) -> Scenario:
    return Scenario(
        id="P3",
        label="post a message (Idempotency-Key each), PostgreSQL",
        path="/api/v1/plans/{plan_id}/threads/{thread_id}/messages",
        server=server_name,
        bar=P3_BAR,
        paced=True,
        paced_p99_bar_ms=P3_P99_BAR_MS,
        connections=POST_CONNECTIONS,
    )


def _stored(base_url: str, cookie: str, threads: Threads) -> int:
    """Messages in the threads P3 posts into (the sum of their last sequence numbers)."""
    with httpx.Client(trust_env=False, timeout=10.0) as client:
        answer = client.get(
            f"{base_url}/api/v1/plans/{threads.plan}/threads", headers={"Cookie": cookie}
        )
    if answer.status_code != 200:
        raise BenchError(f"listing the plan's threads answered {answer.status_code}")
    return sum(int(t["last_seq"]) for t in answer.json() if t["id"] in threads.post)


def measure_posts(
    server: harness.RunningServer,
    threads: Threads,
    *,
    config: RunConfig,
    pinning: Pinning,
    wrk: str,
    python: str,
) -> Measurement:
    """P3 as harness.measure does a GET row, with wrk's Lua script for the POSTs."""
    scenario = post_scenario(server.spec.name)
    paths = [MESSAGES.format(plan=threads.plan, thread=thread) for thread in threads.post]
    urls = [server.base_url + path for path in paths]
    measurement = Measurement(scenario=scenario, url=urls[0])
    cookie = log_in_owner(server.base_url)
    with httpx.Client(trust_env=False, timeout=10.0) as client:
        probe = client.post(
            urls[0],
            json={"text": "Probe before the load."},
            headers={"Cookie": cookie, "Idempotency-Key": uuid.uuid4().hex},
        )
    if probe.status_code != 201:
        raise BenchError(f"POST {paths[0]} answered {probe.status_code}: {probe.text[:120]!r}")
    content_type = probe.headers.get("content-type", "no content-type")
    measurement.response = f"{probe.status_code} {content_type}, {len(probe.content)} B"

    with tempfile.TemporaryDirectory(prefix="samplan-bench-post-") as tmp:
        script = Path(tmp) / "post.lua"
        script.write_text(POST_SCRIPT)

        def command(duration_s: int, latency: bool) -> list[str]:
            argv = [*pinning.load_prefix(), wrk, "-t1", f"-c{POST_CONNECTIONS}", f"-d{duration_s}s"]
            if latency:
                argv.append("--latency")
            argv += ["-s", str(script), "-H", f"Cookie: {cookie}", urls[0]]
            return [*argv, "--", uuid.uuid4().hex[:12], *paths]

        if config.warmup_s > 0:
            log.info("%s: warm-up %d s", scenario.name, config.warmup_s)
            run_wrk(command(config.warmup_s, latency=False), config.warmup_s)
            server.check_alive()
        pid = server.process.pid
        cpus = harness_cpus(pinning)
        for number in range(1, config.repeats + 1):
            measured = command(config.duration_s, latency=True)
            measurement.wrk_command = display_command(measured)
            log.info(
                "%s: run %d/%d, %d s", scenario.name, number, config.repeats, config.duration_s
            )
            stored_before = _stored(server.base_url, cookie, threads)
            server_before, load_before = harness.cpu_seconds(pid), harness.children_cpu_seconds()
            helper_before = plan_bench.cluster_cpu_seconds(server.context)
            ticks_before, start = harness.cpu_ticks(), time.monotonic()
            output = run_wrk(measured, config.duration_s)
            wall = time.monotonic() - start
            server_after, load_after = harness.cpu_seconds(pid), harness.children_cpu_seconds()
            ticks_after = harness.cpu_ticks()
            helper_after = plan_bench.cluster_cpu_seconds(server.context)
            server.check_alive()
            try:
                result = parse_wrk_output(output)
            except ValueError as exc:
                raise BenchError(f"could not read wrk's output ({exc}):\n{output}") from exc
            if result.duration_s < 0.9 * config.duration_s:
                raise BenchError(
                    f"wrk stopped after {result.duration_s:.1f} s of {config.duration_s} s"
                )
            stored = _stored(server.base_url, cookie, threads) - stored_before
            if stored < result.requests - result.errors:
                raise BenchError(
                    f"{result.requests} posts answered but only {stored} messages stored: "
                    "were Idempotency-Keys repeated?"
                )
            measurement.runs.append(result)
            if server_before is not None and server_after is not None:
                measurement.server_cpu_pct.append((server_after - server_before) / wall * 100)
            if helper_before is not None and helper_after is not None:
                measurement.helper_cpu_pct.append((helper_after - helper_before) / wall * 100)
            measurement.load_cpu_pct.append((load_after - load_before) / wall * 100)
            measurement.cpu_busy_pct.append(harness.busy_percent(ticks_before, ticks_after, cpus))
    measurement.server_rss_kib = rss_kib(pid)
    measurement.server_affinity = harness.proc_status(pid, "Cpus_allowed_list") or ""
    if measurement.result is not None:
        rate = measurement.result.requests_per_sec / 2
        if rate <= 0:
            raise BenchError("wrk got no answer in time, so there is no rate to halve")
        log.info("%s: fixed rate %.0f posts/s, %d s", scenario.name, rate, config.duration_s)
        measurement.paced = paced_posts(
            server,
            urls,
            cookie,
            rate=rate,
            duration_s=config.duration_s,
            pinning=pinning,
            python=python,
        )
        server.check_alive()
    return measurement


def paced_posts(
    server: harness.RunningServer,
    urls: Sequence[str],
    cookie: str,
    *,
    rate: float,
    duration_s: int,
    pinning: Pinning,
    python: str,
) -> PacedResult:
    """Posts at a fixed rate across `urls` (bench/messaging_load.py paced-post), with the
    server's CPU meanwhile."""
    job = {
        "urls": list(urls),
        "cookie": cookie,
        "rate": rate,
        "duration_s": duration_s,
        "connections": POST_CONNECTIONS,
    }
    pid = server.process.pid
    before, start = harness.cpu_seconds(pid), time.monotonic()
    found = load_client("paced-post", job, pinning=pinning, python=python)
    wall, after = time.monotonic() - start, harness.cpu_seconds(pid)
    paced = PacedResult(
        **{**found, "percentiles_ms": {int(k): v for k, v in found["percentiles_ms"].items()}}
    )
    if before is not None and after is not None and wall > 0:
        paced = replace(paced, server_cpu_pct=(after - before) / wall * 100)
    return paced


def harness_cpus(pinning: Pinning) -> list[str]:
    """The /proc/stat lines whose busy time the report shows: the two cores, or all of them."""
    if pinning.enabled:
        return [f"cpu{pinning.server_cpu}", f"cpu{pinning.load_cpu}"]
    return ["cpu"]


# --- P4, P6: post → delivered --------------------------------------------------------------------


def _workers_cpu(workers: Sequence[harness.RunningServer]) -> float | None:
    """CPU seconds the workers have used so far, together."""
    used = [harness.cpu_seconds(w.process.pid) for w in workers]
    return sum(u for u in used if u is not None) if None not in used else None


def measure_delivery(
    row: DeliveryRow,
    *,
    poster: harness.RunningServer,
    listener: harness.RunningServer,
    workers: Sequence[harness.RunningServer],
    threads: Threads,
    thread: str,
    subscribers: int,
    duration_s: int,
    pinning: Pinning,
    python: str,
    rate: float = DELIVERY_RATE,
) -> DeliveryRow:
    socket_cookies = [log_in_owner(listener.base_url) for _ in range(min(SESSIONS, subscribers))]
    job = {
        "post_url": poster.base_url,
        "post_cookie": log_in_owner(poster.base_url),
        "ws_url": ws_url(listener),
        "origin": listener.base_url,
        "socket_cookies": socket_cookies,
        "plan": threads.plan,
        "thread": thread,
        "subscribers": subscribers,
        "rate": rate,
        "duration_s": duration_s,
    }
    log.info(
        "%s: %d sockets, %.0f posts/s for %d s (%s)",
        row.id,
        subscribers,
        rate,
        duration_s,
        row.fanout,
    )
    before, start = _workers_cpu(workers), time.monotonic()
    found = load_client("delivery", job, pinning=pinning, python=python)
    wall, after = time.monotonic() - start, _workers_cpu(workers)
    row.result = DeliveryResult.from_json(found)
    if before is not None and after is not None and wall > 0:
        row.server_cpu_pct = (after - before) / wall * 100
    for w in workers:
        w.check_alive()
    return row


# --- P5: idle websockets -------------------------------------------------------------------------


def idle_page_scenario(server_name: str) -> Scenario:
    return Scenario(
        id="P5",
        label="plan page as the owner: P5's reference, no websockets open",
        path=PLAN_PAGE,
        server=server_name,
        setup=citizen_session(OWNER),
        path_params=measured_plan,
        connections=PLAN_CONNECTIONS,
        paced=True,
    )


def measure_idle(
    server: harness.RunningServer,
    threads: Threads,
    *,
    sockets: int,
    config: RunConfig,
    pinning: Pinning,
    wrk: str,
    python: str,
) -> tuple[IdleRow, Measurement]:
    """The plan page as P2 measures it, then `idle_sockets` at half its rate."""
    page = harness.measure(
        idle_page_scenario(server.spec.name), server, config=config, pinning=pinning, wrk=wrk
    )
    if page.paced is None:
        raise BenchError("the plan page had no fixed-rate run")
    row = idle_sockets(
        server,
        threads,
        page.paced,
        sockets=sockets,
        duration_s=config.duration_s,
        pinning=pinning,
        python=python,
    )
    return row, page


def idle_sockets(
    server: harness.RunningServer,
    threads: Threads,
    without: PacedResult,
    *,
    sockets: int,
    duration_s: int,
    pinning: Pinning,
    python: str,
    sessions: int = SESSIONS,
) -> IdleRow:
    """Open the idle sockets, the worker's RSS before and after, and the plan page's fixed-rate
    run again at the rate of `without` (its run with no sockets open) while they stay open."""
    row = IdleRow(sockets_wanted=sockets, without=without)
    pid = server.process.pid
    raise_open_files_limit(pid, sockets + SERVER_SPARE_DESCRIPTORS)
    job = {
        "base_url": server.base_url,
        "ws_url": ws_url(server),
        "origin": server.base_url,
        "cookies": [log_in_owner(server.base_url) for _ in range(sessions)],
        "plan": threads.plan,
        "thread": threads.idle,
        "sockets": sockets,
    }
    ctx = ScenarioContext(server.context, server.base_url)
    headers = {"Cookie": log_in_owner(server.base_url)}
    url = server.base_url + PLAN_PAGE.format_map(measured_plan(ctx))
    row.rss_before_kib = rss_kib(pid)
    log.info("P5: opening %d websockets", sockets)
    log_path = server.context.data_dir.parent / "idle-client.log"
    with holding_client(job, pinning=pinning, python=python, log_path=log_path) as holder:
        opened = read_line(holder, LOAD_TIMEOUT_S, "after opening the sockets")
        row.opened, row.failed = int(opened["opened"]), int(opened["failed"])
        row.first_failure = opened.get("first_failure")
        time.sleep(1.0)  # the last handshakes' garbage collected, the worker idle again
        row.rss_after_kib = rss_kib(pid)
        server.check_alive()
        log.info("P5: fixed rate %.1f requests/s with the sockets open", without.target_rate)
        try:
            row.with_sockets = plan_bench.run_paced(
                url,
                headers=headers,
                rate=without.target_rate,
                duration_s=duration_s,
                connections=PLAN_CONNECTIONS,
                expect_status=200,
                prefix=pinning.load_prefix(),
                python=python,
                server_pid=pid,
            )
        except plan_bench.PlanBenchError as exc:
            raise BenchError(str(exc)) from exc
        assert holder.stdin is not None
        holder.stdin.write("done\n")
        holder.stdin.flush()
        row.still_open = int(read_line(holder, LOAD_TIMEOUT_S, "at the end")["still_open"])
    server.check_alive()
    if row.first_failure:
        log.warning("P5: %d sockets failed, the first: %s", row.failed, row.first_failure)
    return row


# --- P7: history pages ---------------------------------------------------------------------------


def history_scenarios(server_name: str, threads: Threads) -> tuple[Scenario, Scenario]:
    pages = threads.history_messages // PAGE_SIZE
    oldest = threads.history_messages - (pages - 1) * PAGE_SIZE + 1

    def params(ctx: ScenarioContext) -> Mapping[str, str]:
        del ctx
        return {"plan_id": threads.plan, "thread_id": threads.history, "before": str(oldest)}

    common: dict[str, Any] = {
        "server": server_name,
        "setup": citizen_session(OWNER),
        "path_params": params,
        "connections": PLAN_CONNECTIONS,
    }
    return (
        Scenario(
            id="P7",
            label=f"thread history over the API, page 1 of {pages:,} (the newest 50)",
            path=HISTORY_PAGE,
            **common,
        ),
        Scenario(
            id="P7",
            label=f"thread history over the API, page {pages:,} (the oldest 50)",
            path=HISTORY_PAGE + "?before={before}",
            **common,
        ),
    )


def measure_history(
    server: harness.RunningServer,
    threads: Threads,
    *,
    config: RunConfig,
    pinning: Pinning,
    wrk: str,
) -> HistoryRow:
    pages = threads.history_messages // PAGE_SIZE
    row = HistoryRow(messages=threads.history_messages, pages=pages)
    newest, oldest = history_scenarios(server.spec.name, threads)
    row.first = harness.measure(newest, server, config=config, pinning=pinning, wrk=wrk)
    row.last = harness.measure(oldest, server, config=config, pinning=pinning, wrk=wrk)
    return row


# --- the rows ------------------------------------------------------------------------------------


def _recorded(run: BenchRun, what: str, exc: BenchError) -> str:
    log.error("%s: %s", what, exc)
    run.errors.append(f"{what}: {exc}")
    return str(exc)


def _one_worker_rows(
    ids: Sequence[str],
    run: BenchRun,
    results: MessagingResults,
    server: harness.RunningServer,
    threads: Threads,
    *,
    pinning: Pinning,
    wrk: str,
    python: str,
    sockets: int,
) -> None:
    config = run.config
    if "P5" in ids:
        idle = IdleRow(sockets_wanted=sockets)
        try:
            idle, page = measure_idle(
                server,
                threads,
                sockets=sockets,
                config=config,
                pinning=pinning,
                wrk=wrk,
                python=python,
            )
            run.measurements.append(page)
        except BenchError as exc:
            idle.error = _recorded(run, "P5 idle websockets", exc)
            server.check_alive()
        results.idle = idle
    if "P7" in ids:
        history = HistoryRow(
            messages=threads.history_messages, pages=threads.history_messages // PAGE_SIZE
        )
        try:
            history = measure_history(server, threads, config=config, pinning=pinning, wrk=wrk)
            run.measurements += [m for m in (history.first, history.last) if m is not None]
        except BenchError as exc:
            history.error = _recorded(run, "P7 history pages", exc)
            server.check_alive()
        results.history = history
    if "P4" in ids:
        row = DeliveryRow("P4", "one worker, 50-member thread", "memory", P4_P99_BAR_MS)
        try:
            measure_delivery(
                row,
                poster=server,
                listener=server,
                workers=[server],
                threads=threads,
                thread=threads.live,
                subscribers=P4_SUBSCRIBERS,
                duration_s=config.duration_s,
                pinning=pinning,
                python=python,
            )
        except BenchError as exc:
            row.error = _recorded(run, "P4 delivery", exc)
            server.check_alive()
        results.delivery.append(row)
    if "P3" in ids:
        scenario = post_scenario(server.spec.name)
        try:
            posts = measure_posts(
                server, threads, config=config, pinning=pinning, wrk=wrk, python=python
            )
        except BenchError as exc:
            posts = Measurement(scenario=scenario, error=_recorded(run, scenario.name, exc))
            server.check_alive()
        run.measurements.append(posts)


def _cross_worker_row(
    fanout: str,
    run: BenchRun,
    ctx: ServerContext,
    threads: Threads,
    *,
    pinning: Pinning,
    python: str,
    redis_url: str | None = None,
) -> DeliveryRow:
    spec = messaging_server(fanout, redis_url)
    run.server_commands[spec.name] = harness.shown_server_command(
        spec, pinning=pinning, python=python
    )
    run.server_descriptions[spec.name] = spec.description
    row = DeliveryRow("P6", "worker A → worker B", fanout, P6_P99_BAR_MS)
    try:
        with (
            worker(spec, ctx, label=f"{fanout}-a", pinning=pinning, python=python) as a,
            worker(spec, ctx, label=f"{fanout}-b", pinning=pinning, python=python) as b,
        ):
            measure_delivery(
                row,
                poster=a,
                listener=b,
                workers=[a, b],
                threads=threads,
                thread=threads.cross,
                subscribers=P6_SUBSCRIBERS,
                duration_s=run.config.duration_s,
                pinning=pinning,
                python=python,
            )
    except BenchError as exc:
        row.error = _recorded(run, f"P6 delivery ({fanout})", exc)
    return row


def run_messaging_bench(
    ids: Sequence[str],
    run: BenchRun,
    *,
    pinning: Pinning,
    wrk: str,
    python: str = sys.executable,
    sockets: int = P5_SOCKETS,
    history_pages: int = HISTORY_PAGES,
) -> MessagingResults:
    """Measure the messaging rows in `ids` into `run` (P3 and the pages) and the returned
    results (the rest). Failures are recorded in `run.errors`, never raised."""
    results = MessagingResults()
    if not ids:
        return results
    spec = messaging_server("memory")
    run.server_commands[spec.name] = harness.shown_server_command(
        spec, pinning=pinning, python=python
    )
    run.server_descriptions[spec.name] = spec.description
    try:
        with prepared_database(
            spec, pinning=pinning, python=python, history_pages=history_pages
        ) as ctx:
            threads = Threads.read(ctx.data_dir)
            if set(ids) & {"P3", "P4", "P5", "P7"}:
                with worker(spec, ctx, label="one", pinning=pinning, python=python) as server:
                    _one_worker_rows(
                        ids,
                        run,
                        results,
                        server,
                        threads,
                        pinning=pinning,
                        wrk=wrk,
                        python=python,
                        sockets=sockets,
                    )
            if "P6" in ids:
                results.delivery.append(
                    _cross_worker_row("postgres", run, ctx, threads, pinning=pinning, python=python)
                )
                with redis_server(pinning, ctx.data_dir.parent) as redis_url:
                    if redis_url is None:
                        results.notes.append(
                            "P6 with Redis: not run, redis-server is not installed."
                        )
                    else:
                        results.delivery.append(
                            _cross_worker_row(
                                "redis",
                                run,
                                ctx,
                                threads,
                                pinning=pinning,
                                python=python,
                                redis_url=redis_url,
                            )
                        )
    except BenchError as exc:
        _recorded(run, f"server {spec.name}", exc)
    run.load_after = load_average()
    run.finished = dt.datetime.now(dt.UTC)
    return results
