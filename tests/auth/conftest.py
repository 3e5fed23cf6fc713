"""A live Samplan with its built-in identity provider, for sign-in tests over real HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from app.db import make_engine
from tests.conftest import LIVE_SERVER_LOGS
from tests.support import databases
from tests.support.live_server import LiveServer, start_live_server
from tests.support.oidc_browser import Browser


@pytest.fixture(scope="module")
async def signin_server(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[LiveServer]:
    data_dir = tmp_path_factory.mktemp("signin")
    name = f"samplan_signin_{databases.worker_suffix()}"
    url = await databases.fresh_database(name, data_dir)
    server = start_live_server(
        database_url=url,
        data_dir=data_dir,
        # Many logins from one address: the limit itself is tested on its own.
        extra_env={"SAMPLAN_LOGIN_RATE_PER_MINUTE": "100000"},
    )
    server.database_url = url  # type: ignore[attr-defined]
    LIVE_SERVER_LOGS.append(server.log_path)
    yield server
    server.stop()
    await databases.drop_database(name)


@pytest.fixture
async def signin_db(signin_server: LiveServer) -> AsyncIterator[AsyncEngine]:
    engine = make_engine(signin_server.database_url)  # type: ignore[attr-defined]
    yield engine
    await engine.dispose()


@pytest.fixture
def browser() -> Iterator[Browser]:
    browser = Browser()
    yield browser
    browser.close()
