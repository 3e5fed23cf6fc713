"""What the bench modules share: the error that fails a run, and what a hook is given.

The bottom of the bench package: it imports no other bench module, so the servers and rows
(bench/scenarios.py), the PostgreSQL clusters (bench/plan_bench.py) and the harness
(bench/harness.py, bench/run.py) all build on it and imports only go down.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path


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
    # Pins a helper process (a database) to the load generator's core, like wrk; () unpinned.
    load_prefix: tuple[str, ...] = ()


@dataclass(frozen=True)
class ScenarioContext:
    """What a scenario's setup hook gets: its running server."""

    server: ServerContext
    base_url: str


# A setup hook runs after the server answers and before the warm-up. It may create data through
# the running server or the CLI, and returns extra request headers (for example a session cookie).
SetupHook = Callable[[ScenarioContext], Mapping[str, str] | None]
# Values for the `{placeholders}` in a row's path, e.g. the id of a plan made by the prepare hook.
PathHook = Callable[[ScenarioContext], Mapping[str, str]]
PrepareHook = Callable[[ServerContext], None]
# CPU seconds a server's helper processes (its database) have used so far; None if unknown.
HelperCpu = Callable[[ServerContext], float | None]
# A server's environment, from its fresh data directory and the URL it will answer on.
EnvFactory = Callable[[Path, str], Mapping[str, str]]
