"""Client authentication at the token endpoint: private_key_jwt (RFC 7523) and client_secret_post.

The assertion is decoded with the public half of the configured key; the token endpoint is a
small real ASGI app reached through httpx's ASGI transport, which records the form it got.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from joserfc import jwt
from joserfc.errors import BadSignatureError
from joserfc.jwk import RSAKey
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from app.auth.errors import LoginRefused
from app.auth.metadata import Discovery
from app.auth.providers import Provider
from app.auth.relying_party import _client_assertion, exchange_code
from app.models import Realm

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
ISSUER = "https://test.idporten.example"
TOKEN_ENDPOINT = f"{ISSUER}/token"
KEY = RSAKey.generate_key(2048)
PUBLIC_KEY = RSAKey.import_key(KEY.as_pem(private=False))
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
TOKENS = {"token_type": "Bearer", "id_token": "x.y.z", "access_token": "a"}

PROVIDER = Provider(
    realm=Realm.CITIZEN,
    issuer=ISSUER,
    client_id="samplan-client",
    client_secret=None,
    private_key=KEY.as_pem(private=True).decode(),
    key_id="samplan-2026",
    required_acr="idporten-loa-high",
    scopes="openid profile",
    id_claim="pid",
    redirect_uri="https://samplan.example/auth/citizen/callback",
    built_in=False,
)
SECRET_PROVIDER = replace(PROVIDER, client_secret="s" * 40, private_key=None, key_id=None)
DISCOVERY = Discovery(
    issuer=ISSUER,
    authorization_endpoint=f"{ISSUER}/authorize",
    token_endpoint=TOKEN_ENDPOINT,
    jwks_uri=f"{ISSUER}/jwks",
    end_session_endpoint=None,
    userinfo_endpoint=None,
)


class TokenEndpoint:
    """A token endpoint that records every form it receives and answers as it is told."""

    def __init__(self, status: int = 200, body: dict[str, Any] | None = None) -> None:
        self.forms: list[dict[str, str]] = []
        self.status = status
        self.body = TOKENS if body is None else body
        self.app = Starlette(routes=[Route("/token", self.token, methods=["POST"])])

    async def token(self, request: Request) -> Response:
        form = await request.form()
        self.forms.append({name: str(value) for name, value in form.multi_items()})
        return JSONResponse(self.body, status_code=self.status)

    async def exchange(self, provider: Provider = PROVIDER) -> str:
        transport = httpx.ASGITransport(app=self.app)
        async with httpx.AsyncClient(transport=transport) as http:
            return await exchange_code(
                http, provider, DISCOVERY, code="the-code", code_verifier="v" * 64, now=NOW
            )


def _decoded(assertion: str) -> jwt.Token:
    return jwt.decode(assertion, PUBLIC_KEY, algorithms=["RS256"])


def test_the_client_assertion_is_signed_rs256_by_the_configured_key_with_its_kid() -> None:
    token = _decoded(_client_assertion(PROVIDER, DISCOVERY, NOW))
    assert token.header["alg"] == "RS256" and token.header["kid"] == "samplan-2026"


def test_a_wrong_public_key_does_not_verify_the_client_assertion() -> None:
    assertion = _client_assertion(PROVIDER, DISCOVERY, NOW)
    with pytest.raises(BadSignatureError):
        jwt.decode(assertion, RSAKey.generate_key(2048), algorithms=["RS256"])


def test_the_client_assertion_is_from_the_client_about_the_client_to_the_issuer() -> None:
    claims = _decoded(_client_assertion(PROVIDER, DISCOVERY, NOW)).claims
    assert claims["iss"] == claims["sub"] == "samplan-client"
    assert claims["aud"] == ISSUER


def test_the_client_assertion_is_issued_now_and_lives_120_seconds() -> None:
    claims = _decoded(_client_assertion(PROVIDER, DISCOVERY, NOW)).claims
    assert claims["iat"] == int(NOW.timestamp())
    assert claims["exp"] - claims["iat"] == 120


def test_every_client_assertion_has_a_fresh_jti() -> None:
    jtis = [_decoded(_client_assertion(PROVIDER, DISCOVERY, NOW)).claims["jti"] for _ in range(5)]
    assert all(isinstance(jti, str) and len(jti) >= 32 for jti in jtis)
    assert len(set(jtis)) == 5


def test_without_a_key_id_the_client_assertion_has_no_kid() -> None:
    provider = replace(PROVIDER, key_id=None)
    token = _decoded(_client_assertion(provider, DISCOVERY, NOW))
    assert "kid" not in token.header


def test_a_private_key_configured_as_a_jwk_signs_the_client_assertion() -> None:
    provider = replace(PROVIDER, private_key=json.dumps(KEY.as_dict(private=True)))
    assert _decoded(_client_assertion(provider, DISCOVERY, NOW)).claims["iss"] == "samplan-client"


@pytest.mark.parametrize("material", ["not a key", '{"kty": "RSA"}', "{not json"])
def test_a_broken_private_key_is_a_clear_refusal_not_a_crash(material: str) -> None:
    with pytest.raises(LoginRefused) as refused:
        _client_assertion(replace(PROVIDER, private_key=material), DISCOVERY, NOW)
    assert refused.value.reason in ("client_key_invalid", "client_key_not_rsa")


def test_a_public_key_alone_cannot_sign() -> None:
    public = KEY.as_pem(private=False).decode()
    with pytest.raises(LoginRefused) as refused:
        _client_assertion(replace(PROVIDER, private_key=public), DISCOVERY, NOW)
    assert refused.value.reason == "client_key_not_rsa"


async def test_the_code_exchange_sends_a_client_assertion_and_no_secret() -> None:
    endpoint = TokenEndpoint()
    assert await endpoint.exchange() == "x.y.z"
    [form] = endpoint.forms
    assert set(form) == {
        "grant_type",
        "code",
        "redirect_uri",
        "code_verifier",
        "client_id",
        "client_assertion_type",
        "client_assertion",
    }
    assert form["grant_type"] == "authorization_code"
    assert form["code"] == "the-code"
    assert form["redirect_uri"] == "https://samplan.example/auth/citizen/callback"
    assert form["code_verifier"] == "v" * 64
    assert form["client_id"] == "samplan-client"
    assert form["client_assertion_type"] == ASSERTION_TYPE
    claims = _decoded(form["client_assertion"]).claims
    assert claims["iss"] == claims["sub"] == "samplan-client" and claims["aud"] == ISSUER


async def test_a_configured_key_wins_over_a_configured_secret_and_the_secret_is_not_sent() -> None:
    endpoint = TokenEndpoint()
    await endpoint.exchange(replace(PROVIDER, client_secret="s" * 40))
    [form] = endpoint.forms
    assert "client_secret" not in form
    assert form["client_assertion_type"] == ASSERTION_TYPE


async def test_with_only_a_client_secret_the_form_carries_the_secret_and_no_assertion() -> None:
    endpoint = TokenEndpoint()
    assert await endpoint.exchange(SECRET_PROVIDER) == "x.y.z"
    [form] = endpoint.forms
    assert form["client_secret"] == "s" * 40
    assert form["client_id"] == "samplan-client"
    assert "client_assertion" not in form and "client_assertion_type" not in form


async def test_a_token_endpoint_answering_400_refuses_the_login() -> None:
    endpoint = TokenEndpoint(status=400, body={"error": "invalid_client"})
    with pytest.raises(LoginRefused) as refused:
        await endpoint.exchange()
    assert refused.value.reason == "token_exchange_refused"


async def test_a_token_response_without_an_id_token_refuses_the_login() -> None:
    endpoint = TokenEndpoint(body={"token_type": "Bearer", "access_token": "a"})
    with pytest.raises(LoginRefused) as refused:
        await endpoint.exchange()
    assert refused.value.reason == "token_response_without_id_token"
