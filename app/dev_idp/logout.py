"""RP-initiated logout (end_session) with front-channel logout, as ID-porten does it (§ 1.7).

The page ends the provider's own SSO session, loads the client's front-channel logout URI in
an iframe (`?iss=&sid=`), then offers a link back to the registered post-logout address. No
timed redirect (WCAG 2.2.1: people decide when to move on) and no script (the CSP forbids inline
script, and this page must work without JavaScript).

POST has no CSRF check: the client's page posts here across origins as it would to ID-porten,
with no token of ours, and a forged logout can only end a test session.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from starlette.responses import HTMLResponse

from app.dev_idp.browser import choose_language, delete_sso_cookie, read_sso_cookie
from app.dev_idp.clients import RealmConfig
from app.dev_idp.keys import JsonObject, decode_rs256
from app.dev_idp.provider import DevIdp
from app.dev_idp.state import store_of
from app.middleware.security_headers import CONTENT_SECURITY_POLICY
from app.web.deps import RendererDep

# The site-wide policy plus frame-src 'self' for the front-channel iframe; the security
# middleware keeps a CSP that a response already has. script-src 'self' stays because the page
# extends base.html, which loads htmx; inline script stays forbidden.
LOGOUT_CSP = f"{CONTENT_SECURITY_POLICY}; frame-src 'self'"


def routes(idp: DevIdp) -> APIRouter:
    router = APIRouter()

    @router.get("/dev-idp/{realm}/logout", name="dev_idp_logout")
    async def end_session(realm: str, request: Request, renderer: RendererDep) -> HTMLResponse:
        return _log_out(idp, idp.config(realm), request, renderer, request.query_params.items())

    @router.post("/dev-idp/{realm}/logout", name="dev_idp_logout_post")
    async def end_session_by_post(
        realm: str, request: Request, renderer: RendererDep
    ) -> HTMLResponse:
        form = await request.form()
        items = [(name, value) for name, value in form.items() if isinstance(value, str)]
        return _log_out(idp, idp.config(realm), request, renderer, items)

    return router


def _log_out(
    idp: DevIdp,
    config: RealmConfig,
    request: Request,
    renderer: RendererDep,
    items: Iterable[tuple[str, str]],
) -> HTMLResponse:
    values = dict(items)
    choose_language(request, values.get("ui_locales", "").split())
    hint = None
    if "id_token_hint" in values:
        hint = _valid_hint(idp, config, values["id_token_hint"])
    ended = store_of(request).end_session(
        realm=config.realm,
        handle=read_sso_cookie(request, config.realm),
        sid=str(hint["sid"]) if hint and "sid" in hint else None,
    )
    frontchannel_url = None
    if ended is not None and config.frontchannel_logout_uri is not None:
        query = urlencode({"iss": config.issuer, "sid": ended.sid})
        frontchannel_url = f"{config.frontchannel_logout_uri}?{query}"
    here = request.url.path
    if request.method == "GET" and request.url.query:
        # A language switch repeats a GET logout; a POST's id_token_hint never enters a URL.
        here = f"{here}?{request.url.query}"
    context = {
        "frontchannel_url": frontchannel_url,
        "return_url": _return_url(config, values, hint),
        "current_path": here,
    }
    response: HTMLResponse = renderer.render(request, "dev_idp/logout.html", context)
    response.headers["Content-Security-Policy"] = LOGOUT_CSP
    delete_sso_cookie(response, idp.settings, config.realm)
    return response


def _valid_hint(idp: DevIdp, config: RealmConfig, token: str) -> JsonObject | None:
    """Our own id_token for our client; an expired one is fine (OIDC RP-Initiated § 2)."""
    claims = decode_rs256(token, idp.keys[config.realm])
    if claims is None or claims.get("iss") != config.issuer:
        return None
    audience = claims.get("aud")
    audiences = audience if isinstance(audience, list) else [audience]
    return claims if config.client_id in audiences else None


def _return_url(config: RealmConfig, values: dict[str, str], hint: JsonObject | None) -> str | None:
    """The registered post-logout address, or None: then the person is not sent anywhere."""
    if "id_token_hint" in values and hint is None:
        return None  # a hint that is not ours: do not trust the rest of the request either
    client_id = values.get("client_id") or (config.client_id if hint else None)
    if client_id != config.client_id:
        return None
    if values.get("post_logout_redirect_uri") != config.post_logout_redirect_uri:
        return None
    state = values.get("state")
    if state is None:
        return config.post_logout_redirect_uri
    # ID-porten: state is printable ASCII (§ 1.7); anything else is not echoed.
    if not state or len(state) > 512 or any(not " " <= char <= "~" for char in state):
        return None
    return f"{config.post_logout_redirect_uri}?{urlencode({'state': state})}"
