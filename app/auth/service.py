"""Sign-in: start a login, finish it from the provider's callback, and end it at the provider.

`finish_login` never raises for a refused login: it records the refusal in the audit log and
returns it, so the request's unit of work commits the audit row and the consumed login attempt
(a failed callback URL cannot be replayed).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta

import httpx
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.access import audit
from app.auth import id_token, relying_party
from app.auth.errors import LOGIN_CANCELLED, NOT_REGISTERED, UNKNOWN_EMPLOYEE, LoginRefused
from app.auth.metadata import ProviderDirectory
from app.auth.providers import Provider, provider
from app.clock import Clock
from app.models import Employee, LoginAttempt, Realm
from app.people import service as people
from app.people.pid_vault import PidVault
from app.sessions import service as sessions
from app.settings import Settings

logger = logging.getLogger(__name__)
LOGIN_ATTEMPT_LIFETIME = timedelta(minutes=10)


@dataclass(frozen=True)
class SignInTools:
    """What sign-in works with, built once in create_app and passed to every call."""

    settings: Settings
    directory: ProviderDirectory
    http: httpx.AsyncClient
    vault: PidVault
    clock: Clock


@dataclass(frozen=True)
class StartedLogin:
    authorize_url: str
    browser_token: str  # for the login cookie that ties the callback to this browser


@dataclass(frozen=True)
class FinishedLogin:
    session_token: str | None
    return_to: str
    refusal: LoginRefused | None = None


async def start_login(
    session: AsyncSession, tools: SignInTools, *, realm: Realm, return_to: str, ui_locale: str
) -> StartedLogin:
    chosen = provider(tools.settings, realm)
    discovery = await tools.directory.discovery(chosen)
    state, nonce = relying_party.random_value(), relying_party.random_value()
    browser_token, verifier = relying_party.random_value(), relying_party.new_pkce_verifier()
    now = tools.clock.now()
    # Old, abandoned attempts go as new ones come, so the table never grows without bound.
    await session.execute(
        delete(LoginAttempt).where(LoginAttempt.created_at < now - LOGIN_ATTEMPT_LIFETIME)
    )
    session.add(
        LoginAttempt(
            state_hash=sessions.hash_token(state),
            browser_hash=sessions.hash_token(browser_token),
            realm=realm,
            nonce=nonce,
            code_verifier=verifier,
            return_to=return_to,
            created_at=now,
        )
    )
    await session.flush()
    url = relying_party.authorize_url(
        chosen, discovery, state=state, nonce=nonce, code_verifier=verifier, ui_locale=ui_locale
    )
    return StartedLogin(authorize_url=url, browser_token=browser_token)


async def finish_login(
    session: AsyncSession,
    tools: SignInTools,
    *,
    realm: Realm,
    callback: Mapping[str, str],
    browser_token: str | None,
    user_agent: str,
) -> FinishedLogin:
    try:
        return await _finish(
            session,
            tools,
            realm=realm,
            callback=callback,
            browser_token=browser_token,
            user_agent=user_agent,
        )
    except LoginRefused as refusal:
        logger.warning(
            "login refused",
            extra={
                "event": "login_refused",
                "status": refusal.status,
                "error_type": refusal.reason,
            },
        )
        await audit.record(
            session,
            action=f"login.{realm.value}",
            outcome="refused",
            reason=refusal.reason,
            clock=tools.clock,
        )
        return FinishedLogin(session_token=None, return_to="/", refusal=refusal)


async def _finish(
    session: AsyncSession,
    tools: SignInTools,
    *,
    realm: Realm,
    callback: Mapping[str, str],
    browser_token: str | None,
    user_agent: str,
) -> FinishedLogin:
    state = callback.get("state")
    if not state:
        raise LoginRefused("state_missing")
    attempt = await session.scalar(
        select(LoginAttempt).where(LoginAttempt.state_hash == sessions.hash_token(state))
    )
    if attempt is None or attempt.realm is not realm:
        raise LoginRefused("state_unknown")  # also a replayed callback: attempts are single-use
    await session.delete(attempt)
    await session.flush()
    now = tools.clock.now()
    if browser_token is None or sessions.hash_token(browser_token) != attempt.browser_hash:
        raise LoginRefused("browser_mismatch")
    if now - attempt.created_at > LOGIN_ATTEMPT_LIFETIME:
        raise LoginRefused("state_expired")
    if "error" in callback:
        if callback["error"] == "access_denied":
            raise LoginRefused("provider_access_denied", LOGIN_CANCELLED)
        raise LoginRefused("provider_error")
    chosen = provider(tools.settings, realm)
    discovery = await tools.directory.discovery(chosen)
    # RFC 9207: the callback names its issuer, which must be the one we sent the person to.
    if callback.get("iss") != discovery.issuer:
        raise LoginRefused("callback_iss_mismatch" if "iss" in callback else "callback_iss_missing")
    code = callback.get("code")
    if not code:
        raise LoginRefused("code_missing")
    raw = await relying_party.exchange_code(
        tools.http, chosen, discovery, code=code, code_verifier=attempt.code_verifier, now=now
    )
    kid = id_token.header_of(raw).get("kid")
    keys = await tools.directory.signing_keys(
        chosen, want_kid=kid if isinstance(kid, str) else None
    )
    verified = id_token.verify_id_token(
        raw,
        id_token.choose_key(keys, kid if isinstance(kid, str) else None),
        provider=chosen,
        nonce=attempt.nonce,
        now=now,
        allow_synthetic=not tools.settings.is_production,
        algorithm=discovery.signing_algorithm,
    )
    token = await _open_session(session, tools, chosen, verified, user_agent=user_agent)
    return FinishedLogin(session_token=token, return_to=attempt.return_to)


async def _open_session(
    session: AsyncSession,
    tools: SignInTools,
    chosen: Provider,
    verified: id_token.VerifiedLogin,
    *,
    user_agent: str,
) -> str:
    settings, vault, clock = tools.settings, tools.vault, tools.clock
    person_id = employee_id = municipality_id = None
    if chosen.realm is Realm.CITIZEN:
        assert verified.identity_number is not None
        person = await people.find_person(session, verified.identity_number, vault=vault)
        if person is None:
            if settings.is_production:
                # R-ID-4: in production people come from the population register, not the token.
                raise LoginRefused("person_not_registered", NOT_REGISTERED, status=403)
            person = await people.ensure_person(
                session,
                verified.identity_number,
                given_name="",
                family_name="",
                vault=vault,
                clock=clock,
            )
        person_id = person.id
    else:
        subject = verified.claims.get(chosen.id_claim)
        employee = (
            await session.scalar(
                select(Employee).where(
                    Employee.idp_issuer == chosen.issuer, Employee.idp_subject == str(subject)
                )
            )
            if isinstance(subject, str) and subject
            else None
        )
        if employee is None:
            raise LoginRefused("employee_unknown", UNKNOWN_EMPLOYEE, status=403)
        employee_id, municipality_id = employee.id, employee.municipality_id
    token = await sessions.create(
        session,
        realm=chosen.realm,
        person_id=person_id,
        employee_id=employee_id,
        provider_issuer=chosen.issuer,
        provider_sid=verified.sid,
        acr=verified.acr,
        user_agent=user_agent,
        settings=settings,
        clock=clock,
    )
    await audit.record(
        session,
        action=f"login.{chosen.realm.value}",
        outcome="succeeded",
        clock=clock,
        actor_person_id=person_id,
        actor_employee_id=employee_id,
        municipality_id=municipality_id,
    )
    return token


async def provider_logout_url(tools: SignInTools, realm: Realm, *, state: str) -> str | None:
    """Where to send the browser so the provider ends its single sign-on session too."""
    settings = tools.settings
    chosen = provider(settings, realm)
    try:
        discovery = await tools.directory.discovery(chosen)
    except LoginRefused:
        return None  # the local session is gone either way; do not strand the person
    if discovery.end_session_endpoint is None:
        return None
    params = {
        "client_id": chosen.client_id,
        "post_logout_redirect_uri": f"{settings.base_url}/logged-out",
        "state": state,
    }
    return str(httpx.URL(discovery.end_session_endpoint, params=params))
