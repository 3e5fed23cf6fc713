"""Cookie names and attributes in one place: __Host- prefix and Secure whenever we run on HTTPS."""

from __future__ import annotations

from starlette.requests import HTTPConnection
from starlette.responses import Response

from app.settings import Settings


def cookie_name(settings: Settings, base_name: str) -> str:
    # __Host- requires Secure, no Domain and Path=/; browsers refuse it on plain HTTP.
    return f"__Host-{base_name}" if settings.uses_https else base_name


def read_cookie(connection: HTTPConnection, base_name: str) -> str | None:
    settings: Settings = connection.app.state.settings
    return connection.cookies.get(cookie_name(settings, base_name))


def set_cookie(
    response: Response, settings: Settings, base_name: str, value: str, *, max_age: int | None
) -> None:
    response.set_cookie(
        cookie_name(settings, base_name),
        value,
        max_age=max_age,
        path="/",
        secure=settings.uses_https,
        httponly=True,
        samesite="lax",
    )


def delete_cookie(response: Response, settings: Settings, base_name: str) -> None:
    # The same attributes as when set: browsers ignore a deletion of a __Host- cookie without them.
    response.delete_cookie(
        cookie_name(settings, base_name),
        path="/",
        secure=settings.uses_https,
        httponly=True,
        samesite="lax",
    )
