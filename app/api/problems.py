"""RFC 9457 problem details for every error under /api, in the person's language."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse

from app.i18n import language_of, translations
from app.status_text import STATUS_TITLES

PROBLEM_MEDIA_TYPE = "application/problem+json"


def problem_response(
    request: Request,
    *,
    status: int,
    code: str | None,
    detail: str | None,
    extra: Mapping[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    gettext = translations(language_of(request)).gettext
    title = STATUS_TITLES.get(status, STATUS_TITLES[400 if status < 500 else 500])
    body: dict[str, Any] = {
        # A stable key clients can switch on; "about:blank" where the status says it all.
        "type": f"urn:samplan:problem:{code}" if code else "about:blank",
        "title": gettext(title),
        "status": status,
        "instance": request.url.path,
    }
    if detail:
        body["detail"] = gettext(detail)
    if extra:
        body.update(extra)
    return JSONResponse(body, status_code=status, media_type=PROBLEM_MEDIA_TYPE, headers=headers)
