"""The in-process access rows of `make bench` (bench/access_bench.py): they seed, measure every
row, count SQL per call and land in the report next to the HTTP rows."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from bench.access_bench import (
    AccessBenchRun,
    ProbeResult,
    measure_access,
    measured_statements,
    render_access_section,
    with_access_section,
)
from bench.report import BenchRun, Pinning, RunConfig, render_report
from bench.run import in_process_rows
from bench.scenarios import ACCESS_BASELINE_ID, IN_PROCESS_SCENARIOS, InProcessScenario


async def test_every_in_process_row_is_measured_against_the_primary_key_baseline(
    tmp_path: Path,
) -> None:
    run = await measure_access(
        IN_PROCESS_SCENARIOS, duration_s=0.05, warmup_s=0, repeats=2, workdir=tmp_path
    )
    assert run.errors == []
    assert [r.scenario for r in run.results][0].id == ACCESS_BASELINE_ID
    assert {r.scenario for r in run.results} == set(IN_PROCESS_SCENARIOS)
    for result in run.results:
        assert len(result.calls_per_sec) == 2 and result.median is not None
        assert run.ratio(result) is not None
    statements = measured_statements(run)
    assert statements["plan_get"] == 1
    assert statements["require_owner"] <= 4 and statements["require_provider"] <= 4
    assert statements["require_guardian_item"] <= 5 and statements["require_refused"] <= 4
    assert statements["visible_plans_200"] <= 2  # the list query plus at most one
    assert list(tmp_path.iterdir()) == []  # the temporary database is gone


def _fake_run() -> AccessBenchRun:
    run = AccessBenchRun(duration_s=2, warmup_s=1, repeats=1)
    for scenario, rate, statements in zip(
        IN_PROCESS_SCENARIOS,
        (1000.0, 250.0, 500.0, 400.0, 260.0, 100.0),
        (1, 4, 2, 3, 4, 2),
        strict=True,
    ):
        run.results.append(ProbeResult(scenario, [rate], statements))
    return run


def test_the_section_reports_ratios_to_the_baseline() -> None:
    section = render_access_section(_fake_run())
    assert "A0 in this run: 1,000 calls/s." in section
    assert (
        "| A1 | require(): a provider (employee) reads goals | 250 | 0.250 | 4,000 | 4 |" in section
    )
    assert (
        "| A2 | visible_plans(): the list of an employee with 200 plans | 100 | 0.100 |" in section
    )


def test_a_failed_row_says_error_and_the_run_lists_it() -> None:
    run = _fake_run()
    broken = InProcessScenario("A9", "broken", "no_such_probe")
    run.results.append(ProbeResult(broken, error="unknown probe"))
    run.errors.append("A9 broken: unknown probe")
    section = render_access_section(run)
    assert "| A9 | broken | — | — | — | — | ERROR |" in section
    assert "- A9 broken: unknown probe" in section


def test_the_section_goes_into_the_report_before_its_method() -> None:
    config = RunConfig(duration_s=2, warmup_s=1, connections=64, repeats=1, quick=True)
    http = BenchRun(
        config=config, pinning=Pinning(None, None, "test"), started=dt.datetime.now(dt.UTC)
    )
    report = with_access_section(
        render_report(http, machine={}, versions={}, commit="test"), _fake_run()
    )
    assert report.index("## Access decisions, in process") < report.index("## Method")
    assert report.count("## Access decisions, in process") == 1


def test_only_picks_in_process_rows_and_always_their_baseline() -> None:
    assert in_process_rows(None) == list(IN_PROCESS_SCENARIOS)
    assert [s.id for s in in_process_rows(["A2"])] == [ACCESS_BASELINE_ID, "A2"]
    assert in_process_rows(["P1"]) == []
