"""CSRF protection for every state-changing form and htmx request (quality.md S4).

A random value lives in an HttpOnly cookie; the token in forms (field `csrf_token`) and in htmx
requests (header X-CSRF-Token, set once on <body> with hx-headers) is an HMAC of it. A forged
cross-site request cannot read the cookie, so it cannot produce the token.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from fastapi import Request
from starlette.responses import Response

from app.cookies import read_cookie, set_cookie
from app.errors import Forbidden
from app.i18n import gettext_noop
from app.settings import Settings

CSRF_COOKIE = "samplan_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CSRF_FAILED = gettext_noop(
    "The form had expired or did not come from this page. Go back, reload the page and try again."
)


def _sign(settings: Settings, value: str) -> str:
    return hmac.new(settings.resolved_secret_key(), value.encode(), hashlib.sha256).hexdigest()


def csrf_token(request: Request) -> str:
    """The token for this browser; creates the cookie value on first use."""
    settings: Settings = request.app.state.settings
    value = read_cookie(request, CSRF_COOKIE) or getattr(request.state, "new_csrf_value", None)
    if value is None:
        value = secrets.token_urlsafe(32)
        request.state.new_csrf_value = value
    return _sign(settings, value)


def attach_csrf_cookie(request: Request, response: Response) -> None:
    value = getattr(request.state, "new_csrf_value", None)
    if value is not None:
        set_cookie(response, request.app.state.settings, CSRF_COOKIE, value, max_age=None)


async def verify_csrf(request: Request) -> None:
    """Router dependency: refuse unsafe methods without a valid token."""
    if request.method in SAFE_METHODS:
        return
    value = read_cookie(request, CSRF_COOKIE)
    sent = request.headers.get(CSRF_HEADER)
    if sent is None and _is_form(request):
        field = (await request.form()).get(CSRF_FIELD)
        sent = field if isinstance(field, str) else None
    expected = _sign(request.app.state.settings, value) if value else None
    if expected is None or sent is None or not hmac.compare_digest(expected, sent):
        raise Forbidden(CSRF_FAILED, code="csrf_failed")


def _is_form(request: Request) -> bool:
    content_type = request.headers.get("content-type", "")
    return content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data"))
