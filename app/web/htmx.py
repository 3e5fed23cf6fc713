"""The only module that reads or writes HX-* headers (style.md convention 9)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response


def is_fragment_request(request: Request) -> bool:
    """htmx wants a fragment, not a whole page (boosted and history requests want the page)."""
    return (
        request.headers.get("HX-Request") == "true"
        and request.headers.get("HX-Boosted") != "true"
        and request.headers.get("HX-History-Restore-Request") != "true"
    )


def mark_varies(response: Response) -> None:
    vary = response.headers.get("Vary")
    response.headers["Vary"] = f"{vary}, HX-Request" if vary else "HX-Request"
