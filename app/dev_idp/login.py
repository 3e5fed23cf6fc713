"""The authorization endpoint and its test-login page (GET shows it, POST logs in).

With a live single sign-on session and no `prompt=login`, GET answers at once, as ID-porten
does; `prompt=none` without one answers `login_required`. The page's form carries the request
in hidden fields and is checked again on POST: hidden fields are input like any other.
"""

from __future__ import annotations

import logging
import secrets
from datetime import date, datetime, timedelta
from typing import Any

from fastapi import APIRouter, Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.responses import RedirectResponse, Response

from app.clock import today_in_oslo
from app.dev_idp import personas
from app.dev_idp.authorize import (
    AuthorizeError,
    AuthorizeRequest,
    callback_iss,
    callback_url,
    error_url,
    parse,
)
from app.dev_idp.browser import choose_language, read_sso_cookie, set_sso_cookie
from app.dev_idp.clients import CODE_SECONDS, LOA_HIGH, LOA_SUBSTANTIAL
from app.dev_idp.faults import Fault
from app.dev_idp.provider import DevIdp
from app.dev_idp.state import AuthorizationCode, SsoSession, Subject, store_of
from app.errors import InvalidInput
from app.i18n import gettext_noop, language_of
from app.models import Realm
from app.web.csrf import verify_csrf
from app.web.deps import ClockDep, DbSession, RendererDep

logger = logging.getLogger("app.dev_idp")

TITLES = {
    Realm.CITIZEN: gettext_noop("Test login for citizens"),
    Realm.EMPLOYEE: gettext_noop("Test login for employees"),
}
LEVEL_LABELS = {
    LOA_HIGH: ("high", gettext_noop("Level high (BankID)")),
    LOA_SUBSTANTIAL: ("substantial", gettext_noop("Level substantial (MinID)")),
}
LEVEL_NOT_ALLOWED = gettext_noop("The service asks for a higher level. Choose Level high.")
NOTHING_CHOSEN = gettext_noop("Choose a test person, or type a synthetic identity number.")


def routes(idp: DevIdp) -> APIRouter:
    # The login form posts back here, so CSRF is checked exactly as on the portal's pages.
    router = APIRouter(dependencies=[Depends(verify_csrf)])

    @router.get("/dev-idp/{realm}/authorize", name="dev_idp_authorize")
    async def authorize(
        realm: str, request: Request, session: DbSession, renderer: RendererDep, clock: ClockDep
    ) -> Response:
        config = idp.config(realm)
        try:
            auth = parse(config, idp.settings, request.query_params.multi_items())
        except AuthorizeError as error:
            return RedirectResponse(error_url(config, error), status_code=303)
        choose_language(request, auth.ui_locales)
        now = clock.now()
        if auth.prompt != "login":
            sso = store_of(request).session(
                read_sso_cookie(request, config.realm), config.realm, now
            )
            if sso is not None and (sso.acr is None or sso.acr in auth.allowed_levels):
                return _finish(idp, request, auth, sso, now)
        if auth.prompt == "none":
            refusal = AuthorizeError("login_required", "no single sign-on session", auth.state)
            return RedirectResponse(error_url(config, refusal), status_code=303)
        context = await _page_context(session, auth, today=today_in_oslo(clock))
        return renderer.render(request, "dev_idp/login.html", context)

    @router.post("/dev-idp/{realm}/authorize", name="dev_idp_log_in")
    async def log_in(
        realm: str, request: Request, session: DbSession, renderer: RendererDep, clock: ClockDep
    ) -> Response:
        config = idp.config(realm)
        form = await request.form()
        fields = [(name, value) for name, value in form.multi_items() if isinstance(value, str)]
        try:
            auth = parse(config, idp.settings, fields)
        except AuthorizeError as error:
            return RedirectResponse(error_url(config, error), status_code=303)
        choose_language(request, auth.ui_locales)
        chosen = dict(fields)
        level: str | None = None
        if not config.is_citizen:
            subject = await personas.employee_subject(
                session, chosen.get("employee_id", ""), issuer=config.issuer
            )
        else:
            level = _chosen_level(chosen.get("acr", "high"), auth)
            if "person_id" in chosen:
                vault = request.app.state.pid_vault
                subject = await personas.citizen_subject(session, chosen["person_id"], vault=vault)
            elif "use_pid" in chosen or chosen.get("pid"):
                try:
                    subject = personas.typed_subject(chosen.get("pid", ""))
                except personas.TypedNumberRefused as refusal:
                    context = await _page_context(
                        session,
                        auth,
                        today=today_in_oslo(clock),
                        pid_error=refusal.message,
                        level=level,
                    )
                    return renderer.render(request, "dev_idp/login.html", context, status_code=422)
            else:
                raise InvalidInput(NOTHING_CHOSEN)
        return _log_in(idp, request, auth, subject, level, now=clock.now())

    return router


def _log_in(
    idp: DevIdp,
    request: Request,
    auth: AuthorizeRequest,
    subject: Subject,
    level: str | None,
    *,
    now: datetime,
) -> Response:
    """Start a new SSO session in this browser (ending its old one), then answer the client."""
    store = store_of(request)
    realm = auth.config.realm
    store.end_session(realm=realm, handle=read_sso_cookie(request, realm))
    # The sid goes to the client and into front-channel URLs; the cookie holds another value.
    sso = SsoSession(realm, secrets.token_urlsafe(24), subject, level, now, last_seen=now)
    response = _finish(idp, request, auth, sso, now)
    set_sso_cookie(response, idp.settings, realm, store.start_session(sso))
    return response


def _finish(
    idp: DevIdp, request: Request, auth: AuthorizeRequest, sso: SsoSession, now: datetime
) -> RedirectResponse:
    config = auth.config
    iss = callback_iss(config, auth.fault, other_issuer=idp.other_issuer(config.realm))
    if auth.fault is not None:
        logger.info(f"dev-idp test fault {auth.fault.value}", extra={"event": "dev_idp_test_fault"})
    if auth.fault is Fault.ERROR_ACCESS_DENIED:
        parameters = {
            "error": "access_denied",
            "error_description": "the person cancelled the login",
            "state": auth.state,
        }
        url = callback_url(config.redirect_uri, parameters, iss=iss)
        return RedirectResponse(url, status_code=303)
    code = AuthorizationCode(
        realm=config.realm,
        client_id=config.client_id,
        redirect_uri=config.redirect_uri,
        code_challenge=auth.code_challenge,
        nonce=auth.nonce,
        scope=auth.scope,
        acr=sso.acr,
        lowest_acr=auth.lowest_level,
        sid=sso.sid,
        subject=sso.subject,
        locale=language_of(request).value,
        auth_time=sso.auth_time,
        fault=auth.fault,
        expires_at=now + timedelta(seconds=CODE_SECONDS),
    )
    value = store_of(request).issue_code(code, now)
    url = callback_url(config.redirect_uri, {"code": value, "state": auth.state}, iss=iss)
    return RedirectResponse(url, status_code=303)


async def _page_context(
    session: AsyncSession,
    auth: AuthorizeRequest,
    *,
    today: date,
    pid_error: str | None = None,
    level: str | None = None,
) -> dict[str, Any]:
    config = auth.config
    context: dict[str, Any] = {
        "title": TITLES[config.realm],
        "is_citizen": config.is_citizen,
        "action": config.path("authorize"),
        "hidden": auth.parameters,
        # The language switcher returns to this same request, not to a bare /authorize.
        "current_path": auth.page_url(),
        "pid_error": pid_error,
    }
    if config.is_citizen:
        checked = level or LOA_HIGH
        context["levels"] = [
            {
                "value": LEVEL_LABELS[loa][0],
                "label": LEVEL_LABELS[loa][1],
                "checked": loa == checked,
            }
            for loa in reversed(auth.allowed_levels)
        ]
        context["people"] = await personas.citizen_choices(session, today=today)
    else:
        context["employees"] = await personas.employee_choices(session, issuer=config.issuer)
    return context


def _chosen_level(value: str, auth: AuthorizeRequest) -> str:
    for loa, (short, _label) in LEVEL_LABELS.items():
        if value == short and loa in auth.allowed_levels:
            return loa
    raise InvalidInput(LEVEL_NOT_ALLOWED)
