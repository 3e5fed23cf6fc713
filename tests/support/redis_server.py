"""A Redis for the tests: the one at SAMPLAN_TEST_REDIS_URL (default 127.0.0.1:6379) when it
answers a PING, otherwise a throwaway `redis-server` on a free port (without persistence).
scripts/install-test-deps.sh installs Debian's redis-server when neither is there.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import redis

from tests.support.live_server import free_port

DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"


def answers(url: str) -> bool:
    client = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)
    try:
        return bool(client.ping())
    except redis.RedisError:
        return False
    finally:
        client.close()


@contextmanager
def redis_for_tests() -> Iterator[str]:
    """The URL of a Redis that answers, for as long as the context lasts."""
    url = os.environ.get("SAMPLAN_TEST_REDIS_URL", DEFAULT_REDIS_URL)
    if answers(url):
        yield url
        return
    binary = shutil.which("redis-server")
    if binary is None:
        raise RuntimeError(
            f"No Redis answers at {url} and redis-server is not installed. "
            "Install it with scripts/install-test-deps.sh (as root) or apt-get install redis-server"
        )
    directory = Path(tempfile.mkdtemp(prefix="samplan-redis-"))
    port = free_port()
    url = f"redis://127.0.0.1:{port}/0"
    log_path = directory / "redis.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [
                binary,
                "--port",
                str(port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(directory),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_until_answering(url, process, log_path)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        shutil.rmtree(directory, ignore_errors=True)


def _wait_until_answering(url: str, process: subprocess.Popen[bytes], log_path: Path) -> None:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"redis-server exited at start-up:\n{log_path.read_text()}")
        if answers(url):
            return
        time.sleep(0.05)
    raise RuntimeError(f"redis-server did not answer in 15 s:\n{log_path.read_text()}")
