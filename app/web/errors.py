"""DomainError and HTTP errors as a page in the person's language (style.md convention 7)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import HTMLResponse

from app.i18n import gettext_noop

# Titles shown for statuses that have no domain error behind them (404 for an unknown path...).
STATUS_TITLES = {
    400: gettext_noop("Something was wrong with the request"),
    403: gettext_noop("You do not have access to this"),
    404: gettext_noop("We could not find the page"),
    405: gettext_noop("That cannot be done here"),
    409: gettext_noop("Someone else changed this at the same time"),
    413: gettext_noop("What you sent was too large"),
    422: gettext_noop("Something needs to be corrected"),
    429: gettext_noop("Too many attempts"),
    500: gettext_noop("Something went wrong on our side"),
}
STATUS_DETAILS = {
    404: gettext_noop("The address may be wrong, or the page may have been moved."),
    405: gettext_noop("The page does not support what your browser asked for."),
    500: gettext_noop(
        "The error has been logged. Try again in a little while. If it happens again, give us "
        "this reference:"
    ),
}


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
