"""Which language this request is in, and the form that changes it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from starlette.responses import RedirectResponse

from app.cookies import set_cookie
from app.errors import InvalidInput
from app.i18n import LANGUAGE_COOKIE, gettext_noop, parse_language
from app.web.navigation import safe_local_path

router = APIRouter()
ONE_YEAR = 365 * 24 * 3600
UNKNOWN_LANGUAGE = gettext_noop("We do not have that language. Choose Bokmål, Nynorsk or English.")


@router.post("/language", name="set_language")
async def set_language(
    request: Request, lang: Annotated[str, Form()], next: Annotated[str, Form()] = "/"
) -> RedirectResponse:
    language = parse_language(lang)
    if language is None:
        raise InvalidInput(UNKNOWN_LANGUAGE, code="unknown_language")
    request.state.language = language
    response = RedirectResponse(safe_local_path(next), status_code=303)
    set_cookie(
        response, request.app.state.settings, LANGUAGE_COOKIE, language.value, max_age=ONE_YEAR
    )
    return response
