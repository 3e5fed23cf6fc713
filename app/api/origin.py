"""The JSON API is authenticated by the session cookie, so a browser on another site must not
be able to write through it. SameSite=Lax already keeps the cookie off cross-site POSTs; this
also refuses any unsafe request whose Origin is not ours (a sibling subdomain is same-site)."""

from __future__ import annotations

from urllib.parse import urlsplit

from fastapi import Request

from app.errors import Forbidden
from app.i18n import gettext_noop

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
WRONG_ORIGIN = gettext_noop("This request came from another website and was refused.")


def _origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


async def verify_same_origin(request: Request) -> None:
    """Router dependency. Clients that send no Origin (scripts, curl) are not browsers."""
    if request.method in SAFE_METHODS:
        return
    origin = request.headers.get("origin")
    if origin is None:
        return
    allowed = {_origin_of(request.app.state.settings.base_url), _origin_of(str(request.base_url))}
    if origin.lower() not in allowed:
        raise Forbidden(WRONG_ORIGIN, code="wrong_origin")
