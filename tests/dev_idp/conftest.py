"""One real server (uvicorn, migrated, demo data) for the whole package, and a browser."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from playwright.async_api import Browser, async_playwright
from sqlalchemy import select

from app.db import make_engine, make_sessionmaker
from app.demo.seed import STAFF
from app.models import Employee
from tests.conftest import LIVE_SERVER_LOGS
from tests.dev_idp.support import IdpServer, StaffLogin
from tests.support import databases
from tests.support.browser import launch_chromium
from tests.support.live_server import PROJECT_ROOT, start_live_server

# How some demo staff log in: one has an HPR number, one has none, and one logs in at a
# real HelseID, so the test login must not offer her.
STAFF_LOGINS = [
    StaffLogin(STAFF[1].email, None, "helseid-subject-ingrid", "565501872"),
    StaffLogin(STAFF[0].email, None, "helseid-subject-kari", None),
    StaffLogin(STAFF[3].email, "https://helseid-sts.test.nhn.no", "sara", None),
]


@pytest.fixture(scope="session")
async def idp_server(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[IdpServer]:
    data_dir = tmp_path_factory.mktemp("dev-idp")
    name = f"samplan_devidp_{databases.worker_suffix()}"
    database_url = await databases.fresh_database(name, data_dir)
    server = start_live_server(database_url=database_url, data_dir=data_dir)
    url = server.url
    # The provider reads staff from the database on every page, so this may follow the start.
    await _register_staff(database_url, issuer=f"{url}/dev-idp/employee")
    LIVE_SERVER_LOGS.append(server.log_path)
    try:
        yield IdpServer(url, data_dir, database_url, staff=STAFF_LOGINS)
    finally:
        server.stop()
        await databases.drop_database(name)


async def _register_staff(database_url: str, *, issuer: str) -> None:
    """Set how some demo staff log in, whatever the demo seed chose for them."""
    engine = make_engine(database_url)
    try:
        async with make_sessionmaker(engine).begin() as session:
            for login in STAFF_LOGINS:
                employee = await session.scalar(
                    select(Employee).where(Employee.email == login.email)
                )
                assert employee is not None
                employee.idp_issuer = login.issuer or issuer
                employee.idp_subject = login.subject
                employee.hpr_number = login.hpr_number
    finally:
        await engine.dispose()


@pytest.fixture
async def http(idp_server: IdpServer) -> AsyncIterator[httpx.AsyncClient]:
    """A browser-like client: keeps cookies, does not follow redirects (we read them)."""
    async with httpx.AsyncClient(base_url=idp_server.url, timeout=10) as client:
        yield client


@pytest.fixture(scope="session")
async def chromium() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        browser = await launch_chromium(playwright)
        yield browser
        await browser.close()


@pytest.fixture(scope="session")
def screenshot_dir() -> Path:
    directory = PROJECT_ROOT / "var" / "screenshots" / "dev-idp"
    directory.mkdir(parents=True, exist_ok=True)
    return directory
