"""Start a throwaway PostgreSQL cluster from the installed binaries when none answers.

Used once per `pytest` run by the controlling process; workers inherit its address through
SAMPLAN_TEST_POSTGRES_URL. PostgreSQL refuses to run as root, so as root the cluster runs as the
`postgres` system user that Debian's package creates.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Cluster:
    directory: Path
    port: int
    run_as: list[str]
    bin_dir: Path

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def stop(self) -> None:
        subprocess.run(
            [
                *self.run_as,
                str(self.bin_dir / "pg_ctl"),
                "-D",
                str(self.directory / "data"),
                "-m",
                "immediate",
                "stop",
            ],
            check=False,
            capture_output=True,
        )
        shutil.rmtree(self.directory, ignore_errors=True)


def _bin_dir() -> Path:
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    found = candidates[-1] if candidates else shutil.which("initdb")
    if not found:
        raise RuntimeError(
            "No PostgreSQL server binaries found. Install them with: apt-get install postgresql"
        )
    return Path(found).parent


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start() -> Cluster:
    bin_dir = _bin_dir()
    directory = Path(tempfile.mkdtemp(prefix="samplan-pg-"))
    run_as: list[str] = []
    if os.geteuid() == 0:
        user = pwd.getpwnam("postgres")
        os.chown(directory, user.pw_uid, user.pw_gid)
        run_as = ["runuser", "-u", "postgres", "--"]
    port = _free_port()
    data = directory / "data"
    subprocess.run(
        [
            *run_as,
            str(bin_dir / "initdb"),
            "-D",
            str(data),
            "-U",
            "postgres",
            "--auth=trust",
            "--no-sync",
            "-E",
            "UTF8",
        ],
        check=True,
        capture_output=True,
    )
    subprocess.run(
        [
            *run_as,
            str(bin_dir / "pg_ctl"),
            "-D",
            str(data),
            "-w",
            "-l",
            str(directory / "log"),
            "-o",
            f"-p {port} -k {directory} -c listen_addresses=127.0.0.1 -c fsync=off",
            "start",
        ],
        check=True,
        capture_output=True,
    )
    return Cluster(directory=directory, port=port, run_as=run_as, bin_dir=bin_dir)
