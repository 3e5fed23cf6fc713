"""Sign-in pages and the routes operators register with the identity providers (README § 6)."""

from __future__ import annotations

import uuid
from urllib.parse import urlencode, urlsplit

from fastapi import APIRouter, Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from app.api.deps import CurrentActor, DbSession, SettingsDep
from app.auth import providers
from app.auth import service as auth
from app.cookies import delete_cookie, read_cookie, set_cookie
from app.errors import TooManyRequests
from app.i18n import gettext_noop, language_of
from app.models import Realm
from app.sessions import service as sessions
from app.sessions.service import SESSION_COOKIE
from app.web.deps import RendererDep
from app.web.navigation import safe_local_path

router = APIRouter()
LOGIN_COOKIE = "samplan_login"
SLOW_DOWN = gettext_noop("Too many login attempts from your network. Wait a little and try again.")


def _limit(request: Request) -> None:
    address = request.client.host if request.client else "unknown"
    wait = request.app.state.login_limiter.retry_after(address)
    if wait is not None:
        raise TooManyRequests(SLOW_DOWN, retry_after=wait)


@router.get("/login", name="login")
async def choose_login(request: Request, renderer: RendererDep, next: str = "/") -> HTMLResponse:
    return renderer.render(request, "auth/login.html", {"next": safe_local_path(next)})


@router.get("/login/{realm}", name="start_login")
async def start_login(
    request: Request,
    realm: Realm,
    session: DbSession,
    settings: SettingsDep,
    next: str = "/",
) -> RedirectResponse:
    _limit(request)
    started = await auth.start_login(
        session,
        request.app.state.sign_in,
        realm=realm,
        return_to=safe_local_path(next),
        ui_locale=language_of(request).value,
    )
    response = RedirectResponse(started.authorize_url, status_code=303)
    set_cookie(response, settings, LOGIN_COOKIE, started.browser_token, max_age=600)
    return response


@router.get("/auth/{realm}/callback", name="login_callback")
async def login_callback(
    request: Request,
    realm: Realm,
    session: DbSession,
    settings: SettingsDep,
    renderer: RendererDep,
) -> Response:
    _limit(request)
    finished = await auth.finish_login(
        session,
        request.app.state.sign_in,
        realm=realm,
        callback=dict(request.query_params),
        browser_token=read_cookie(request, LOGIN_COOKIE),
        user_agent=request.headers.get("user-agent", ""),
    )
    response: Response
    if finished.refusal is not None:
        refusal = finished.refusal
        response = renderer.render(
            request,
            "auth/login_failed.html",
            {"detail": refusal.detail},
            status_code=refusal.status,
        )
    else:
        assert finished.session_token is not None
        # A session from before this login is ended: the id rotates at every login.
        previous = read_cookie(request, SESSION_COOKIE)
        if previous:
            await sessions.end(session, previous)
        # Guardians and representatives choose whom they act for; others pass straight on.
        next_step = f"/acting-for?{urlencode({'next': finished.return_to})}"
        target = next_step if realm is Realm.CITIZEN else finished.return_to
        response = RedirectResponse(target, status_code=303)
        set_cookie(response, settings, SESSION_COOKIE, finished.session_token, max_age=None)
    delete_cookie(response, settings, LOGIN_COOKIE)
    return response


@router.get("/auth/citizen/frontchannel-logout", name="frontchannel_logout")
async def frontchannel_logout(
    session: DbSession, settings: SettingsDep, iss: str = "", sid: str = ""
) -> Response:
    """Loaded by the provider in a hidden iframe; answers 200 whatever it is given."""
    expected = providers.provider(settings, Realm.CITIZEN).issuer
    if iss == expected and sid:
        await sessions.end_by_provider_session(session, issuer=expected, sid=sid)
    origin = _origin(expected)
    return Response(
        "<!doctype html><title>Samplan</title>",
        media_type="text/html",
        headers={
            "Cache-Control": "no-store",
            "Content-Security-Policy": f"default-src 'none'; frame-ancestors {origin}",
        },
    )


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


@router.post("/logout", name="logout")
async def logout(request: Request, session: DbSession, settings: SettingsDep) -> RedirectResponse:
    token = read_cookie(request, SESSION_COOKIE)
    ended = await sessions.end(session, token) if token else None
    target = "/logged-out"
    if ended is not None:
        provider_url = await auth.provider_logout_url(
            request.app.state.sign_in, ended.realm, state=uuid.uuid4().hex
        )
        target = provider_url or target
    response = RedirectResponse(target, status_code=303)
    delete_cookie(response, settings, SESSION_COOKIE)
    return response


@router.get("/logged-out", name="logged_out")
async def logged_out(request: Request, renderer: RendererDep) -> HTMLResponse:
    # Whatever `state` the provider sends back is ignored: the local session is already gone.
    return renderer.render(request, "auth/logged_out.html")


@router.get("/sessions", name="my_sessions")
async def my_sessions(
    request: Request, session: DbSession, actor: CurrentActor, renderer: RendererDep
) -> HTMLResponse:
    listed = await sessions.list_for(session, actor)
    return renderer.render(request, "auth/sessions.html", {"sessions": listed})


@router.post("/sessions/{session_id}/end", name="end_session")
async def end_session(
    session_id: uuid.UUID, session: DbSession, actor: CurrentActor
) -> RedirectResponse:
    await sessions.end_one(session, actor, session_id)
    target = "/logged-out" if session_id == actor.session_id else "/sessions"
    return RedirectResponse(target, status_code=303)


@router.post("/sessions/end-all", name="end_all_sessions")
async def end_all_sessions(
    request: Request, session: DbSession, actor: CurrentActor
) -> RedirectResponse:
    await sessions.end_all(session, actor)
    response = RedirectResponse("/logged-out", status_code=303)
    delete_cookie(response, request.app.state.settings, SESSION_COOKIE)
    return response
