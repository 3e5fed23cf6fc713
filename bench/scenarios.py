"""What `make bench` measures: the servers it starts and the scenarios (report rows) it runs.

A later issue adds a row by appending a `Scenario` to `SCENARIOS`, and a server by appending a
`ServerSpec` to `SERVERS` (the plan rows' PostgreSQL servers, bench/plan_bench.py, are one). The
orchestrator in `bench.run` starts each server once, runs its scenarios in list order, and stops
it; `R0` always runs first.
"""

from __future__ import annotations

import subprocess
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from bench import plan_bench
from bench.context import (
    BenchError,
    EnvFactory,
    HelperCpu,
    PathHook,
    PrepareHook,
    ScenarioContext,
    ServerContext,
    SetupHook,
)
from bench.login import SESSION_COOKIE, LoginFailed, log_in_citizen

BASELINE_ID = "R0"
# P7: a page on the full database may cost at most this much more than on the empty one.
P7_TOLERANCE = 0.20
GENERATED_PLANS = 10_000
GENERATED_AUDIT_ROWS = 1_000_000


def _no_env(data_dir: Path, base_url: str) -> Mapping[str, str]:
    del data_dir, base_url
    return {}


@dataclass(frozen=True)
class ServerSpec:
    """One uvicorn server. `app_args` name the app on uvicorn's command line."""

    name: str
    description: str
    app_args: tuple[str, ...]
    ready_path: str
    env: EnvFactory = _no_env
    prepare: PrepareHook | None = None  # runs before the server starts, e.g. migrations
    cleanup: PrepareHook | None = None  # runs after it stopped, also when prepare failed
    helper_cpu: HelperCpu | None = None  # its database's CPU, told apart from other work


@dataclass(frozen=True)
class Scenario:
    """One report row: GET `path` on `server`, as fast as wrk can, compared with R0."""

    id: str  # the quality bar it measures, as in spec/quality.md ("P1"); "R0" is the baseline
    label: str
    path: str
    server: str  # a ServerSpec.name
    bar: float | None = None  # lowest acceptable requests/s as a ratio to R0
    setup: SetupHook | None = field(default=None, compare=False)
    expect_status: int = 200
    path_params: PathHook | None = field(default=None, compare=False)
    # After the wrk runs, a fixed-rate run at half the row's maximum rate (bench/plan_bench.py),
    # and the highest acceptable p99 in ms there (None: report only).
    paced: bool = False
    paced_p99_bar_ms: float | None = None
    # P7: the `name` of the same page's row on the empty database; this row's requests/s must
    # be within P7_TOLERANCE of that row's.
    empty_twin: str | None = None
    # Open connections for this row instead of --connections: a page that takes a tenth of a
    # second would queue for seconds behind 64 and run into wrk's 2 s timeout.
    connections: int | None = None

    @property
    def name(self) -> str:
        return f"{self.id} {self.path}"


def samplan_env(data_dir: Path, base_url: str) -> Mapping[str, str]:
    return {
        "SAMPLAN_ENV": "test",
        "SAMPLAN_DATA_DIR": str(data_dir),
        # The built-in provider's URLs are built from it, and the app calls its token endpoint.
        "SAMPLAN_BASE_URL": base_url,
        # Logged-in rows log in from 127.0.0.1 like everything else; never refuse one.
        "SAMPLAN_LOGIN_RATE_PER_MINUTE": "100000",
    }


def _cli(ctx: ServerContext, command_name: str) -> None:
    """`python -m app.cli <command_name>` with the server's environment."""
    _python_module(ctx, "app.cli", command_name)


def _python_module(ctx: ServerContext, *args: str, timeout_s: int = 300) -> None:
    """`python -m <args>` with the server's environment."""
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


def migrate(ctx: ServerContext) -> None:
    """`python -m app.cli migrate`: the app is not ready before."""
    _cli(ctx, "migrate")


def migrate_and_seed(ctx: ServerContext) -> None:
    """Migrations, then `python -m app.cli seed-demo`: the demo people logged-in rows log in as."""
    _cli(ctx, "migrate")
    _cli(ctx, "seed-demo")


def samplan_postgresql_env(data_dir: Path, base_url: str) -> Mapping[str, str]:
    return {
        **samplan_env(data_dir, base_url),
        "SAMPLAN_DATABASE_URL": plan_bench.database_url(data_dir),
    }


def plan_database(*, plans: int, audit_rows: int) -> PrepareHook:
    """A PostgreSQL cluster of the server's own (bench/plan_bench.py), migrated, the demo data,
    `plans` generated plans with `audit_rows` audit rows, and the measured plan
    (bench/plan_data.py)."""

    def prepare(ctx: ServerContext) -> None:
        try:
            plan_bench.start_cluster(ctx)
            migrate_and_seed(ctx)
            generate = ["--plans", str(plans), "--audit-rows", str(audit_rows)] if plans else []
            _python_module(ctx, "bench.plan_data", *generate, timeout_s=900)
            plan_bench.pin_cluster(ctx)
        except plan_bench.PlanBenchError as exc:
            raise BenchError(str(exc)) from exc

    return prepare


def measured_plan(ctx: ScenarioContext) -> Mapping[str, str]:
    """`{plan_id}`: the plan bench/plan_data.py grew for the rows to read."""
    try:
        return plan_bench.measured_plan(ctx)
    except plan_bench.PlanBenchError as exc:
        raise BenchError(str(exc)) from exc


def citizen_session(person: str) -> SetupHook:
    """A setup hook that logs in as the demo citizen `person` through the built-in provider
    (the real OpenID Connect round trip, see bench/login.py) and sends its session cookie."""

    def setup(ctx: ScenarioContext) -> Mapping[str, str]:
        try:
            token = log_in_citizen(ctx.base_url, person)
        except (LoginFailed, httpx.HTTPError) as exc:
            raise BenchError(f"logging in as {person}: {exc}") from exc
        return {"Cookie": f"{SESSION_COOKIE}={token}"}

    return setup


PLAN_PAGE = "/plans/{plan_id}"
PLAN_CONNECTIONS = 4  # enough to keep one worker busy, few enough to stay under wrk's timeout
TIMELINE_PAGE = "/plans/{plan_id}/timeline"

SERVERS: tuple[ServerSpec, ...] = (
    ServerSpec(
        name="r0",
        description="bare ASGI hello-world JSON app (bench/r0_app.py)",
        app_args=("bench.r0_app:app",),
        ready_path="/",
    ),
    ServerSpec(
        name="fastapi-floor",
        description="FastAPI with one JSON route and no middleware (bench/fastapi_floor_app.py)",
        app_args=("bench.fastapi_floor_app:app",),
        ready_path="/",
    ),
    ServerSpec(
        name="samplan",
        description=(
            "Samplan, SAMPLAN_ENV=test, SQLite in a fresh data directory, migrated and seeded "
            "with the demo data"
        ),
        app_args=("--factory", "app.main:create_app_from_environment"),
        ready_path="/readyz",
        env=samplan_env,
        prepare=migrate_and_seed,
    ),
    ServerSpec(
        name="samplan-pg",
        description=(
            "Samplan, SAMPLAN_ENV=test, PostgreSQL (a cluster of its own, fsync off, pinned to "
            "the load core): the demo data, Per Mikkelsen's plan grown to 10 goals and 10 actions"
        ),
        app_args=("--factory", "app.main:create_app_from_environment"),
        ready_path="/readyz",
        env=samplan_postgresql_env,
        prepare=plan_database(plans=0, audit_rows=0),
        cleanup=plan_bench.stop_cluster,
        helper_cpu=plan_bench.cluster_cpu_seconds,
    ),
    ServerSpec(
        name="samplan-pg-full",
        description=(
            f"the same, plus {GENERATED_PLANS:,} generated plans with their goals, actions, "
            f"notes and timelines and {GENERATED_AUDIT_ROWS:,} audit rows (bench/plan_data.py)"
        ),
        app_args=("--factory", "app.main:create_app_from_environment"),
        ready_path="/readyz",
        env=samplan_postgresql_env,
        prepare=plan_database(plans=GENERATED_PLANS, audit_rows=GENERATED_AUDIT_ROWS),
        cleanup=plan_bench.stop_cluster,
        helper_cpu=plan_bench.cluster_cpu_seconds,
    ),
)

SCENARIOS: tuple[Scenario, ...] = (
    Scenario(id=BASELINE_ID, label="bare ASGI hello-world JSON", path="/", server="r0"),
    Scenario(
        id="F0",
        label="reference: bare FastAPI, one JSON route (the framework's floor)",
        path="/",
        server="fastapi-floor",
    ),
    Scenario(
        id="P1",
        label="JSON endpoint without DB: liveness",
        path="/healthz",
        server="samplan",
        bar=0.25,
    ),
    Scenario(
        id="P1",
        label="JSON endpoint without DB: API metadata",
        path="/api/v1/meta",
        server="samplan",
        bar=0.25,
    ),
    # Report only: spec/quality.md has no bar for it. Next to the P1 rows it shows what a
    # logged-in request's session lookup costs (a database session, one SELECT joining the
    # session to its person, the actor), as a ratio to R0.
    Scenario(
        id="P1-auth",
        label="JSON endpoint behind login: session lookup",
        path="/api/v1/me",
        server="samplan",
        setup=citizen_session("Per Mikkelsen"),
    ),
    # P2: pages of the measured plan as its owner, on PostgreSQL with the demo data only.
    Scenario(
        id="P2",
        label="plan page as the owner (10 goals, 10 actions), PostgreSQL",
        path=PLAN_PAGE,
        server="samplan-pg",
        bar=0.06,
        setup=citizen_session("Per Mikkelsen"),
        path_params=measured_plan,
        connections=PLAN_CONNECTIONS,
        paced=True,
        paced_p99_bar_ms=50.0,
    ),
    Scenario(
        id="P2",
        label="timeline page as the owner (newest 30 entries), PostgreSQL",
        path=TIMELINE_PAGE,
        server="samplan-pg",
        bar=0.06,
        setup=citizen_session("Per Mikkelsen"),
        path_params=measured_plan,
        connections=PLAN_CONNECTIONS,
        paced=True,
        paced_p99_bar_ms=50.0,
    ),
    # P7: the same pages with 10,000 more plans and 1,000,000 audit rows in the database.
    Scenario(
        id="P7",
        label="plan page as the owner, full database",
        path=PLAN_PAGE,
        server="samplan-pg-full",
        setup=citizen_session("Per Mikkelsen"),
        path_params=measured_plan,
        connections=PLAN_CONNECTIONS,
        paced=True,
        empty_twin=f"P2 {PLAN_PAGE}",
    ),
    Scenario(
        id="P7",
        label="timeline page as the owner, full database",
        path=TIMELINE_PAGE,
        server="samplan-pg-full",
        setup=citizen_session("Per Mikkelsen"),
        path_params=measured_plan,
        connections=PLAN_CONNECTIONS,
        paced=True,
        empty_twin=f"P2 {TIMELINE_PAGE}",
    ),
)


# --- in-process rows -----------------------------------------------------------------------------

ACCESS_BASELINE_ID = "A0"


@dataclass(frozen=True)
class InProcessScenario:
    """A report row timed inside the harness, not over HTTP: one call of a service function
    against a seeded SQLite database (bench/access_bench.py), as a ratio to the `A0` row, a bare
    primary-key read measured in the same run. `probe` names the call in access_bench.PROBES."""

    id: str
    label: str
    probe: str


IN_PROCESS_SCENARIOS: tuple[InProcessScenario, ...] = (
    InProcessScenario(
        id=ACCESS_BASELINE_ID,
        label="baseline: session.get(Plan, id) with an empty identity map",
        probe="plan_get",
    ),
    InProcessScenario(
        id="A1", label="require(): a provider (employee) reads goals", probe="require_provider"
    ),
    InProcessScenario(
        id="A1", label="require(): the plan owner reads goals", probe="require_owner"
    ),
    InProcessScenario(
        id="A1",
        label="require(): a guardian of a 14-year-old reads one item (shielding check)",
        probe="require_guardian_item",
    ),
    InProcessScenario(
        id="A1",
        label="require(): another employee is refused (404, audited)",
        probe="require_refused",
    ),
    InProcessScenario(
        id="A2",
        label="visible_plans(): the list of an employee with 200 plans",
        probe="visible_plans_200",
    ),
)
