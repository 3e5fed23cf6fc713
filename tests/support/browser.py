"""Debian's chromium under Playwright, the same way for every browser test (no downloads)."""

from __future__ import annotations

import os
import shutil

import pytest
from playwright.async_api import Browser, Playwright

CHROMIUM_FLAGS = [
    "--no-sandbox",  # CI runs as root in a container-like sandbox
    "--disable-gpu",
    "--disable-dev-shm-usage",
    # The machine has no internet: without these, chromium keeps trying to phone home.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]


def chromium_path() -> str:
    path = os.environ.get("SAMPLAN_CHROMIUM") or shutil.which("chromium")
    if not path:
        pytest.fail(
            "Debian's chromium is missing: `make test` installs it (apt-get install chromium)"
        )
    return path


async def launch_chromium(playwright: Playwright) -> Browser:
    return await playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_FLAGS)
