"""The real app under uvicorn on a free loopback port, migrated and seeded with demo data."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

PROJECT_ROOT = Path(__file__).resolve().parents[2]


@dataclass
class LiveServer:
    url: str
    process: subprocess.Popen[bytes]
    log_path: Path

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_live_server(
    *, database_url: str, data_dir: Path, extra_env: dict[str, str] | None = None
) -> LiveServer:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "SAMPLAN_ENV": "test",
        "SAMPLAN_DATABASE_URL": database_url,
        "SAMPLAN_DATA_DIR": str(data_dir),
        "SAMPLAN_BASE_URL": url,
        **(extra_env or {}),
    }
    for command in ("migrate", "seed-demo"):
        subprocess.run(
            [sys.executable, "-m", "app.cli", command],
            env=env,
            cwd=PROJECT_ROOT,
            check=True,
            capture_output=True,
        )
    log_path = data_dir / "server.log"
    process = subprocess.Popen(
        [sys.executable, "-m", "app.cli", "serve", "--port", str(port)],
        env=env,
        cwd=PROJECT_ROOT,
        stdout=log_path.open("wb"),
        stderr=subprocess.STDOUT,
    )
    server = LiveServer(url=url, process=process, log_path=log_path)
    # Generous: on a loaded two-core machine the first import of the app alone can take long.
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the app exited at start-up:\n{server.log()}")
        try:
            if httpx.get(f"{url}/readyz", timeout=1).status_code == 200:
                return server
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    server.stop()
    raise RuntimeError(f"the app did not become ready in 90 s:\n{server.log()}")
