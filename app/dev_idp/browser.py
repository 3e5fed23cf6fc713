"""What the provider keeps in the browser and reads from it: its SSO cookie and the language."""

from __future__ import annotations

from collections.abc import Iterable

from starlette.requests import Request
from starlette.responses import Response

from app.cookies import read_cookie
from app.i18n import LANGUAGE_COOKIE, parse_language
from app.models import Realm
from app.settings import Settings


def sso_cookie_name(realm: Realm) -> str:
    return f"samplan_devidp_{realm.value}"


def sso_cookie_path(realm: Realm) -> str:
    # Scoped to the realm: the portal never sees the provider's cookie, as with a real provider.
    return f"/dev-idp/{realm.value}"


def read_sso_cookie(request: Request, realm: Realm) -> str | None:
    return request.cookies.get(sso_cookie_name(realm))


def set_sso_cookie(response: Response, settings: Settings, realm: Realm, handle: str) -> None:
    response.set_cookie(
        sso_cookie_name(realm),
        handle,
        path=sso_cookie_path(realm),
        secure=settings.uses_https,
        httponly=True,
        samesite="lax",
    )


def delete_sso_cookie(response: Response, settings: Settings, realm: Realm) -> None:
    response.delete_cookie(
        sso_cookie_name(realm),
        path=sso_cookie_path(realm),
        secure=settings.uses_https,
        httponly=True,
        samesite="lax",
    )


def choose_language(request: Request, ui_locales: Iterable[str]) -> None:
    """Like ID-porten: the person's own choice (the language cookie) first, then ui_locales."""
    if read_cookie(request, LANGUAGE_COOKIE) is not None:
        return
    for tag in ui_locales:
        language = parse_language(tag)
        if language is not None:
            request.state.language = language
            return
