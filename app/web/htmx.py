"""The only module that reads or writes HX-* headers (style.md convention 9)."""

from __future__ import annotations

from starlette.responses import Response


def mark_varies(response: Response) -> None:
    vary = response.headers.get("Vary")
    response.headers["Vary"] = f"{vary}, HX-Request" if vary else "HX-Request"
