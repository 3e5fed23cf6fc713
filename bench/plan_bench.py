"""The plan rows of `make bench` (P2, P7): their PostgreSQL and their fixed-rate latency run.

PostgreSQL: each plan server gets a throwaway cluster of its own in its fresh data directory,
reached over a Unix socket, `fsync=off` (the shared machine's disk is not what is measured), and
once its data is in, pinned to the load generator's core (the app keeps its core to itself, as
with a database on another machine). Its CPU time is read from /proc so the report can tell it
from other work.

Latency: spec/quality.md sets P2's latency bar at half the maximum rate, which wrk (closed-loop)
cannot offer. `paced_load` sends requests on a fixed schedule whatever the answers do and counts
each latency from the moment the request was due, so a stalled server shows in the figures
instead of hiding behind fewer requests ("coordinated omission"). The harness runs it as
`python -m bench.plan_bench paced` on the load core, a JSON job on stdin and the result on
stdout.

Of the bench package it imports only bench/context.py, for the hooks' context types:
bench/scenarios.py builds on it.
"""

from __future__ import annotations

import argparse
import asyncio
import glob
import json
import os
import pwd
import shutil
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import httpx

from bench.context import ScenarioContext, ServerContext

CLUSTER_DIR = "postgresql"  # in the server's data directory: the cluster's files and socket
DATABASE = "samplan"
MEASURED_PLAN_FILE = "measured-plan-id"  # written by bench/plan_data.py
PACED_PERCENTILES = (50, 90, 99)
STEP_TIMEOUT_S = 120


class PlanBenchError(Exception):
    """The database could not be set up, or the fixed-rate run failed."""


# --- PostgreSQL ----------------------------------------------------------------------------------


def cluster_dir(data_dir: Path) -> Path:
    return data_dir / CLUSTER_DIR


def database_url(data_dir: Path) -> str:
    """The server's database, over the cluster's Unix socket (no TCP port to race for)."""
    return f"postgresql+asyncpg://postgres@/{DATABASE}?host={cluster_dir(data_dir)}"


def _bin_dir() -> Path:
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    found = candidates[-1] if candidates else shutil.which("initdb")
    if not found:
        raise PlanBenchError("no PostgreSQL server binaries (Debian: apt-get install postgresql)")
    return Path(found).parent


def _run_as() -> list[str]:
    """PostgreSQL refuses to run as root; Debian's package has a `postgres` user for it."""
    return ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []


def _step(command: Sequence[str], what: str) -> None:
    try:
        done = subprocess.run(
            list(command),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=STEP_TIMEOUT_S,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise PlanBenchError(f"{what}: {exc}") from exc
    if done.returncode != 0:
        tail = "\n".join((done.stdout + done.stderr).strip().splitlines()[-10:])
        raise PlanBenchError(f"{what} exited with {done.returncode}:\n{tail}")


def start_cluster(ctx: ServerContext) -> None:
    """initdb, start it and create the server's database. Unpinned while the data goes in:
    `pin_cluster` moves it to the load core before the server starts."""
    bin_dir, run_as = _bin_dir(), _run_as()
    directory = cluster_dir(ctx.data_dir)
    directory.mkdir()
    if run_as:
        user = pwd.getpwnam("postgres")
        os.chown(directory, user.pw_uid, user.pw_gid)
        # The postgres user must reach its directory through the harness's private temp dir.
        for parent in (ctx.data_dir, ctx.data_dir.parent):
            parent.chmod(parent.stat().st_mode | 0o111)
    data = directory / "data"
    _step(
        [
            *run_as,
            str(bin_dir / "initdb"),
            *("-D", str(data), "-U", "postgres", "--auth=trust", "--no-sync", "-E", "UTF8"),
        ],
        "initdb",
    )
    options = f"-k {directory} -c listen_addresses='' -c fsync=off -c full_page_writes=off"
    _step(
        [
            *run_as,
            str(bin_dir / "pg_ctl"),
            *("-D", str(data), "-w", "-l", str(directory / "log"), "-o", options, "start"),
        ],
        "starting PostgreSQL",
    )
    _step(
        [*run_as, str(bin_dir / "createdb"), "-h", str(directory), "-U", "postgres", DATABASE],
        "createdb",
    )


def stop_cluster(ctx: ServerContext) -> None:
    """Stop the cluster if it runs; its files go with the server's data directory."""
    data = cluster_dir(ctx.data_dir) / "data"
    if not (data / "postmaster.pid").exists():
        return
    subprocess.run(
        [*_run_as(), str(_bin_dir() / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        timeout=STEP_TIMEOUT_S,
        check=False,
    )


def pin_cluster(ctx: ServerContext) -> None:
    """Move the postmaster and its children to the load core; backends it starts later inherit
    the postmaster's affinity. Nothing to do when the harness does not pin."""
    if not ctx.load_prefix:
        return
    tool, *cpus = ctx.load_prefix  # ("taskset", "-c", "1")
    pids = _cluster_pids(ctx)
    if not pids:
        raise PlanBenchError("pinning PostgreSQL: the cluster does not run")
    _step([tool, "--all-tasks", "--pid", *cpus, str(pids[0])], "pinning PostgreSQL")
    for child in pids[1:]:  # one that ended meanwhile needs no pinning
        subprocess.run(
            [tool, "--all-tasks", "--pid", *cpus, str(child)],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=STEP_TIMEOUT_S,
            check=False,
        )


def _postmaster(ctx: ServerContext) -> int | None:
    try:
        return int((cluster_dir(ctx.data_dir) / "data" / "postmaster.pid").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def _cluster_pids(ctx: ServerContext) -> list[int]:
    """The postmaster and its live children."""
    postmaster = _postmaster(ctx)
    if postmaster is None:
        return []
    children = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            fields = _stat_fields(entry.name)
            if fields is not None and fields[1] == str(postmaster):  # field 4, the parent
                children.append(int(entry.name))
    return [postmaster, *children]


def _stat_fields(pid: int | str) -> list[str] | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat.rsplit(")", 1)[1].split()  # after "pid (comm)": state is field 3, at index 0


def cluster_cpu_seconds(ctx: ServerContext) -> float | None:
    """CPU time the cluster has used: the postmaster, its live children (the backends) and the
    children it has reaped, so a backend that ends during a run is still counted."""
    pids = _cluster_pids(ctx)
    postmaster = _stat_fields(pids[0]) if pids else None
    if postmaster is None:
        return None
    ticks = sum(int(value) for value in postmaster[11:15])  # utime stime cutime cstime
    for pid in pids[1:]:
        fields = _stat_fields(pid)
        if fields is not None:
            ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def measured_plan(ctx: ScenarioContext) -> Mapping[str, str]:
    """The id of the plan the rows read, for the `{plan_id}` in their paths."""
    path = ctx.server.data_dir / MEASURED_PLAN_FILE
    try:
        return {"plan_id": path.read_text().strip()}
    except OSError as exc:
        raise PlanBenchError(f"no measured plan: {exc}") from exc


# --- the fixed-rate run --------------------------------------------------------------------------


@dataclass(frozen=True)
class PacedResult:
    """A run at a fixed offered rate. Latencies count from when each request was due."""

    target_rate: float
    achieved_rate: float  # answers per second over the whole run, stragglers included
    requests: int
    percentiles_ms: Mapping[int, float]  # 50, 90, 99
    max_ms: float
    errors: int  # answers other than the expected status, timeouts, broken connections
    send_lag_p99_ms: float  # how late the generator itself sent: its own limit, not the server's
    server_cpu_pct: float | None = None


def _percentile(ordered: Sequence[float], percent: float) -> float:
    """Nearest rank, so p99 of 100 values is the 99th smallest."""
    if not ordered:
        return 0.0
    rank = max(1, -(-len(ordered) * percent // 100))
    return ordered[int(rank) - 1]


async def paced_load(
    url: str,
    *,
    headers: Mapping[str, str],
    rate: float,
    duration_s: float,
    connections: int,
    expect_status: int = 200,
) -> PacedResult:
    """GET `url` `rate` times a second for `duration_s`, on schedule, over at most
    `connections` keep-alive connections."""
    if rate <= 0 or duration_s <= 0:
        raise PlanBenchError("a fixed-rate run needs a positive rate and duration")
    loop = asyncio.get_running_loop()
    total = max(1, round(rate * duration_s))
    latencies: list[float] = []
    lags: list[float] = []
    errors = 0
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    async with httpx.AsyncClient(
        headers=dict(headers), limits=limits, timeout=10.0, trust_env=False
    ) as client:

        async def one(due: float) -> None:
            nonlocal errors
            lags.append(loop.time() - due)
            try:
                answer = await client.get(url)
                await answer.aread()
                ok = answer.status_code == expect_status
            except httpx.HTTPError:
                ok = False
            if ok:
                latencies.append(loop.time() - due)
            else:
                errors += 1

        start = loop.time() + 0.05
        tasks = []
        for number in range(total):
            due = start + number / rate
            wait = due - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
            tasks.append(asyncio.create_task(one(due)))
        await asyncio.gather(*tasks)
        elapsed = loop.time() - start
    ordered = sorted(latencies)
    return PacedResult(
        target_rate=rate,
        achieved_rate=len(ordered) / elapsed if elapsed > 0 else 0.0,
        requests=total,
        percentiles_ms={p: _percentile(ordered, p) * 1000 for p in PACED_PERCENTILES},
        max_ms=(ordered[-1] * 1000) if ordered else 0.0,
        errors=errors,
        send_lag_p99_ms=_percentile(sorted(lags), 99) * 1000,
    )


def run_paced(
    url: str,
    *,
    headers: Mapping[str, str],
    rate: float,
    duration_s: int,
    connections: int,
    expect_status: int,
    prefix: Sequence[str],
    python: str,
    server_pid: int | None = None,
) -> PacedResult:
    """`paced_load` in its own process, pinned with `prefix` like wrk; the cookie goes on stdin,
    not on a command line."""
    job = {
        "url": url,
        "headers": dict(headers),
        "rate": rate,
        "duration_s": duration_s,
        "connections": connections,
        "expect_status": expect_status,
    }
    before, start = _cpu_seconds(server_pid), time.monotonic()
    try:
        done = subprocess.run(
            [*prefix, python, "-m", "bench.plan_bench", "paced"],
            input=json.dumps(job),
            capture_output=True,
            text=True,
            timeout=duration_s + 60,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise PlanBenchError(f"the fixed-rate run failed: {exc}") from exc
    wall, after = time.monotonic() - start, _cpu_seconds(server_pid)
    if done.returncode != 0:
        raise PlanBenchError(f"the fixed-rate run exited with {done.returncode}: {done.stderr}")
    try:
        found = json.loads(done.stdout)
        result = PacedResult(
            **{**found, "percentiles_ms": {int(k): v for k, v in found["percentiles_ms"].items()}}
        )
    except (ValueError, TypeError, KeyError) as exc:
        raise PlanBenchError(f"could not read the fixed-rate run's result: {exc}") from exc
    if before is not None and after is not None and wall > 0:
        result = PacedResult(**{**asdict(result), "server_cpu_pct": (after - before) / wall * 100})
    return result


def _cpu_seconds(pid: int | None) -> float | None:
    fields = _stat_fields(pid) if pid is not None else None
    if fields is None:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _paced_main() -> int:
    job: dict[str, Any] = json.loads(sys.stdin.read())
    try:
        import uvloop  # the same event loop as the servers; plain asyncio if it is missing

        runner: Any = uvloop.run
    except ImportError:
        runner = asyncio.run
    result = runner(
        paced_load(
            job["url"],
            headers=job["headers"],
            rate=float(job["rate"]),
            duration_s=float(job["duration_s"]),
            connections=int(job["connections"]),
            expect_status=int(job["expect_status"]),
        )
    )
    sys.stdout.write(json.dumps(asdict(result)))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.plan_bench")
    parser.add_argument("command", choices=["paced"], help="paced: a fixed-rate run (JSON job)")
    parser.parse_args(argv)
    return _paced_main()


if __name__ == "__main__":
    sys.exit(main())
