"""The harness's servers and its measuring of one row: bench/run.py and the messaging rows
(bench/messaging_bench.py, bench/messaging_servers.py) build on it.

A server: a fresh data directory, its prepare hook (Samplan: migrations; on PostgreSQL a cluster of
its own), uvicorn on a free 127.0.0.1 port pinned to one core, in a process group of its own that is
always stopped (and its cleanup hook run), a wait until its ready URL answers. A row: a probe GET, a
wrk warm-up and the measured wrk run(s) from the other core with the CPU each side used, and for
paced rows a fixed-rate run at half the rate.
"""

from __future__ import annotations

import contextlib
import logging
import os
import resource
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import httpx

from bench.context import BenchError, ScenarioContext, ServerContext
from bench.plan_bench import PlanBenchError, run_paced
from bench.report import Measurement, Pinning, RunConfig
from bench.scenarios import Scenario, ServerSpec
from bench.wrk import display_command, parse_wrk_output, run_wrk, wrk_command

log = logging.getLogger("bench")

PROJECT_ROOT = Path(__file__).resolve().parent.parent
READY_TIMEOUT_S = 60.0
STOP_GRACE_S = 5.0
UVICORN_OPTIONS = (
    "--loop",
    "uvloop",
    "--http",
    "httptools",
    "--workers",
    "1",
    "--no-access-log",
    "--log-level",
    "warning",
)


# --- processes ----------------------------------------------------------------------------------


def detect_pinning() -> Pinning:
    cpus = sorted(os.sched_getaffinity(0))
    if shutil.which("taskset") is None:
        return Pinning(None, None, "taskset is not installed")
    if len(cpus) < 2:
        return Pinning(None, None, f"only {len(cpus)} CPU is usable, server and wrk share it")
    return Pinning(cpus[0], cpus[1], f"server on CPU {cpus[0]}, wrk on CPU {cpus[1]}")


def free_port() -> int:
    """A port the kernel just handed out on 127.0.0.1; free again once this returns."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM to the process group, SIGKILL after a grace period or a second interrupt."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=STOP_GRACE_S)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        pass
    finally:
        if process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()


@contextlib.contextmanager
def process_group(
    command: Sequence[str], *, env: dict[str, str], log_path: Path
) -> Iterator[subprocess.Popen[bytes]]:
    with log_path.open("wb") as output:
        process = subprocess.Popen(
            list(command),
            cwd=PROJECT_ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        yield process
    finally:
        stop(process)


def _tail(path: Path, lines: int = 20) -> str:
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return ""
    return "\n".join(text.strip().splitlines()[-lines:])


def proc_status(pid: int, key: str) -> str | None:
    """A field of /proc/<pid>/status (VmRSS, Cpus_allowed_list), or None."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(f"{key}:"):
                return line.split(":", 1)[1].strip()
    except OSError:
        return None
    return None


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of a process and all its threads so far."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat.rsplit(")", 1)[1].split()  # after "pid (comm)"; utime and stime are 14 and 15
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cpu_ticks() -> dict[str, tuple[int, int]]:
    """Busy and total clock ticks of each line of /proc/stat's CPU table (`cpu` sums them all)."""
    ticks: dict[str, tuple[int, int]] = {}
    with contextlib.suppress(OSError):
        for line in Path("/proc/stat").read_text().splitlines():
            name, *values = line.split()
            if not name.startswith("cpu"):
                continue
            user, nice, system, idle, iowait, irq, softirq, steal = (int(v) for v in values[:8])
            busy = user + nice + system + irq + softirq
            ticks[name] = (busy, busy + idle + iowait + steal)
    return ticks


def busy_percent(
    before: dict[str, tuple[int, int]], after: dict[str, tuple[int, int]], cpus: Sequence[str]
) -> dict[str, float]:
    busy: dict[str, float] = {}
    for cpu in cpus:
        if cpu in before and cpu in after:
            total = after[cpu][1] - before[cpu][1]
            if total > 0:
                busy[cpu] = (after[cpu][0] - before[cpu][0]) / total * 100
    return busy


def children_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _shown(path: str) -> str:
    try:
        return str(Path(path).relative_to(PROJECT_ROOT))
    except ValueError:
        return path


# --- servers ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RunningServer:
    spec: ServerSpec
    context: ServerContext
    base_url: str
    process: subprocess.Popen[bytes]
    log_path: Path

    def check_alive(self) -> None:
        code = self.process.poll()
        if code is not None:
            raise BenchError(
                f"the server exited with {code}; its log ends:\n{_tail(self.log_path)}"
            )


def server_command(spec: ServerSpec, *, pinning: Pinning, python: str, port: int) -> list[str]:
    return [
        *pinning.server_prefix(),
        python,
        "-m",
        "uvicorn",
        *spec.app_args,
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        *UVICORN_OPTIONS,
    ]


def shown_server_command(spec: ServerSpec, *, pinning: Pinning, python: str) -> str:
    shown_env = spec.env(Path("/TMP"), "http://127.0.0.1:0")
    env = [f"{name}={value}" for name, value in shown_env.items()]
    command = shlex.join(
        [*env, *server_command(spec, pinning=pinning, python=_shown(python), port=0)]
    )
    return (
        command.replace("/TMP", "<fresh temp dir>")
        .replace("--port 0", "--port <free port>")
        .replace("127.0.0.1:0", "127.0.0.1:<free port>")
    )


def server_env(spec: ServerSpec, data_dir: Path, base_url: str) -> dict[str, str]:
    inherited = {k: v for k, v in os.environ.items() if not k.startswith("SAMPLAN_")}
    return {**inherited, **spec.env(data_dir, base_url)}


def wait_until_ready(server: RunningServer, timeout_s: float = READY_TIMEOUT_S) -> None:
    url = server.base_url + server.spec.ready_path
    deadline = time.monotonic() + timeout_s
    last = "no answer"
    with httpx.Client(trust_env=False, timeout=2.0) as client:
        while True:
            server.check_alive()
            try:
                answer = client.get(url)
                if answer.status_code == 200:
                    return
                last = f"HTTP {answer.status_code}"
            except httpx.HTTPError as exc:
                last = type(exc).__name__
            if time.monotonic() > deadline:
                raise BenchError(
                    f"{url} not ready after {timeout_s:.0f} s "
                    f"(last: {last}); its log ends:\n{_tail(server.log_path)}"
                )
            time.sleep(0.1)


@contextlib.contextmanager
def running_server(spec: ServerSpec, *, pinning: Pinning, python: str) -> Iterator[RunningServer]:
    with tempfile.TemporaryDirectory(prefix=f"samplan-bench-{spec.name}-") as tmp:
        data_dir = Path(tmp) / "data"
        data_dir.mkdir()
        # Chosen before the environment is built: Samplan needs its own URL (SAMPLAN_BASE_URL).
        port = free_port()
        base_url = f"http://127.0.0.1:{port}"
        context = ServerContext(
            name=spec.name,
            data_dir=data_dir,
            env=server_env(spec, data_dir, base_url),
            project_root=PROJECT_ROOT,
            python=python,
            load_prefix=tuple(pinning.load_prefix()),
        )
        try:
            if spec.prepare is not None:
                log.info("%s: preparing", spec.name)
                started = time.monotonic()
                spec.prepare(context)
                log.info("%s: prepared in %.0f s", spec.name, time.monotonic() - started)
            command = server_command(spec, pinning=pinning, python=python, port=port)
            log_path = Path(tmp) / "server.log"
            log.info("%s: starting on 127.0.0.1:%d", spec.name, port)
            with process_group(command, env=dict(context.env), log_path=log_path) as process:
                server = RunningServer(
                    spec=spec,
                    context=context,
                    base_url=base_url,
                    process=process,
                    log_path=log_path,
                )
                wait_until_ready(server)
                yield server
                log.info("%s: stopping", spec.name)
        finally:
            if spec.cleanup is not None:
                spec.cleanup(context)


# --- measuring ----------------------------------------------------------------------------------


def measure(
    scenario: Scenario, server: RunningServer, *, config: RunConfig, pinning: Pinning, wrk: str
) -> Measurement:
    context = ScenarioContext(server.context, server.base_url)
    path = scenario.path
    if scenario.path_params is not None:
        path = path.format_map(scenario.path_params(context))
    url = server.base_url + path
    measurement = Measurement(scenario=scenario, url=url)
    headers: dict[str, str] = {}
    if scenario.setup is not None:
        headers.update(scenario.setup(context) or {})

    with httpx.Client(trust_env=False, timeout=10.0) as client:
        try:
            probe = client.get(url, headers=headers)
        except httpx.HTTPError as exc:
            raise BenchError(f"GET {path} failed: {exc!r}") from exc
    if probe.status_code != scenario.expect_status:
        raise BenchError(
            f"GET {path} answered {probe.status_code}, expected "
            f"{scenario.expect_status}: {probe.text[:120]!r}"
        )
    content_type = probe.headers.get("content-type", "no content-type")
    measurement.response = f"{probe.status_code} {content_type}, {len(probe.content)} B"

    connections = scenario.connections or config.connections

    def command(duration_s: int, latency: bool) -> list[str]:
        return wrk_command(
            wrk=wrk,
            prefix=pinning.load_prefix(),
            connections=connections,
            duration_s=duration_s,
            url=url,
            headers=headers,
            latency=latency,
        )

    if config.warmup_s > 0:
        log.info("%s: warm-up %d s", scenario.name, config.warmup_s)
        run_wrk(command(config.warmup_s, latency=False), config.warmup_s)
        server.check_alive()
    measured = command(config.duration_s, latency=True)
    measurement.wrk_command = display_command(measured)
    pid = server.process.pid
    cpus = [f"cpu{pinning.server_cpu}", f"cpu{pinning.load_cpu}"] if pinning.enabled else ["cpu"]
    helper_cpu = server.spec.helper_cpu
    for number in range(1, config.repeats + 1):
        log.info("%s: run %d/%d, %d s", scenario.name, number, config.repeats, config.duration_s)
        server_before, load_before = cpu_seconds(pid), children_cpu_seconds()
        helper_before = helper_cpu(server.context) if helper_cpu else None
        ticks_before, start = cpu_ticks(), time.monotonic()
        output = run_wrk(measured, config.duration_s)
        wall = time.monotonic() - start
        server_after, load_after, ticks_after = (
            cpu_seconds(pid),
            children_cpu_seconds(),
            cpu_ticks(),
        )
        helper_after = helper_cpu(server.context) if helper_cpu else None
        if helper_before is not None and helper_after is not None:
            measurement.helper_cpu_pct.append((helper_after - helper_before) / wall * 100)
        server.check_alive()
        try:
            result = parse_wrk_output(output)
        except ValueError as exc:
            raise BenchError(f"could not read wrk's output ({exc}):\n{output}") from exc
        if result.duration_s < 0.9 * config.duration_s:
            # wrk stops early and reports normally on SIGINT, e.g. Ctrl-C aimed at the harness.
            raise BenchError(
                f"wrk stopped after {result.duration_s:.1f} s of {config.duration_s} s"
            )
        measurement.runs.append(result)
        if server_before is not None and server_after is not None:
            measurement.server_cpu_pct.append((server_after - server_before) / wall * 100)
        measurement.load_cpu_pct.append((load_after - load_before) / wall * 100)
        measurement.cpu_busy_pct.append(busy_percent(ticks_before, ticks_after, cpus))
    rss = proc_status(pid, "VmRSS")
    measurement.server_rss_kib = int(rss.split()[0]) if rss else None
    measurement.server_affinity = proc_status(pid, "Cpus_allowed_list") or ""
    if scenario.paced and measurement.result is not None:
        rate = measurement.result.requests_per_sec / 2
        if rate <= 0:
            raise BenchError("wrk got no answer in time, so there is no rate to halve")
        log.info("%s: fixed rate %.0f requests/s, %d s", scenario.name, rate, config.duration_s)
        try:
            measurement.paced = run_paced(
                url,
                headers=headers,
                rate=rate,
                duration_s=config.duration_s,
                connections=connections,
                expect_status=scenario.expect_status,
                prefix=pinning.load_prefix(),
                python=sys.executable,
                server_pid=pid,
            )
        except PlanBenchError as exc:
            raise BenchError(str(exc)) from exc
        server.check_alive()
    return measurement
