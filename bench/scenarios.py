"""What `make bench` measures: the servers it starts and the scenarios (report rows) it runs.

A later issue adds a row by appending a `Scenario` to `SCENARIOS`, and a server (for example
Samplan on PostgreSQL) by appending a `ServerSpec` to `SERVERS`. The orchestrator in `bench.run`
starts each server once, runs its scenarios in list order, and stops it; `R0` always runs first.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

BASELINE_ID = "R0"


class BenchError(Exception):
    """A server did not start, a setup step failed, or wrk failed: the run exits non-zero."""


@dataclass(frozen=True)
class ServerContext:
    """What a server's hooks get: a fresh data directory and the full environment it runs with."""

    name: str
    data_dir: Path
    env: Mapping[str, str]
    project_root: Path
    python: str


@dataclass(frozen=True)
class ScenarioContext:
    """What a scenario's setup hook gets: its running server."""

    server: ServerContext
    base_url: str


# A setup hook runs after the server answers and before the warm-up. It may create data through
# the running server or the CLI, and returns extra request headers (for example a session cookie).
SetupHook = Callable[[ScenarioContext], Mapping[str, str] | None]
PrepareHook = Callable[[ServerContext], None]


def _no_env(data_dir: Path) -> Mapping[str, str]:
    del data_dir
    return {}


@dataclass(frozen=True)
class ServerSpec:
    """One uvicorn server. `app_args` name the app on uvicorn's command line."""

    name: str
    description: str
    app_args: tuple[str, ...]
    ready_path: str
    env: Callable[[Path], Mapping[str, str]] = _no_env
    prepare: PrepareHook | None = None  # runs before the server starts, e.g. migrations


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

    @property
    def name(self) -> str:
        return f"{self.id} {self.path}"


def samplan_env(data_dir: Path) -> Mapping[str, str]:
    return {"SAMPLAN_ENV": "test", "SAMPLAN_DATA_DIR": str(data_dir)}


def migrate(ctx: ServerContext) -> None:
    """`python -m app.cli migrate` with the server's environment: the app is not ready before."""
    command = [ctx.python, "-m", "app.cli", "migrate"]
    try:
        done = subprocess.run(
            command,
            cwd=ctx.project_root,
            env=dict(ctx.env),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise BenchError(f"{' '.join(command)} did not finish in 300 s") from exc
    if done.returncode != 0:
        tail = (done.stdout + done.stderr).strip().splitlines()[-15:]
        raise BenchError(f"{' '.join(command)} exited with {done.returncode}:\n" + "\n".join(tail))


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
        description="Samplan, SAMPLAN_ENV=test, SQLite in a fresh data directory, migrated",
        app_args=("--factory", "app.main:create_app_from_environment"),
        ready_path="/readyz",
        env=samplan_env,
        prepare=migrate,
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
)
