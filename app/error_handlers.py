"""One place that turns every error into a response: problem details under /api, else a page.

Expected failures are 4xx with a clear message in the person's language. Anything unexpected
becomes a 500 with a correlation id, is logged without personal data, and never shows a trace.
"""

from __future__ import annotations

import logging
import traceback
from urllib.parse import urlencode

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from sqlalchemy.orm.exc import StaleDataError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from app.api import API_PREFIX
from app.api.problems import problem_response
from app.errors import DomainError, NotAuthenticated, TooManyRequests
from app.i18n import gettext_noop
from app.logging_setup import correlation_id
from app.plan_items.versions import STALE
from app.web.errors import render_error_page

logger = logging.getLogger("app.errors")

INVALID_BODY = gettext_noop("The request could not be read. Check the fields and try again.")
TOO_LARGE_DETAIL = gettext_noop("The request body is larger than this service accepts.")
TOO_LARGE_FORM = gettext_noop(
    "The files together are larger than we accept at once. Go back: what you wrote is still in "
    "the form there. Choose fewer or smaller files, or send them in more than one message."
)


def _wants_problem(request: Request) -> bool:
    path = request.url.path
    return path.startswith(API_PREFIX) or path in ("/healthz", "/readyz")


def _respond(
    request: Request,
    status: int,
    code: str | None,
    detail: str | None,
    *,
    extra: dict[str, object] | None = None,
    headers: dict[str, str] | None = None,
    reference: str | None = None,
) -> Response:
    if _wants_problem(request):
        if reference is not None:
            extra = {**(extra or {}), "ref": reference}
        return problem_response(
            request, status=status, code=code, detail=detail, extra=extra, headers=headers
        )
    response = render_error_page(request, status, detail, reference=reference)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


async def handle_domain_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, DomainError)
    if isinstance(error, NotAuthenticated) and not _wants_problem(request):
        # A page that needs a login sends the person to log in, and back here afterwards.
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?{urlencode({'next': target})}", status_code=303)
    headers = None
    if isinstance(error, TooManyRequests):
        headers = {"Retry-After": str(error.retry_after)}
    return _respond(
        request, error.status, error.error_code, error.detail, extra=error.extra(), headers=headers
    )


async def handle_validation_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, RequestValidationError)
    # Echo where and why, never the submitted values: they may hold personal data.
    errors = [
        {"loc": list(item.get("loc", ())), "msg": item.get("msg", ""), "type": item.get("type")}
        for item in error.errors()
    ]
    return _respond(request, 422, "invalid_input", INVALID_BODY, extra={"errors": errors})


async def too_large_response(request: Request) -> Response:
    """For the body-limit middleware, which answers before any route runs. A person who sent
    a form is told what to do; the browser keeps the form's text when they go back."""
    detail = TOO_LARGE_DETAIL if _wants_problem(request) else TOO_LARGE_FORM
    return _respond(request, 413, "too_large", detail)


async def handle_http_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, StarletteHTTPException)
    headers = dict(error.headers or {})
    return _respond(request, error.status_code, None, None, headers=headers)


async def handle_unexpected(request: Request, error: Exception) -> Response:
    reference = correlation_id.get() or "unknown"
    route = request.scope.get("route")
    # Where it failed, never the message: exception texts (SQL parameters, input) can carry
    # personal data (R-LOG-4).
    frames = [
        f"{frame.filename.rsplit('/app/', 1)[-1]}:{frame.lineno} {frame.name}"
        for frame in traceback.extract_tb(error.__traceback__)[-8:]
    ]
    logger.error(
        "unhandled error",
        extra={
            "error_type": type(error).__name__,
            "path_template": getattr(route, "path", None),
            "frames": frames,
        },
    )
    return _respond(request, 500, "internal_error", None, reference=reference)


async def handle_lost_race(request: Request, error: Exception) -> Response:
    """Two saves of the same version at the same moment: the database let one through and the
    other's UPDATE matched no row. That is the conflict R-SAFE-2 describes, not a failure."""
    assert isinstance(error, StaleDataError)
    return _respond(request, 409, "stale_version", STALE)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(StaleDataError, handle_lost_race)
    app.add_exception_handler(DomainError, handle_domain_error)
    app.add_exception_handler(RequestValidationError, handle_validation_error)
    app.add_exception_handler(StarletteHTTPException, handle_http_error)
    app.add_exception_handler(Exception, handle_unexpected)
