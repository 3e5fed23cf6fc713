"""`python -m bench.run`: measure every scenario against R0 and write `bench/REPORT.md`.

For each server in `bench.scenarios` (R0's first): a fresh data directory, its prepare hook
(Samplan: migrations; on PostgreSQL a cluster of its own), uvicorn on a free 127.0.0.1 port pinned
to one core, a wait until its ready URL answers; then per scenario a probe GET, a wrk warm-up and
the measured wrk run(s) from the other core, and for paced rows a fixed-rate run at half the
rate. Servers run in their own process groups and are always stopped (and their cleanup hook
run), also on Ctrl-C, SIGTERM or an error. Exit status: 0 when everything was measured (missed
bars included), 1 when a server, a setup step or wrk failed, 130 when interrupted (no report
written then).
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import logging
import shutil
import signal
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from types import FrameType

from bench import messaging_bench
from bench.access_bench import render_access_summary, run_access_bench, with_access_section
from bench.context import BenchError
from bench.harness import (
    PROJECT_ROOT,
    detect_pinning,
    measure,
    running_server,
    shown_server_command,
)
from bench.report import (
    BenchRun,
    Measurement,
    Pinning,
    RunConfig,
    git_commit,
    load_average,
    machine_facts,
    render_report,
    render_summary,
    software_versions,
)
from bench.scenarios import (
    ACCESS_BASELINE_ID,
    BASELINE_ID,
    IN_PROCESS_SCENARIOS,
    SCENARIOS,
    SERVERS,
    InProcessScenario,
    Scenario,
    ServerSpec,
)

log = logging.getLogger("bench")

DEFAULT_REPORT = PROJECT_ROOT / "bench" / "REPORT.md"


# --- the run ------------------------------------------------------------------------------------


def _server_order(servers: Sequence[ServerSpec], scenarios: Sequence[Scenario]) -> list[ServerSpec]:
    by_name = {spec.name: spec for spec in servers}
    unknown = sorted({s.server for s in scenarios} - by_name.keys())
    if unknown:
        raise ValueError(f"scenarios name unknown servers: {unknown}")
    baseline = [s.server for s in scenarios if s.id == BASELINE_ID]
    if not baseline:
        raise ValueError(f"no {BASELINE_ID} scenario: nothing to compare with")
    names = list(dict.fromkeys([baseline[0], *(s.server for s in scenarios)]))
    return [by_name[name] for name in names]


def run_benchmark(
    config: RunConfig,
    *,
    servers: Sequence[ServerSpec] = SERVERS,
    scenarios: Sequence[Scenario] = SCENARIOS,
    pinning: Pinning,
    wrk: str,
    python: str = sys.executable,
) -> BenchRun:
    """Measure every scenario; failures are recorded in the result, never raised."""
    run = BenchRun(
        config=config, pinning=pinning, started=dt.datetime.now(dt.UTC), load_before=load_average()
    )
    for spec in _server_order(servers, scenarios):
        run.server_commands[spec.name] = shown_server_command(spec, pinning=pinning, python=python)
        run.server_descriptions[spec.name] = spec.description
        group = [s for s in scenarios if s.server == spec.name]
        group.sort(key=lambda s: s.id != BASELINE_ID)
        done: list[Measurement] = []
        try:
            with running_server(spec, pinning=pinning, python=python) as server:
                for scenario in group:
                    try:
                        done.append(
                            measure(scenario, server, config=config, pinning=pinning, wrk=wrk)
                        )
                    except BenchError as exc:
                        log.error("%s: %s", scenario.name, exc)
                        run.errors.append(f"{scenario.name}: {exc}")
                        done.append(Measurement(scenario=scenario, error=str(exc)))
                        server.check_alive()
        except BenchError as exc:
            log.error("server %s: %s", spec.name, exc)
            run.errors.append(f"server {spec.name}: {exc}")
            measured = {id(m.scenario) for m in done}
            done += [
                Measurement(scenario=s, error=str(exc)) for s in group if id(s) not in measured
            ]
        run.measurements += done
    run.load_after = load_average()
    run.finished = dt.datetime.now(dt.UTC)
    return run


# --- command line -------------------------------------------------------------------------------


def _count(minimum: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        value = int(text)
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be at least {minimum}")
        return value

    return parse


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n")[0])
    parser.add_argument(
        "--duration",
        type=_count(1),
        metavar="SECONDS",
        help="length of each measured wrk run (default 10, 2 with --quick)",
    )
    parser.add_argument(
        "--warmup",
        type=_count(0),
        metavar="SECONDS",
        help="wrk warm-up before each row (default 3, 1 with --quick)",
    )
    parser.add_argument(
        "--connections",
        type=_count(1),
        default=64,
        metavar="N",
        help="open connections (default 64)",
    )
    parser.add_argument(
        "--repeats",
        type=_count(1),
        default=1,
        metavar="N",
        help="measured runs per row; the median is reported (default 1)",
    )
    parser.add_argument("--quick", action="store_true", help="2 s runs, for a smoke test")
    parser.add_argument(
        "--only",
        action="append",
        metavar="ID",
        help="measure only rows with this id (R0 always runs, P7 brings its P2 rows); repeatable",
    )
    parser.add_argument(
        "--output",
        type=Path,
        default=DEFAULT_REPORT,
        metavar="PATH",
        help="where to write the report (default bench/REPORT.md)",
    )
    return parser.parse_args(argv)


def _interrupt(signum: int, frame: FrameType | None) -> None:
    del frame
    raise KeyboardInterrupt(f"signal {signum}")


def _preflight() -> str:
    wrk = shutil.which("wrk")
    if wrk is None:
        raise BenchError("wrk is not installed (Debian: apt-get install wrk)")
    for module in ("uvicorn", "uvloop", "httptools"):
        if importlib.util.find_spec(module) is None:
            raise BenchError(f"{module} is not importable from {sys.executable}")
    return wrk


def http_rows(only: Sequence[str] | None) -> list[Scenario]:
    """The HTTP rows to run: R0 always, and a P7 row's twin on the empty database with it."""
    chosen = [s for s in SCENARIOS if not only or s.id == BASELINE_ID or s.id in only]
    twins = {s.empty_twin for s in chosen if s.empty_twin}
    return [s for s in SCENARIOS if s in chosen or s.name in twins]


def in_process_rows(only: Sequence[str] | None) -> list[InProcessScenario]:
    """The in-process rows to run (bench/access_bench.py); A0 runs whenever one of them does."""
    rows = [s for s in IN_PROCESS_SCENARIOS if not only or s.id in only]
    if rows and not any(s.id == ACCESS_BASELINE_ID for s in rows):
        rows = [s for s in IN_PROCESS_SCENARIOS if s.id == ACCESS_BASELINE_ID] + rows
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="bench: %(message)s", stream=sys.stderr)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("alembic").setLevel(logging.WARNING)  # the in-process rows migrate
    config = RunConfig(
        duration_s=args.duration or (2 if args.quick else 10),
        warmup_s=args.warmup if args.warmup is not None else (1 if args.quick else 3),
        connections=args.connections,
        repeats=args.repeats,
        quick=args.quick,
    )
    scenarios = http_rows(args.only)
    in_process = in_process_rows(args.only)
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, _interrupt)
    try:
        wrk = _preflight()
        pinning = detect_pinning()
        if not pinning.enabled:
            log.warning("not pinned: %s", pinning.note)
        run = run_benchmark(config, scenarios=scenarios, pinning=pinning, wrk=wrk)
        # Messaging rows (P3 to P7's history, bench/messaging_bench.py): servers of their own.
        messaging = messaging_bench.run_messaging_bench(
            messaging_bench.rows(args.only), run, pinning=pinning, wrk=wrk
        )
        access_run = run_access_bench(
            in_process,
            duration_s=config.duration_s,
            warmup_s=config.warmup_s,
            repeats=config.repeats,
        )
        run.errors += access_run.errors
        report = render_report(
            run,
            machine=machine_facts(),
            versions=software_versions(wrk),
            commit=git_commit(PROJECT_ROOT),
        )
        if in_process:
            report = with_access_section(report, access_run)
        report = messaging_bench.with_messaging_section(report, messaging)
    except BenchError as exc:
        log.error("%s", exc)
        return 1
    except KeyboardInterrupt:
        log.error("interrupted: servers stopped, no report written")
        return 130
    output: Path = args.output
    partial = output.with_name(output.name + ".partial")
    partial.write_text(report)
    partial.replace(output)
    log.info("report written to %s", output)
    sys.stdout.write(render_summary(run))
    if in_process:
        sys.stdout.write(render_access_summary(access_run))
    sys.stdout.write(messaging_bench.render_messaging_summary(messaging))
    return 1 if run.errors else 0


if __name__ == "__main__":
    sys.exit(main())
