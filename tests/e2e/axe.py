"""Run axe-core (vendored, pinned) in a page and return its violations at WCAG 2.1 A/AA."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.async_api import Page

AXE_SOURCE = (Path(__file__).parent / "vendor" / "axe-core-4.11.4.min.js").read_text()
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


async def axe_violations(page: Page) -> list[dict[str, Any]]:
    # Evaluated through the DevTools protocol, so the page's CSP (no inline script) still holds.
    await page.evaluate(AXE_SOURCE)
    result: dict[str, Any] = await page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_21_AA
    )
    return list(result["violations"])


def describe(violations: list[dict[str, Any]]) -> str:
    return "\n".join(
        f"{item['id']} ({item['impact']}): {item['help']} at "
        + ", ".join(str(node["target"]) for node in item["nodes"][:3])
        for item in violations
    )
