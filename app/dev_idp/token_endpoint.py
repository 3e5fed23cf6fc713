"""The token endpoint: client authentication, the code grant, PKCE; errors as RFC 6749 JSON.

Called by the relying party's server, never by a browser, so it has no CSRF check: the client
secret is what authenticates the call.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
from datetime import timedelta
from urllib.parse import unquote_plus

from fastapi import APIRouter, Request
from starlette.datastructures import FormData
from starlette.responses import JSONResponse

from app.dev_idp.clients import ACCESS_TOKEN_SECONDS, RealmConfig
from app.dev_idp.keys import b64url
from app.dev_idp.provider import DevIdp
from app.dev_idp.state import AccessToken, store_of
from app.dev_idp.tokens import id_token
from app.web.deps import ClockDep

# RFC 7636 § 4.1: 43-128 characters from the unreserved set.
_CODE_VERIFIER = re.compile(r"[A-Za-z0-9._~-]{43,128}")
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


class TokenError(Exception):
    def __init__(self, error: str, description: str, *, status: int = 400) -> None:
        super().__init__(description)
        self.error = error
        self.description = description
        self.status = status

    def response(self) -> JSONResponse:
        headers = dict(NO_STORE)
        if self.status == 401:
            headers["WWW-Authenticate"] = 'Basic realm="dev-idp"'
        body = {"error": self.error, "error_description": self.description}
        return JSONResponse(body, status_code=self.status, headers=headers)


def routes(idp: DevIdp) -> APIRouter:
    router = APIRouter()

    @router.post("/dev-idp/{realm}/token", name="dev_idp_token")
    async def token(realm: str, request: Request, clock: ClockDep) -> JSONResponse:
        config = idp.config(realm)
        now = clock.now()
        store = store_of(request)
        try:
            form = await _form(request)
            client_id = authenticate(config, request.headers.get("authorization"), form)
            if _single(form, "grant_type") != "authorization_code":
                raise TokenError("unsupported_grant_type", "only authorization_code")
            code_value = _required(form, "code")
            redirect_uri = _required(form, "redirect_uri")
            verifier = _required(form, "code_verifier")
            if not _CODE_VERIFIER.fullmatch(verifier):
                raise TokenError("invalid_request", "code_verifier must be 43-128 characters")
            # Checked before the code is spent, so a malformed request does not burn it.
            code = store.redeem_code(code_value, now)
            if code is None or code.realm is not config.realm or code.client_id != client_id:
                raise TokenError("invalid_grant", "the code is unknown, expired or already used")
            if redirect_uri != code.redirect_uri:
                raise TokenError("invalid_grant", "redirect_uri differs from the request")
            challenge = b64url(hashlib.sha256(verifier.encode("ascii")).digest())
            if not hmac.compare_digest(challenge, code.code_challenge):
                raise TokenError("invalid_grant", "code_verifier does not match code_challenge")
        except TokenError as error:
            return error.response()
        access = AccessToken(
            realm=code.realm,
            subject=code.subject,
            sid=code.sid,
            locale=code.locale,
            scope=code.scope,
            expires_at=now + timedelta(seconds=ACCESS_TOKEN_SECONDS),
        )
        body = {
            "access_token": store.issue_access_token(code_value, access, now),
            "id_token": id_token(idp, code, now=now),
            "token_type": "Bearer",
            "expires_in": ACCESS_TOKEN_SECONDS,
            "scope": " ".join(code.scope),
        }
        return JSONResponse(body, headers=NO_STORE)

    return router


def authenticate(config: RealmConfig, authorization: str | None, form: FormData) -> str:
    """client_secret_basic or client_secret_post (one of them, RFC 6749 § 2.3.1)."""
    posted_secret = _single(form, "client_secret")
    posted_id = _single(form, "client_id")
    if authorization is not None and authorization[:6].lower() == "basic ":
        if posted_secret is not None:
            raise TokenError("invalid_request", "use one client authentication method")
        client_id, secret = _basic_credentials(authorization[6:])
        if posted_id is not None and posted_id != client_id:
            raise TokenError("invalid_request", "client_id differs from the credentials")
    elif posted_secret is not None:
        client_id, secret = posted_id or "", posted_secret
    else:
        raise TokenError("invalid_client", "client authentication is required", status=401)
    # Both compared in constant time, and both always compared (no early exit on the id).
    id_matches = hmac.compare_digest(client_id.encode(), config.client_id.encode())
    secret_matches = hmac.compare_digest(secret.encode(), config.client_secret.encode())
    if not (id_matches and secret_matches):
        raise TokenError("invalid_client", "client authentication failed", status=401)
    return client_id


def _basic_credentials(encoded: str) -> tuple[str, str]:
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        raise TokenError("invalid_client", "malformed Basic credentials", status=401) from None
    client_id, separator, secret = decoded.partition(":")
    if not separator:
        raise TokenError("invalid_client", "malformed Basic credentials", status=401)
    return unquote_plus(client_id), unquote_plus(secret)


async def _form(request: Request) -> FormData:
    if not request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        raise TokenError("invalid_request", "send application/x-www-form-urlencoded")
    return await request.form()


def _single(form: FormData, name: str) -> str | None:
    values = form.getlist(name)
    if len(values) > 1:
        raise TokenError("invalid_request", f"repeated parameter: {name}")
    value = values[0] if values else None
    if value is not None and not isinstance(value, str):
        raise TokenError("invalid_request", f"{name} must be a plain field")
    return value


def _required(form: FormData, name: str) -> str:
    value = _single(form, name)
    if not value:
        raise TokenError("invalid_request", f"{name} is required")
    return value
