"""Reading a plan page form: what was typed, kept to show again, and the request's retry key."""

from __future__ import annotations

from typing import Any

from starlette.datastructures import FormData

from app.web.plan_page import Page


def kept_fields(form: FormData) -> dict[str, Any]:
    """What was typed, to show again (lists for the multi-choice fields)."""
    kept: dict[str, Any] = {}
    for name in form:
        if name in ("csrf_token", "request_key"):
            continue
        found = [v for v in form.getlist(name) if isinstance(v, str)]
        kept[name] = found if name == "goal_ids" else (found[0] if found else "")
    return kept


async def read_form(page: Page) -> tuple[dict[str, Any], str | None]:
    """The typed fields and the request key (a retried add is stored once: R-SAFE-3)."""
    form = await page.request.form()
    key = form.get("request_key")
    return kept_fields(form), key if isinstance(key, str) and key else None
