"""In process, on a frozen clock: the knobs are test-only, codes and sessions expire, and the
provider never exists in production."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncEngine

from app.dev_idp import build_router, dev_client_secret
from app.dev_idp.faults import Fault
from app.dev_idp.keys import KEYS_FILE
from app.main import create_app
from app.settings import Environment, Settings
from tests.dev_idp.support import (
    SYNTHETIC_PID,
    IdpServer,
    callback_of,
    log_in,
    new_login,
    redeem,
    verified_claims,
)
from tests.support.clock import FrozenClock

BASE_URL = "http://testserver"


def _settings(env: Environment, database_url: str, data_dir: Path) -> Settings:
    return Settings(env=env, database_url=database_url, data_dir=data_dir, base_url=BASE_URL)


@pytest.fixture
def frozen() -> FrozenClock:
    return FrozenClock(datetime(2026, 11, 23, 10, 0, tzinfo=UTC))


@pytest.fixture
def development_app(
    engine: AsyncEngine, database_url: str, tmp_path: Path, frozen: FrozenClock
) -> FastAPI:
    # `engine` has migrated the session's database; this app reads it as development would.
    settings = _settings(Environment.DEVELOPMENT, database_url, tmp_path)
    app = create_app(settings, clock=frozen)
    app.include_router(build_router(settings))
    return app


@pytest.fixture
async def dev_http(development_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=development_app)
    async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as client:
        yield client


@pytest.fixture
def dev_server(development_app: FastAPI) -> IdpServer:
    settings: Settings = development_app.state.settings
    return IdpServer(BASE_URL, settings.data_dir, settings.resolved_database_url, staff=[])


@pytest.mark.parametrize("fault", [*Fault, "no_such_fault"])
async def test_fault_knobs_are_ignored_outside_the_test_environment(
    dev_http: httpx.AsyncClient, dev_server: IdpServer, fault: str
) -> None:
    login = await log_in(dev_http, dev_server, new_login(dev_server, test_fault=str(fault)))
    assert login.callback["iss"] == dev_server.issuer("citizen") and "code" in login.callback
    body = (await redeem(dev_http, dev_server, login)).json()
    header, claims = await verified_claims(dev_http, dev_server, "citizen", body["id_token"])
    assert header["alg"] == "RS256" and "kid" in header
    assert claims["iss"] == dev_server.issuer("citizen") and claims["aud"] == "samplan"
    assert claims["nonce"] == login.params["nonce"]
    assert claims["pid"] == SYNTHETIC_PID and claims["acr"] == "idporten-loa-high"
    assert claims["exp"] == claims["iat"] + 120 and "sub" in claims


async def test_a_code_lives_60_seconds(
    dev_http: httpx.AsyncClient, dev_server: IdpServer, frozen: FrozenClock
) -> None:
    login = await log_in(dev_http, dev_server, new_login(dev_server))
    frozen.advance(timedelta(seconds=61))
    refused = await redeem(dev_http, dev_server, login)
    assert refused.json()["error"] == "invalid_grant"


async def test_tokens_are_dated_by_the_apps_clock(
    dev_http: httpx.AsyncClient, dev_server: IdpServer, frozen: FrozenClock
) -> None:
    login = await log_in(dev_http, dev_server, new_login(dev_server))
    body = (await redeem(dev_http, dev_server, login)).json()
    claims = (await verified_claims(dev_http, dev_server, "citizen", body["id_token"]))[1]
    assert claims["iat"] == claims["auth_time"] == int(frozen.now().timestamp())
    frozen.advance(timedelta(seconds=121))
    info = await dev_http.get(
        "/dev-idp/citizen/userinfo", headers={"Authorization": f"Bearer {body['access_token']}"}
    )
    assert info.status_code == 401  # the access token lived 120 s


@pytest.mark.parametrize(("idle", "answers_at_once"), [(29, True), (31, False)])
async def test_single_sign_on_ends_after_30_idle_minutes(
    dev_http: httpx.AsyncClient,
    dev_server: IdpServer,
    frozen: FrozenClock,
    idle: int,
    answers_at_once: bool,
) -> None:
    await log_in(dev_http, dev_server, new_login(dev_server))
    frozen.advance(timedelta(minutes=idle))
    response = await dev_http.get("/dev-idp/citizen/authorize", params=new_login(dev_server).params)
    assert (response.status_code == 303) is answers_at_once


async def test_single_sign_on_ends_120_minutes_after_login_even_when_used(
    dev_http: httpx.AsyncClient, dev_server: IdpServer, frozen: FrozenClock
) -> None:
    await log_in(dev_http, dev_server, new_login(dev_server))
    for _ in range(4):
        frozen.advance(timedelta(minutes=25))
        response = await dev_http.get(
            "/dev-idp/citizen/authorize", params=new_login(dev_server).params
        )
        assert callback_of(response)["code"]
    frozen.advance(timedelta(minutes=21))
    response = await dev_http.get("/dev-idp/citizen/authorize", params=new_login(dev_server).params)
    assert response.status_code == 200


def test_build_router_refuses_production(tmp_path: Path) -> None:
    # Built without validation: whatever production must configure, the provider refuses first.
    settings = Settings.model_construct(env=Environment.PRODUCTION, data_dir=tmp_path)
    with pytest.raises(RuntimeError, match="never runs in production"):
        build_router(settings)
    assert not (tmp_path / KEYS_FILE).exists()


def test_the_client_secret_is_an_hmac_of_the_secret_key(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, secret_key="a-secret-key-for-this-test-only")
    expected = hmac.new(
        b"a-secret-key-for-this-test-only", b"samplan dev-idp client secret", hashlib.sha256
    ).hexdigest()
    assert dev_client_secret(settings) == expected


def test_keys_survive_a_restart_and_a_damaged_file_is_refused(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, secret_key="k" * 40)
    build_router(settings)
    first = json.loads((tmp_path / KEYS_FILE).read_text())
    build_router(settings)
    assert json.loads((tmp_path / KEYS_FILE).read_text()) == first
    assert not [path for path in tmp_path.iterdir() if path.name.startswith(".")]
    (tmp_path / KEYS_FILE).write_text('{"citizen": {}}')
    with pytest.raises(RuntimeError, match="delete it"):
        build_router(settings)
