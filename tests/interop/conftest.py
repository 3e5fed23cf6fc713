"""Samplan's citizen login against an independent OpenID Provider (panva's oidc-provider on Node).

`oidc_provider` runs tests/interop/provider.mjs on a loopback port; `samplan` runs the real app
under uvicorn (migrated, seeded) with that provider as its citizen IdP. Both ports are chosen up
front because each side must know the other's address at start: the provider registers Samplan's
redirect and post-logout URIs, and Samplan is configured with the provider's issuer.

Node and the pinned npm packages come from scripts/install-interop-deps.sh (`make test` runs it);
the tests never download anything.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import subprocess
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import LIVE_SERVER_LOGS
from tests.interop.support import Browser
from tests.support import databases, live_server
from tests.support.live_server import LiveServer, start_live_server

INTEROP_DIR = Path(__file__).resolve().parent
PROVIDER_SCRIPT = INTEROP_DIR / "provider.mjs"
CLIENT_ID = "samplan-interop"
START_TIMEOUT = 20.0


@dataclass(frozen=True)
class Ports:
    provider: int
    samplan: int


@dataclass
class OidcProvider:
    issuer: str
    client_id: str
    client_secret: str = field(repr=False)
    redirect_uri: str
    post_logout_redirect_uri: str
    metadata: dict[str, Any] = field(repr=False)
    process: subprocess.Popen[bytes] = field(repr=False)
    log_path: Path

    @property
    def authorization_endpoint(self) -> str:
        return str(self.metadata["authorization_endpoint"])

    @property
    def end_session_endpoint(self) -> str:
        return str(self.metadata["end_session_endpoint"])

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        if self.process.poll() is not None:
            return
        # The provider runs in its own process group (start_new_session), so this reaches any
        # child node might have started and nothing else.
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


@pytest.fixture(scope="session")
def interop_ports() -> Ports:
    provider = live_server.free_port()
    samplan = live_server.free_port()
    while samplan == provider:
        samplan = live_server.free_port()
    return Ports(provider=provider, samplan=samplan)


def _samplan_url(ports: Ports) -> str:
    return f"http://127.0.0.1:{ports.samplan}"


def start_provider(ports: Ports, log_path: Path) -> OidcProvider:
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is not installed: the interop tests need Node.js 18.12+ and npm")
    if not (INTEROP_DIR / "node_modules" / "oidc-provider").is_dir():
        pytest.fail(
            "tests/interop/node_modules is missing: run scripts/install-interop-deps.sh "
            "(`make test` does)"
        )
    issuer = f"http://127.0.0.1:{ports.provider}"
    samplan_url = _samplan_url(ports)
    client_secret = secrets.token_urlsafe(32)
    redirect_uri = f"{samplan_url}/auth/citizen/callback"
    post_logout_redirect_uri = f"{samplan_url}/logged-out"
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": os.environ.get("HOME", "/tmp"),
        "NODE_ENV": "test",
        "PORT": str(ports.provider),
        "ISSUER": issuer,
        "CLIENT_ID": CLIENT_ID,
        "CLIENT_SECRET": client_secret,
        "REDIRECT_URI": redirect_uri,
        "POST_LOGOUT_REDIRECT_URI": post_logout_redirect_uri,
    }
    with log_path.open("wb") as log_file:
        process = subprocess.Popen(
            [node, str(PROVIDER_SCRIPT)],
            cwd=INTEROP_DIR,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    provider = OidcProvider(
        issuer=issuer,
        client_id=CLIENT_ID,
        client_secret=client_secret,
        redirect_uri=redirect_uri,
        post_logout_redirect_uri=post_logout_redirect_uri,
        metadata={},
        process=process,
        log_path=log_path,
    )
    discovery = f"{issuer}/.well-known/openid-configuration"
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if provider.process.poll() is not None:
            pytest.fail(f"the OpenID Provider exited at start-up:\n{provider.log()}")
        try:
            response = httpx.get(discovery, timeout=1)
        except httpx.TransportError:
            time.sleep(0.1)
            continue
        if response.status_code == 200:
            provider.metadata = response.json()
            return provider
        time.sleep(0.1)
    provider.stop()
    pytest.fail(f"the OpenID Provider did not answer in {START_TIMEOUT:.0f} s:\n{provider.log()}")


@pytest.fixture(scope="session")
def oidc_provider(
    interop_ports: Ports, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[OidcProvider]:
    log_path = tmp_path_factory.mktemp("interop-provider") / "provider.log"
    provider = start_provider(interop_ports, log_path)
    # The provider's log is scanned for identity numbers with the app's logs at the end of the run.
    LIVE_SERVER_LOGS.append(log_path)
    yield provider
    provider.stop()


def start_samplan_on(
    port: int, *, database_url: str, data_dir: Path, extra_env: dict[str, str]
) -> LiveServer:
    """tests.support.live_server.start_live_server, on a port chosen by the caller."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(live_server, "free_port", lambda: port)
        server = start_live_server(
            database_url=database_url, data_dir=data_dir, extra_env=extra_env
        )
    if server.url != f"http://127.0.0.1:{port}":
        server.stop()
        raise RuntimeError(
            f"start_live_server no longer takes its port from free_port: {server.url}"
        )
    return server


@pytest.fixture(scope="session")
async def samplan(
    oidc_provider: OidcProvider, interop_ports: Ports, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[LiveServer]:
    data_dir = tmp_path_factory.mktemp("interop-samplan")
    name = f"samplan_interop_{databases.worker_suffix()}"
    database_url = await databases.fresh_database(name, data_dir)
    server = start_samplan_on(
        interop_ports.samplan,
        database_url=database_url,
        data_dir=data_dir,
        extra_env={
            "SAMPLAN_CITIZEN_OIDC_ISSUER": oidc_provider.issuer,
            "SAMPLAN_CITIZEN_OIDC_CLIENT_ID": oidc_provider.client_id,
            "SAMPLAN_CITIZEN_OIDC_CLIENT_SECRET": oidc_provider.client_secret,
            # Every test logs in from 127.0.0.1; keep the per-address login limit out of the way.
            "SAMPLAN_LOGIN_RATE_PER_MINUTE": "600",
        },
    )
    LIVE_SERVER_LOGS.append(server.log_path)
    yield server
    server.stop()
    await databases.drop_database(name)


@pytest.fixture
def browser() -> Iterator[Browser]:
    browser = Browser()
    yield browser
    browser.close()
