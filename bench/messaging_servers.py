"""Servers and client processes of the messaging rows (bench/messaging_bench.py).

The database: a PostgreSQL cluster of their own (bench/plan_bench.py), migrated, the demo data,
the measured plan (bench/plan_data.py) and the conversations (bench/messaging_data.py). Workers:
uvicorn with the harness's own command line and pinning (bench/harness.py), any number of them on
that one database, started one after the other so the first has generated the keys the others
read from the shared data directory. The load: bench/messaging_load.py on the load core, with
its job on stdin; for P5 a client that holds its sockets until told to let go. For P6 a
throwaway redis-server.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import select
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx

from bench import harness, plan_bench
from bench.context import BenchError, ServerContext
from bench.login import SESSION_COOKIE, LoginFailed, log_in_citizen
from bench.report import Pinning
from bench.scenarios import ServerSpec, migrate_and_seed, samplan_postgresql_env

log = logging.getLogger("bench")

SERVER_NAME = "samplan-messaging"
OWNER = "Per Mikkelsen"
LOAD_TIMEOUT_S = 180  # beyond the run's own duration: logins, handshakes, stragglers


def messaging_server(fanout: str, redis_url: str | None = None) -> ServerSpec:
    def env(data_dir: Path, base_url: str) -> Mapping[str, str]:
        values = {**samplan_postgresql_env(data_dir, base_url), "SAMPLAN_FANOUT": fanout}
        if redis_url is not None:
            values["SAMPLAN_REDIS_URL"] = redis_url
        return values

    return ServerSpec(
        name=SERVER_NAME if fanout == "memory" else f"{SERVER_NAME}-{fanout}",
        description=(
            "Samplan, SAMPLAN_ENV=test, PostgreSQL (a cluster of its own, fsync off, pinned to "
            f"the load core), SAMPLAN_FANOUT={fanout}: the demo data, the measured plan and the "
            "conversations of bench/messaging_data.py"
            + ("; two of them on the one database for P6" if fanout != "memory" else "")
        ),
        app_args=("--factory", "app.main:create_app_from_environment"),
        ready_path="/readyz",
        env=env,
        cleanup=plan_bench.stop_cluster,
        helper_cpu=plan_bench.cluster_cpu_seconds,
    )


# --- processes -----------------------------------------------------------------------------------


def run_module(ctx: ServerContext, *args: str, timeout_s: int = 600) -> None:
    """`python -m <args>` with the server's environment (a data step)."""
    command = [ctx.python, "-m", *args]
    try:
        done = subprocess.run(
            command,
            cwd=ctx.project_root,
            env=dict(ctx.env),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=timeout_s,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise BenchError(f"{' '.join(command)} did not finish in {timeout_s} s") from exc
    if done.returncode != 0:
        tail = (done.stdout + done.stderr).strip().splitlines()[-15:]
        raise BenchError(f"{' '.join(command)} exited with {done.returncode}:\n" + "\n".join(tail))


@contextlib.contextmanager
def prepared_database(
    spec: ServerSpec, *, pinning: Pinning, python: str, history_pages: int
) -> Iterator[ServerContext]:
    """A fresh data directory with its cluster and data in, for as long as the rows run."""
    with tempfile.TemporaryDirectory(prefix="samplan-bench-messaging-") as tmp:
        data_dir = Path(tmp) / "data"
        data_dir.mkdir()
        ctx = ServerContext(
            name=spec.name,
            data_dir=data_dir,
            env=harness.server_env(spec, data_dir, "http://127.0.0.1"),
            project_root=harness.PROJECT_ROOT,
            python=python,
            load_prefix=tuple(pinning.load_prefix()),
        )
        try:
            log.info("%s: preparing", spec.name)
            started = time.monotonic()
            plan_bench.start_cluster(ctx)
            migrate_and_seed(ctx)
            run_module(ctx, "bench.plan_data")
            run_module(ctx, "bench.messaging_data", "--history-pages", str(history_pages))
            plan_bench.pin_cluster(ctx)
            log.info("%s: prepared in %.0f s", spec.name, time.monotonic() - started)
            yield ctx
        except plan_bench.PlanBenchError as exc:
            raise BenchError(str(exc)) from exc
        finally:
            plan_bench.stop_cluster(ctx)


@contextlib.contextmanager
def worker(
    spec: ServerSpec, ctx: ServerContext, *, label: str, pinning: Pinning, python: str
) -> Iterator[harness.RunningServer]:
    """One uvicorn worker on the prepared database, on a free port, pinned like the others."""
    port = harness.free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = harness.server_env(spec, ctx.data_dir, base_url)
    command = harness.server_command(spec, pinning=pinning, python=python, port=port)
    log_path = ctx.data_dir.parent / f"server-{label}.log"
    log.info("%s: starting worker %s on 127.0.0.1:%d", spec.name, label, port)
    with harness.process_group(command, env=env, log_path=log_path) as process:
        server = harness.RunningServer(
            spec=spec,
            context=replace(ctx, env=env),
            base_url=base_url,
            process=process,
            log_path=log_path,
        )
        harness.wait_until_ready(server)
        yield server


def load_client(command: str, job: Mapping[str, Any], *, pinning: Pinning, python: str) -> Any:
    """`python -m bench.messaging_load <command>` on the load core; its JSON result."""
    argv = [*pinning.load_prefix(), python, "-m", "bench.messaging_load", command]
    try:
        done = subprocess.run(
            argv,
            cwd=harness.PROJECT_ROOT,
            input=json.dumps(job) + "\n",
            capture_output=True,
            text=True,
            timeout=float(job.get("duration_s", 0)) + LOAD_TIMEOUT_S,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise BenchError(f"bench.messaging_load {command} failed: {exc}") from exc
    if done.returncode != 0 or not done.stdout.strip():
        tail = "\n".join(done.stderr.strip().splitlines()[-15:])
        raise BenchError(f"bench.messaging_load {command} exited with {done.returncode}:\n{tail}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def rss_kib(pid: int) -> int | None:
    found = harness.proc_status(pid, "VmRSS")
    return int(found.split()[0]) if found else None


def open_files_limit(pid: int) -> tuple[int, int] | None:
    """A process's soft and hard limit on open files (None if unlimited or unreadable)."""
    try:
        for line in Path(f"/proc/{pid}/limits").read_text().splitlines():
            if line.startswith("Max open files"):
                soft, hard = line.split()[3:5]
                return int(soft), int(hard)
    except (OSError, ValueError):
        return None
    return None


def raise_open_files_limit(pid: int, needed: int) -> None:
    """Let the running server hold `needed` descriptors (`prlimit`, as it is already running)."""
    limits = open_files_limit(pid)
    if limits is None or limits[0] >= needed:
        return
    hard = max(limits[1], needed)
    try:
        done = subprocess.run(
            ["prlimit", f"--pid={pid}", f"--nofile={needed}:{hard}"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except OSError as exc:
        raise BenchError(f"prlimit: {exc} (util-linux)") from exc
    if done.returncode != 0:
        raise BenchError(f"prlimit could not raise the server's open files: {done.stderr}")


def log_in_owner(base_url: str) -> str:
    try:
        return f"{SESSION_COOKIE}={log_in_citizen(base_url, OWNER)}"
    except (LoginFailed, httpx.HTTPError) as exc:
        raise BenchError(f"logging in as {OWNER}: {exc}") from exc


def ws_url(server: harness.RunningServer) -> str:
    return server.base_url.replace("http://", "ws://", 1) + "/ws"


# --- P5's client that holds the sockets -----------------------------------------------------------


def read_line(process: subprocess.Popen[str], timeout_s: float, what: str) -> Any:
    """The next JSON line the holding client prints, or BenchError."""
    assert process.stdout is not None
    ready, _, _ = select.select([process.stdout], [], [], timeout_s)
    line = process.stdout.readline() if ready else ""
    if not line:
        raise BenchError(f"the websocket client gave no answer {what} within {timeout_s:.0f} s")
    return json.loads(line)


@contextlib.contextmanager
def holding_client(
    job: Mapping[str, Any], *, pinning: Pinning, python: str, log_path: Path
) -> Iterator[subprocess.Popen[str]]:
    """bench.messaging_load hold, pinned to the load core; stopped however the row ends."""
    argv = [*pinning.load_prefix(), python, "-m", "bench.messaging_load", "hold"]
    with log_path.open("w") as errors:
        process = subprocess.Popen(
            argv,
            cwd=harness.PROJECT_ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=errors,
            text=True,
        )
    try:
        assert process.stdin is not None
        process.stdin.write(json.dumps(job) + "\n")
        process.stdin.flush()
        yield process
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


# --- P6: Redis for the second fan-out ------------------------------------------------------------


def _redis_answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as conn:
            conn.sendall(b"PING\r\n")
            return conn.recv(16).startswith(b"+PONG")
    except OSError:
        return False


@contextlib.contextmanager
def redis_server(pinning: Pinning, directory: Path) -> Iterator[str | None]:
    """A throwaway redis-server without persistence on the load core; None if none installed."""
    binary = shutil.which("redis-server")
    if binary is None:
        yield None
        return
    port = harness.free_port()
    argv = [
        *pinning.load_prefix(),
        binary,
        *("--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"),
        *("--dir", str(directory)),
    ]
    log_path = directory / "redis.log"
    with harness.process_group(argv, env=dict(os.environ), log_path=log_path) as process:
        deadline = time.monotonic() + 10
        while not _redis_answers(port):
            if process.poll() is not None or time.monotonic() > deadline:
                raise BenchError(f"redis-server did not answer on port {port}")
            time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
