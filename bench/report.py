"""The facts a credible benchmark report states, and `bench/REPORT.md` rendered from them.

What the report must contain comes from research/perf_security.md §§ 7.5 and 8.1: machine,
kernel, versions, server and load command lines, pinning, warm-up, duration, repeats,
throughput, latency percentiles, errors, and server CPU and memory.
"""

from __future__ import annotations

import datetime as dt
import importlib.metadata
import os
import platform
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bench.plan_bench import PACED_PERCENTILES, PacedResult
from bench.scenarios import (
    BASELINE_ID,
    GENERATED_AUDIT_ROWS,
    GENERATED_PLANS,
    P7_TOLERANCE,
    Scenario,
)
from bench.wrk import PERCENTILES, WrkResult

PACKAGES = (
    "uvicorn",
    "uvloop",
    "httptools",
    "fastapi",
    "starlette",
    "pydantic",
    "sqlalchemy",
    "aiosqlite",
    "asyncpg",
    "jinja2",
    "httpx",
)


OTHER_WORK_LIMIT_PCT = 10.0  # % of the server's core used by anything but the server
SATURATED_PCT = 90.0  # a server below this share of a core was not the limit
PACED_LAG_LIMIT_MS = 10.0  # a fixed-rate generator later than this at p99 was itself the limit
PACED_RATE_SHORTFALL = 0.95  # answered below this share of the offered rate: the server fell back


@dataclass(frozen=True)
class RunConfig:
    duration_s: int
    warmup_s: int
    connections: int
    repeats: int
    quick: bool


@dataclass(frozen=True)
class Pinning:
    """Server on one core, wrk on another; both None when taskset or a second core is missing."""

    server_cpu: int | None
    load_cpu: int | None
    note: str

    @property
    def enabled(self) -> bool:
        return self.server_cpu is not None and self.load_cpu is not None

    def server_prefix(self) -> list[str]:
        return ["taskset", "-c", str(self.server_cpu)] if self.enabled else []

    def load_prefix(self) -> list[str]:
        return ["taskset", "-c", str(self.load_cpu)] if self.enabled else []


@dataclass
class Measurement:
    """One scenario's outcome: its wrk runs, or the error that stopped it."""

    scenario: Scenario
    url: str = ""
    response: str = ""  # what a single GET answered: status, content type, size
    runs: list[WrkResult] = field(default_factory=list)
    server_cpu_pct: list[float] = field(default_factory=list)
    load_cpu_pct: list[float] = field(default_factory=list)
    cpu_busy_pct: list[dict[str, float]] = field(default_factory=list)  # "cpu0" -> % busy
    server_rss_kib: int | None = None
    server_affinity: str = ""
    wrk_command: str = ""
    error: str | None = None
    helper_cpu_pct: list[float] = field(default_factory=list)  # the server's database
    paced: PacedResult | None = None  # the fixed-rate run at half the maximum rate

    @property
    def result(self) -> WrkResult | None:
        """The run with the median requests/s (the lower middle one for an even count)."""
        if not self.runs:
            return None
        ordered = sorted(self.runs, key=lambda run: run.requests_per_sec)
        return ordered[(len(ordered) - 1) // 2]


@dataclass
class BenchRun:
    config: RunConfig
    pinning: Pinning
    started: dt.datetime
    server_commands: dict[str, str] = field(default_factory=dict)
    server_descriptions: dict[str, str] = field(default_factory=dict)
    measurements: list[Measurement] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    load_before: str = ""
    load_after: str = ""
    finished: dt.datetime | None = None

    @property
    def baseline_rps(self) -> float | None:
        for measurement in self.measurements:
            result = measurement.result
            if measurement.scenario.id == BASELINE_ID and result is not None:
                return result.requests_per_sec
        return None

    def ratio(self, measurement: Measurement) -> float | None:
        baseline, result = self.baseline_rps, measurement.result
        if baseline is None or result is None or baseline <= 0:
            return None
        return result.requests_per_sec / baseline

    def twin(self, measurement: Measurement) -> Measurement | None:
        """P7: the same page's row on the empty database."""
        name = measurement.scenario.empty_twin
        return next((m for m in self.measurements if name and m.scenario.name == name), None)

    def full_over_empty(self, measurement: Measurement) -> float | None:
        """P7: this row's requests/s over its empty-database twin's."""
        twin = self.twin(measurement)
        result, empty = measurement.result, twin.result if twin else None
        if result is None or empty is None or empty.requests_per_sec <= 0:
            return None
        return result.requests_per_sec / empty.requests_per_sec

    def verdict(self, measurement: Measurement) -> str:
        result, ratio, scenario = measurement.result, self.ratio(measurement), measurement.scenario
        if measurement.error is not None or result is None:
            return "ERROR"
        if result.errors:
            return f"FAIL ({result.errors} errors)"
        if scenario.id == BASELINE_ID:
            return "baseline"
        missed = []
        if scenario.bar is not None and ratio is not None and ratio < scenario.bar:
            missed.append("throughput")
        paced = measurement.paced
        if paced is not None and paced.errors:
            missed.append(f"{paced.errors} errors at 50 %")
        elif paced is not None and scenario.paced_p99_bar_ms is not None:
            if paced.percentiles_ms[99] > scenario.paced_p99_bar_ms:
                missed.append("p99 at 50 %")
        full_over_empty = self.full_over_empty(measurement)
        if full_over_empty is not None and full_over_empty < 1 - P7_TOLERANCE:
            missed.append("× empty")
        if missed:
            return f"FAIL ({', '.join(missed)})"
        has_bar = scenario.bar is not None or scenario.paced_p99_bar_ms is not None
        if not has_bar and full_over_empty is None:
            return "—"
        return "pass"


# --- facts about the machine and the software ---------------------------------------------------


def _read(path: str) -> str:
    try:
        return Path(path).read_text()
    except OSError:
        return ""


def machine_facts() -> dict[str, str]:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in _read("/proc/cpuinfo").splitlines()
            if line.startswith("model name")
        ),
        platform.processor() or "unknown",
    )
    memory = "unknown"
    for line in _read("/proc/meminfo").splitlines():
        if line.startswith("MemTotal:"):
            memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    os_name = next(
        (
            line.split("=", 1)[1].strip().strip('"')
            for line in _read("/etc/os-release").splitlines()
            if line.startswith("PRETTY_NAME=")
        ),
        platform.system(),
    )
    affinity = sorted(os.sched_getaffinity(0))
    facts = {
        "CPU": cpu,
        "Cores": f"{os.cpu_count()} (usable here: {', '.join(map(str, affinity))})",
        "Memory": memory,
        "Kernel": f"{platform.system()} {platform.release()} {platform.machine()}",
        "OS": os_name,
    }
    governor = _read("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor").strip()
    if governor:
        facts["CPU frequency governor"] = governor
    return facts


def load_average() -> str:
    return " ".join(_read("/proc/loadavg").split()[:3]) or "unknown"


def software_versions(wrk: str) -> dict[str, str]:
    versions = {"Python": f"{platform.python_implementation()} {platform.python_version()}"}
    for package in PACKAGES:
        try:
            versions[package] = importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            versions[package] = "not installed"
    versions["wrk"] = wrk_version(wrk)
    return versions


def wrk_version(wrk: str) -> str:
    try:
        done = subprocess.run(
            [wrk, "--version"], capture_output=True, text=True, timeout=10, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    first = (done.stdout + done.stderr).strip().splitlines()[:1]
    return first[0].split(" Copyright")[0].strip() if first else "unknown"


def git_commit(project_root: Path) -> str:
    """HEAD and whether tracked files differ from it; read-only (no index refresh, no locks)."""
    env = {**os.environ, "GIT_OPTIONAL_LOCKS": "0"}

    def git(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["git", "-C", str(project_root), *args],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
            env=env,
        )

    try:
        head = git("rev-parse", "--short=12", "HEAD")
        if head.returncode != 0:
            return "none (no commit yet)"
        dirty = git("status", "--porcelain", "--untracked-files=no").stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    return head.stdout.strip() + (" with uncommitted changes" if dirty else "")


# --- rendering ----------------------------------------------------------------------------------


def _rps(value: float) -> str:
    return f"{value:,.0f}"


def _ms(value: float) -> str:
    return f"{value:.2f}"


def _table(header: Sequence[str], rows: Sequence[Sequence[str]], align: str) -> list[str]:
    """A Markdown table; `align` has one letter per column, `l` (left) or `r` (right)."""
    rule = [{"l": "---", "r": "---:"}[letter] for letter in align]
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join(rule) + " |"]
    lines += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in rows]
    return lines


def _bar(scenario: Scenario) -> str:
    bars = [f"≥ {scenario.bar:.2f}"] if scenario.bar is not None else []
    if scenario.paced_p99_bar_ms is not None:
        bars.append(f"p99 ≤ {scenario.paced_p99_bar_ms:.0f} ms at 50 %")
    if scenario.empty_twin is not None:
        bars.append(f"≥ {1 - P7_TOLERANCE:.2f} × empty")
    return ", ".join(bars) or "—"


def results_table(run: BenchRun) -> list[str]:
    rows = []
    for m in run.measurements:
        result, ratio = m.result, run.ratio(m)
        p = result.percentiles_ms if result else {}
        rows.append(
            [
                m.scenario.id,
                m.scenario.label,
                f"`{m.scenario.path}`",
                run.verdict(m),
                _rps(result.requests_per_sec) if result else "—",
                f"{ratio:.3f}" if ratio is not None else "—",
                _bar(m.scenario),
                _ms(p[50]) if p else "—",
                _ms(p[90]) if p else "—",
                _ms(p[99]) if p else "—",
                str(result.errors) if result else "—",
            ]
        )
    header = [
        "Id",
        "What",
        "URL",
        "Result",
        "req/s",
        "× R0",
        "Bar",
        "p50 ms",
        "p90 ms",
        "p99 ms",
        "Errors",
    ]
    return _table(header, rows, "llllrrrrrrr")


def latency_table(run: BenchRun) -> list[str]:
    rows = []
    for m in run.measurements:
        result = m.result
        if result is None:
            continue
        rows.append(
            [
                m.scenario.name,
                *(_ms(result.percentiles_ms[p]) for p in PERCENTILES),
                _ms(result.latency_max_ms),
                _ms(result.latency_avg_ms),
            ]
        )
    header = ["Row", *(f"p{p} ms" for p in PERCENTILES), "max ms", "mean ms"]
    return _table(header, rows, "l" + "r" * (len(header) - 1))


def paced_table(run: BenchRun) -> list[str]:
    """The fixed-rate runs: latency at half of each row's maximum rate."""
    rows = []
    for m in run.measurements:
        paced = m.paced
        if paced is None:
            continue
        bar = m.scenario.paced_p99_bar_ms
        rows.append(
            [
                m.scenario.name,
                _rps(paced.target_rate),
                _rps(paced.achieved_rate),
                *(_ms(paced.percentiles_ms[p]) for p in PACED_PERCENTILES),
                _ms(paced.max_ms),
                str(paced.errors),
                f"≤ {bar:.0f}" if bar is not None else "—",
                f"{paced.server_cpu_pct:.0f}" if paced.server_cpu_pct is not None else "—",
                _ms(paced.send_lag_p99_ms),
            ]
        )
    if not rows:
        return []
    header = [
        "Row",
        "offered req/s",
        "answered req/s",
        *(f"p{p} ms" for p in PACED_PERCENTILES),
        "max ms",
        "Errors",
        "p99 bar ms",
        "server CPU %",
        "send lag p99 ms",
    ]
    return _table(header, rows, "l" + "r" * (len(header) - 1))


def p7_table(run: BenchRun) -> list[str]:
    """P7: each page on the full database against the same page on the empty one."""
    rows = []
    for m in run.measurements:
        twin = run.twin(m)
        if m.scenario.empty_twin is None:
            continue
        full, empty = m.result, twin.result if twin else None
        ratio = run.full_over_empty(m)
        p99_full = m.paced.percentiles_ms[99] if m.paced else None
        p99_empty = twin.paced.percentiles_ms[99] if twin and twin.paced else None
        cpu_full = cpu_ms_per_request(m)
        cpu_empty = cpu_ms_per_request(twin) if twin else None
        rows.append(
            [
                m.scenario.label,
                _rps(empty.requests_per_sec) if empty else "—",
                _rps(full.requests_per_sec) if full else "—",
                f"{ratio:.3f}" if ratio is not None else "—",
                _ms(p99_empty) if p99_empty is not None else "—",
                _ms(p99_full) if p99_full is not None else "—",
                f"{p99_full / p99_empty:.2f}" if p99_full and p99_empty else "—",
                f"{cpu_empty:.1f}" if cpu_empty is not None else "—",
                f"{cpu_full:.1f}" if cpu_full is not None else "—",
                f"{cpu_full / cpu_empty:.2f}" if cpu_full and cpu_empty else "—",
                f"≥ {1 - P7_TOLERANCE:.2f}",
                run.verdict(m),
            ]
        )
    if not rows:
        return []
    header = [
        "Page",
        "empty req/s",
        "full req/s",
        "full ÷ empty",
        "p99 at 50 %, empty ms",
        "full ms",
        "full ÷ empty",
        "server CPU per request, empty ms",
        "full ms",
        "full ÷ empty",
        "Bar",
        "Result",
    ]
    return _table(header, rows, "lrrrrrrrrrrl")


def cpu_ms_per_request(measurement: Measurement) -> float | None:
    """Server CPU time per answer in the median run: what a request costs, whether or not other
    work left the server its whole core."""
    result = measurement.result
    if result is None or result.requests_per_sec <= 0:
        return None
    index = measurement.runs.index(result)
    if index >= len(measurement.server_cpu_pct):
        return None
    return measurement.server_cpu_pct[index] * 10 / result.requests_per_sec


def throughput_plot(run: BenchRun, width: int = 50) -> list[str]:
    """Requests/s of every row as a bar scaled to R0, with each row's bar marked by `|`."""
    measured = [(m, m.result) for m in run.measurements]
    rows = [(m, r) for m, r in measured if r is not None]
    if not rows:
        return []
    top = max(r.requests_per_sec for _, r in rows)
    baseline = run.baseline_rps
    name_width = max(len(m.scenario.name) for m, _ in rows)
    lines = []
    for m, r in rows:
        cells = ["#"] * max(1, round(r.requests_per_sec / top * width)) + [" "] * width
        cells = cells[:width]
        if m.scenario.bar is not None and baseline is not None:
            mark = min(width - 1, round(m.scenario.bar * baseline / top * width))
            cells[mark] = "|"
        lines.append(
            f"{m.scenario.name:<{name_width}}  {''.join(cells)}  "
            f"{_rps(r.requests_per_sec):>7} req/s"
        )
    return ["```text", *lines, "```"]


def resources_table(run: BenchRun) -> list[str]:
    rows = []
    for m in run.measurements:
        if not m.runs:
            continue
        rows.append(
            [
                m.scenario.name,
                ", ".join(_rps(r.requests_per_sec) for r in m.runs),
                ", ".join(f"{c:.0f}" for c in m.server_cpu_pct) or "—",
                f"{m.server_rss_kib / 1024:.1f}" if m.server_rss_kib is not None else "—",
                ", ".join(f"{c:.0f}" for c in m.load_cpu_pct) or "—",
                ", ".join(f"{c:.0f}" for c in m.helper_cpu_pct) or "—",
                "; ".join(_busy(busy) for busy in m.cpu_busy_pct) or "—",
                m.server_affinity or "—",
                m.response,
            ]
        )
    header = [
        "Row",
        "req/s per run",
        "server CPU %",
        "server RSS MiB",
        "wrk CPU %",
        "database CPU %",
        "CPU busy %",
        "server CPUs",
        "Response",
    ]
    return _table(header, rows, "lrrrrrrll")


def _busy(busy: Mapping[str, float]) -> str:
    return ", ".join(f"{cpu} {percent:.0f}" for cpu, percent in busy.items())


def noise_warnings(run: BenchRun) -> list[str]:
    """Signs that a run's figure says more about the machine than about the code: one per run."""
    warnings = []
    server_cpu, load_cpu = f"cpu{run.pinning.server_cpu}", f"cpu{run.pinning.load_cpu}"
    for m in run.measurements:
        samples = zip(m.server_cpu_pct, m.load_cpu_pct, m.cpu_busy_pct, strict=False)
        for number, (server, load, busy) in enumerate(samples, start=1):
            signs = []
            # The database runs on the load core (bench/plan_bench.py): its work is not noise.
            helper = m.helper_cpu_pct[number - 1] if number <= len(m.helper_cpu_pct) else 0.0
            if run.pinning.enabled:
                load_side = (load_cpu, load + helper, "wrk and the database" if helper else "wrk")
                for cpu, own, role in ((server_cpu, server, "server"), load_side):
                    other = busy.get(cpu, 0.0) - own
                    if other > OTHER_WORK_LIMIT_PCT:
                        signs.append(f"other work took {other:.0f} % of {cpu} ({role}'s core)")
            if server < SATURATED_PCT:
                signs.append(f"the server used only {server:.0f} % of its core (not saturated)")
            if signs:
                warnings.append(f"{m.scenario.name}, run {number}: " + "; ".join(signs))
        paced = m.paced
        if paced is not None and paced.send_lag_p99_ms > PACED_LAG_LIMIT_MS:
            warnings.append(
                f"{m.scenario.name}, fixed rate: the generator sent {paced.send_lag_p99_ms:.0f} ms "
                "late at p99 (its own core was busy)"
            )
        if paced is not None and paced.achieved_rate < PACED_RATE_SHORTFALL * paced.target_rate:
            warnings.append(
                f"{m.scenario.name}, fixed rate: {paced.achieved_rate:,.0f} of "
                f"{paced.target_rate:,.0f} requests/s answered"
            )
    return warnings


PACED_NOTE = (
    "A fixed-rate run after the row's wrk runs, at half its requests/s (bench/plan_bench.py): "
    "requests go out on schedule whatever the answers do, and each latency counts from when its "
    "request was due, so a stall shows instead of hiding (coordinated omission). Same "
    "connections and duration as wrk, on the load core. Send lag: how late the generator itself "
    "sent; above a few ms it, not the server, limited the run."
)
P7_NOTE = (
    f"The same pages of the same plan with {GENERATED_PLANS:,} generated plans and "
    f"{GENERATED_AUDIT_ROWS:,} audit rows beside it (bench/plan_data.py), measured in this run "
    "on a server and database of their own, set up the same way. The bar is on requests/s; the "
    "p99 ratio is shown, not judged: at a few dozen requests/s it rests on a handful of the "
    "slowest answers. Server CPU per request (server CPU % over requests/s) does not depend on "
    "how much of its core other work left the server: when the two disagree, look at the "
    "warnings. The full database holds no messages yet: P7's history pages are their own rows."
)


def _section(title: str, table: list[str], note: str) -> list[str]:
    return [f"## {title}", "", *table, "", note, ""] if table else []


def _facts(facts: Mapping[str, str]) -> list[str]:
    return [f"- {name}: {value}" for name, value in facts.items()]


def render_report(
    run: BenchRun, *, machine: Mapping[str, str], versions: Mapping[str, str], commit: str
) -> str:
    config = run.config
    finished = run.finished or run.started
    lines = [
        "# Samplan benchmark report",
        "",
        f"Run {run.started:%Y-%m-%d %H:%M:%S} UTC to {finished:%H:%M:%S} UTC "
        f"by `python -m bench.run`; commit {commit}.",
        "",
    ]
    if config.quick:
        lines += [
            "**Quick smoke run (`--quick`): runs too short for the figures to mean much.**",
            "",
        ]
    warnings = noise_warnings(run)
    if warnings:
        runs = sum(len(m.runs) for m in run.measurements)
        lines += [f"**{len(warnings)} of {runs} measured runs were disturbed (see Warnings).**", ""]
    baseline = run.baseline_rps
    lines += [
        "Throughput is reported as a ratio to **R0**, a bare ASGI hello-world on the same uvicorn "
        "set-up, measured in this same run (`× R0`). The bars come from `spec/quality.md`. "
        "The harness reports; it does not gate.",
        "",
        f"R0 in this run: {_rps(baseline)} requests/s." if baseline else "R0 was not measured.",
        "",
        "## Results",
        "",
        *results_table(run),
        "",
        "Result: `pass`/`FAIL` compares `× R0` with the bar; any non-2xx answer or socket error "
        "fails the row. Latencies are at saturation (wrk is closed-loop), so they show queueing "
        "at full load, not the latency at a normal rate.",
        "",
        "## Latency percentiles",
        "",
        *latency_table(run),
        "",
        *_section("Latency at half the maximum rate", paced_table(run), PACED_NOTE),
        *_section("P7: cost with a full database", p7_table(run), P7_NOTE),
        "Throughput relative to the fastest row (`|` marks the row's bar):",
        "",
        *throughput_plot(run),
        "",
        "## Resources during the measured runs",
        "",
        *resources_table(run),
        "",
        "Server and wrk CPU %: process CPU time over wall time during each measured run (100 = one "
        "full core). CPU busy %: the whole core, whoever used it (from /proc/stat). A server core "
        "much busier than the server itself means other work shared it; a server well under "
        "100 % means the load generator, not the server, was the limit.",
        "",
    ]
    if run.errors:
        lines += ["## Errors", ""]
        for error in run.errors:
            head, _, rest = error.partition("\n")
            lines.append(f"- {head}")
            if rest:
                lines += ["", "  ```text", *(f"  {line}" for line in rest.splitlines()), "  ```"]
        lines.append("")
    if warnings:
        lines += [
            "## Warnings",
            "",
            "Other processes on the machine or an unsaturated server make these runs' figures "
            "less trustworthy; rerun on a quiet machine or with `--repeats 3`.",
            "",
            *(f"- {warning}" for warning in warnings),
            "",
        ]
    pinning = (
        f"server pinned to CPU {run.pinning.server_cpu}, wrk to CPU {run.pinning.load_cpu} "
        "(`taskset -c`)"
        if run.pinning.enabled
        else f"**not pinned**: {run.pinning.note}"
    )
    lines += [
        "## Method",
        "",
        f"- Pinning: {pinning}.",
        f"- Load: wrk, 1 thread, {config.connections} connections, keep-alive, default 2 s socket "
        f"timeout; {config.warmup_s} s warm-up at the same concurrency (discarded), then "
        f"{config.repeats} measured run(s) of {config.duration_s} s; the table shows the run with "
        "the median requests/s. Rows that open fewer connections (pages that take tens of ms) "
        "show it in their wrk command below.",
        "- Each server is started once for its rows on a free 127.0.0.1 port with a fresh data "
        "directory, waits until its ready URL answers 200, and is stopped after its last row. "
        "`SAMPLAN_*` variables from the caller's environment are not passed on.",
        f"- Load average (1, 5, 15 min) before: {run.load_before}; after: {run.load_after}. "
        "Other work on this machine during the run skews the figures.",
        "- PostgreSQL rows: each such server has a cluster of its own in its data directory "
        "(initdb, `fsync=off`, Unix socket), pinned to the load core once its data is in; its "
        "CPU is the database column above and is not counted as other work on that core.",
        "- Not yet measured: repeats with medians of ≥ 3 runs of ≥ 60 s. The message rows (P3 to "
        "P6, P7's history pages) are described in their own section.",
        "",
        "Servers:",
        "",
    ]
    for name, command in run.server_commands.items():
        lines += [
            f"- `{name}`, {run.server_descriptions.get(name, '')}:",
            "",
            f"  ```sh\n  {command}\n  ```",
            "",
        ]
    lines += ["Load generator, per row:", ""]
    for m in run.measurements:
        if m.wrk_command:
            lines += [f"- {m.scenario.name}: `{m.wrk_command}`"]
    lines += ["", "## Machine", "", *_facts(machine), "", "## Versions", "", *_facts(versions), ""]
    return "\n".join(lines)


def render_summary(run: BenchRun) -> str:
    """The results table and any errors, for stdout."""
    lines = [*results_table(run)]
    baseline = run.baseline_rps
    if baseline is not None:
        lines += ["", f"R0 = {_rps(baseline)} requests/s"]
    lines += [f"warning: {warning}" for warning in noise_warnings(run)]
    lines += [f"error: {error}" for error in run.errors]
    return "\n".join(lines) + "\n"
