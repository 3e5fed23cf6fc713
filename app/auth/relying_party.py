"""The OpenID Connect relying party's HTTP side: the authorize URL and the code exchange.

Authlib provides the PKCE primitives; state, nonce and verifier live server-side (not in a
cookie session), and the ID token is validated by app.auth.id_token (see there for why).
"""

from __future__ import annotations

import json
import secrets
import uuid
from datetime import datetime
from typing import Any

import httpx
from authlib.common.security import generate_token
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import JWKRegistry, RSAKey

from app.auth.errors import LOGIN_FAILED, PROVIDER_UNAVAILABLE, LoginRefused
from app.auth.metadata import Discovery
from app.auth.providers import Provider

ASSERTION_LIFETIME_SECONDS = 120  # ID-porten's limit; Authlib's default of 3600 is refused


def new_pkce_verifier() -> str:
    return str(generate_token(64))  # 64 characters, within RFC 7636's 43-128


def authorize_url(
    provider: Provider,
    discovery: Discovery,
    *,
    state: str,
    nonce: str,
    code_verifier: str,
    ui_locale: str,
) -> str:
    params: dict[str, str] = {
        "response_type": "code",
        "client_id": provider.client_id,
        "redirect_uri": provider.redirect_uri,
        "scope": provider.scopes,
        "state": state,
        "nonce": nonce,
        "code_challenge": str(create_s256_code_challenge(code_verifier)),
        "code_challenge_method": "S256",
        "ui_locales": ui_locale,
    }
    if provider.required_acr:
        params["acr_values"] = provider.required_acr
    return str(httpx.URL(discovery.authorization_endpoint, params=params))


def _client_assertion(provider: Provider, discovery: Discovery, now: datetime) -> str:
    assert provider.private_key is not None
    raw = provider.private_key.strip()
    try:
        # The setting holds either a PEM or a JWK as JSON text.
        material: str | dict[str, Any] = json.loads(raw) if raw.startswith("{") else raw
        key = JWKRegistry.import_key(material, "RSA")
    except (ValueError, JoseError) as error:
        raise LoginRefused("client_key_invalid", PROVIDER_UNAVAILABLE, status=500) from error
    if not isinstance(key, RSAKey) or not key.is_private:
        raise LoginRefused("client_key_not_rsa", PROVIDER_UNAVAILABLE, status=500)
    issued = int(now.timestamp())
    claims = {
        "iss": provider.client_id,
        "sub": provider.client_id,
        "aud": discovery.issuer,
        "iat": issued,
        "exp": issued + ASSERTION_LIFETIME_SECONDS,
        "jti": str(uuid.uuid4()),  # fresh every time (Authlib pitfall: a reused jti)
    }
    header: dict[str, Any] = {"alg": "RS256"}
    if provider.key_id:
        header["kid"] = provider.key_id
    return jwt.encode(header, claims, key)


async def exchange_code(
    http: httpx.AsyncClient,
    provider: Provider,
    discovery: Discovery,
    *,
    code: str,
    code_verifier: str,
    now: datetime,
) -> str:
    """Trade the code for tokens and return the raw ID token. No retries: a code works once."""
    form: dict[str, str] = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": provider.redirect_uri,
        "code_verifier": code_verifier,
        "client_id": provider.client_id,  # ID-porten wants it in the body even with assertions
    }
    if provider.private_key:
        form["client_assertion_type"] = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
        form["client_assertion"] = _client_assertion(provider, discovery, now)
    elif provider.client_secret:
        form["client_secret"] = provider.client_secret  # client_secret_post, as Digdir advises
    try:
        response = await http.post(
            discovery.token_endpoint, data=form, headers={"Accept": "application/json"}
        )
    except httpx.HTTPError as error:
        raise LoginRefused(
            "token_endpoint_unreachable", PROVIDER_UNAVAILABLE, status=502
        ) from error
    if response.status_code != 200:
        raise LoginRefused("token_exchange_refused", LOGIN_FAILED)
    try:
        token = response.json()
    except ValueError as error:
        raise LoginRefused("token_response_not_json") from error
    if (
        not isinstance(token, dict)
        or str(token.get("token_type", "")).lower() != "bearer"
        or not isinstance(token.get("id_token"), str)
    ):
        raise LoginRefused("token_response_without_id_token")
    return str(token["id_token"])


def random_value() -> str:
    return secrets.token_urlsafe(32)
