"""DomainError and HTTP errors as a page in the person's language (style.md convention 7)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import HTMLResponse

from app.status_text import STATUS_DETAILS, STATUS_TITLES


def render_error_page(
    request: Request, status: int, detail: str | None, *, reference: str | None = None
) -> HTMLResponse:
    renderer = request.app.state.renderer
    title = STATUS_TITLES.get(status, STATUS_TITLES[400 if status < 500 else 500])
    context = {
        "status": status,
        "title": title,
        "detail": detail or STATUS_DETAILS.get(status),
        "reference": reference,
    }
    response: HTMLResponse = renderer.render(
        request, "errors/error.html", context, status_code=status
    )
    return response
