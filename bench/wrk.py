"""Run wrk and read its `--latency` output.

wrk is a closed-loop load generator: each connection sends its next request only when the last
answer has arrived. Its latencies are therefore latencies at saturation, not at a fixed offered
rate (see research/perf_security.md § 7.5).
"""

from __future__ import annotations

import re
import shlex
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bench.context import BenchError

PERCENTILES = (50, 75, 90, 99)

_TO_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}
_TIME = r"([\d.]+)(us|ms|s|m|h)"
_RPS = re.compile(r"^Requests/sec:\s+([\d.]+)\s*$", re.MULTILINE)
_TOTAL = re.compile(rf"^\s*(\d+) requests in {_TIME},", re.MULTILINE)
_LATENCY = re.compile(rf"^\s*Latency\s+{_TIME}\s+{_TIME}\s+{_TIME}\s", re.MULTILINE)
_PERCENTILE = re.compile(rf"^\s*(\d+(?:\.\d+)?)%\s+{_TIME}\s*$", re.MULTILINE)
_SOCKET_ERRORS = re.compile(
    r"^\s*Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", re.MULTILINE
)
_NON_2XX = re.compile(r"^\s*Non-2xx or 3xx responses: (\d+)", re.MULTILINE)


@dataclass(frozen=True)
class WrkResult:
    requests_per_sec: float
    requests: int
    duration_s: float
    latency_avg_ms: float
    latency_max_ms: float
    percentiles_ms: Mapping[int, float]  # 50, 75, 90, 99 -> milliseconds
    non_2xx: int
    socket_errors: Mapping[str, int]  # connect, read, write, timeout

    @property
    def errors(self) -> int:
        return self.non_2xx + sum(self.socket_errors.values())


def _ms(value: str, unit: str) -> float:
    return float(value) * _TO_MS[unit]


def parse_wrk_output(text: str) -> WrkResult:
    """Read wrk 4's output of a run with `--latency`. Raises ValueError if a figure is missing."""
    rps = _RPS.search(text)
    total = _TOTAL.search(text)
    latency = _LATENCY.search(text)
    if rps is None or total is None or latency is None:
        raise ValueError("not wrk output: Requests/sec, request count or latency line missing")
    percentiles: dict[int, float] = {}
    for match in _PERCENTILE.finditer(text):
        percent = float(match.group(1))
        if percent.is_integer():
            percentiles[int(percent)] = _ms(match.group(2), match.group(3))
    missing = [p for p in PERCENTILES if p not in percentiles]
    if missing:
        raise ValueError(f"latency distribution lacks {missing}: was wrk run with --latency?")
    sockets = _SOCKET_ERRORS.search(text)
    counts = [int(n) for n in sockets.groups()] if sockets else [0, 0, 0, 0]
    non_2xx = _NON_2XX.search(text)
    return WrkResult(
        requests_per_sec=float(rps.group(1)),
        requests=int(total.group(1)),
        duration_s=_ms(total.group(2), total.group(3)) / 1000.0,
        latency_avg_ms=_ms(latency.group(1), latency.group(2)),
        latency_max_ms=_ms(latency.group(5), latency.group(6)),
        percentiles_ms={p: percentiles[p] for p in PERCENTILES},
        non_2xx=int(non_2xx.group(1)) if non_2xx else 0,
        socket_errors=dict(zip(("connect", "read", "write", "timeout"), counts, strict=True)),
    )


def wrk_command(
    *,
    wrk: str,
    prefix: Sequence[str],
    connections: int,
    duration_s: int,
    url: str,
    headers: Mapping[str, str],
    latency: bool,
) -> list[str]:
    """One wrk thread: the load generator gets a single core, like the server."""
    command = [*prefix, wrk, "-t1", f"-c{connections}", f"-d{duration_s}s"]
    if latency:
        command.append("--latency")
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    command.append(url)
    return command


def display_command(command: Sequence[str]) -> str:
    """The command line for the report, with header values (cookies, tokens) left out."""
    shown = list(command)
    for i, arg in enumerate(shown[:-1]):
        if arg == "-H":
            name = shown[i + 1].split(":", 1)[0]
            shown[i + 1] = f"{name}: <redacted>"
    return shlex.join(shown)


def run_wrk(command: Sequence[str], duration_s: int) -> str:
    """Run wrk to the end and return its output. Killed (and BenchError) if it overruns."""
    limit = duration_s + 30
    try:
        done = subprocess.run(
            list(command),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=limit,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        shown = display_command(command)
        raise BenchError(f"wrk did not finish within {limit} s: {shown}") from exc
    except OSError as exc:
        raise BenchError(f"could not run wrk: {exc}") from exc
    if done.returncode != 0:
        output = (done.stdout + done.stderr).strip()
        raise BenchError(f"wrk exited with {done.returncode}: {display_command(command)}\n{output}")
    return done.stdout
