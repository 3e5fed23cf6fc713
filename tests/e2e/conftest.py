"""Browser tests: the real app under uvicorn, Debian's chromium through Playwright, axe-core."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, BrowserContext, async_playwright

from tests.conftest import LIVE_SERVER_LOGS
from tests.support import databases
from tests.support.browser import launch_chromium
from tests.support.live_server import LiveServer, start_live_server

PROJECT_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def screenshot_dir() -> Path:
    directory = PROJECT_ROOT / "var" / "screenshots" / databases.backend()
    directory.mkdir(parents=True, exist_ok=True)
    return directory


@pytest.fixture(scope="session")
async def live_server(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[LiveServer]:
    data_dir = tmp_path_factory.mktemp("live-server")
    name = f"samplan_e2e_{databases.worker_suffix()}"
    url = await databases.fresh_database(name, data_dir)
    # The browser tests log in more often than a person would; the limit has its own test.
    server = start_live_server(
        database_url=url, data_dir=data_dir, extra_env={"SAMPLAN_LOGIN_RATE_PER_MINUTE": "100000"}
    )
    LIVE_SERVER_LOGS.append(server.log_path)
    yield server
    server.stop()
    await databases.drop_database(name)


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        browser = await launch_chromium(playwright)
        yield browser
        await browser.close()


@pytest.fixture
async def context(browser: Browser) -> AsyncIterator[BrowserContext]:
    context = await browser.new_context(viewport={"width": 1280, "height": 900}, locale="nb-NO")
    yield context
    await context.close()


@pytest.fixture
def console_errors() -> Iterator[list[str]]:
    yield []
