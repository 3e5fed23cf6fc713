"""Discovery, JWKS and the key file: what a relying party reads before any login."""

from __future__ import annotations

import json
import stat

import httpx
import pytest
from joserfc.jwk import RSAKey

from tests.dev_idp.support import IdpServer


@pytest.mark.parametrize("realm", ["citizen", "employee"])
async def test_discovery_names_every_endpoint_under_the_issuer(
    http: httpx.AsyncClient, idp_server: IdpServer, realm: str
) -> None:
    response = await http.get(f"/dev-idp/{realm}/.well-known/openid-configuration")
    assert response.status_code == 200
    document = response.json()
    issuer = idp_server.issuer(realm)
    assert document["issuer"] == issuer and not issuer.endswith("/")
    assert document["authorization_endpoint"] == f"{issuer}/authorize"
    assert document["token_endpoint"] == f"{issuer}/token"
    assert document["userinfo_endpoint"] == f"{issuer}/userinfo"
    assert document["jwks_uri"] == f"{issuer}/jwks"
    assert document["end_session_endpoint"] == f"{issuer}/logout"
    assert document["response_types_supported"] == ["code"]
    assert document["grant_types_supported"] == ["authorization_code"]
    assert document["code_challenge_methods_supported"] == ["S256"]
    assert document["token_endpoint_auth_methods_supported"] == [
        "client_secret_post",
        "client_secret_basic",
    ]
    # Only RS256: an OP that lists "none" makes Authlib accept unsigned tokens (pitfall 3).
    assert document["id_token_signing_alg_values_supported"] == ["RS256"]
    assert document["subject_types_supported"] == ["pairwise"]
    assert document["ui_locales_supported"] == ["nb", "nn", "en"]
    assert document["authorization_response_iss_parameter_supported"] is True
    assert "openid" in document["scopes_supported"]
    assert {"sub", "nonce", "sid", "auth_time"} <= set(document["claims_supported"])


async def test_citizen_discovery_is_shaped_like_id_porten(http: httpx.AsyncClient) -> None:
    document = (await http.get("/dev-idp/citizen/.well-known/openid-configuration")).json()
    assert document["acr_values_supported"] == ["idporten-loa-substantial", "idporten-loa-high"]
    assert document["frontchannel_logout_supported"] is True
    assert document["frontchannel_logout_session_supported"] is True
    assert {"pid", "acr", "amr", "locale"} <= set(document["claims_supported"])


async def test_employee_discovery_is_shaped_like_helseid(http: httpx.AsyncClient) -> None:
    document = (await http.get("/dev-idp/employee/.well-known/openid-configuration")).json()
    assert "acr_values_supported" not in document
    assert "frontchannel_logout_supported" not in document
    assert "helseid://claims/hpr/hpr_number" in document["claims_supported"]
    assert "pid" not in document["claims_supported"]


@pytest.mark.parametrize("realm", ["citizen", "employee"])
async def test_jwks_publishes_one_public_rsa_key_named_by_its_thumbprint(
    http: httpx.AsyncClient, realm: str
) -> None:
    response = await http.get(f"/dev-idp/{realm}/jwks")
    assert response.headers["cache-control"] == "max-age=300"
    keys = response.json()["keys"]
    assert len(keys) == 1
    key = keys[0]
    assert set(key) == {"kty", "use", "alg", "kid", "n", "e"}  # no private member
    assert (key["kty"], key["use"], key["alg"]) == ("RSA", "sig", "RS256")
    imported = RSAKey.import_key(key)
    assert imported.thumbprint() == key["kid"]  # RFC 7638, computed by joserfc
    assert imported.as_dict(private=False)["n"] == key["n"]
    assert len(key["n"]) == 342  # 2048 bits in base64url


async def test_each_realm_has_its_own_key(http: httpx.AsyncClient) -> None:
    citizen = (await http.get("/dev-idp/citizen/jwks")).json()["keys"][0]
    employee = (await http.get("/dev-idp/employee/jwks")).json()["keys"][0]
    assert citizen["kid"] != employee["kid"]


async def test_private_keys_are_kept_in_the_data_dir_readable_by_the_owner_only(
    http: httpx.AsyncClient, idp_server: IdpServer
) -> None:
    path = idp_server.data_dir / "dev_idp_keys.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    stored = json.loads(path.read_text())
    published = (await http.get("/dev-idp/citizen/jwks")).json()["keys"][0]
    assert stored["citizen"]["kid"] == published["kid"]
    assert stored["citizen"]["n"] == published["n"] and "d" in stored["citizen"]


async def test_an_unknown_realm_is_not_found(http: httpx.AsyncClient) -> None:
    response = await http.get("/dev-idp/admin/.well-known/openid-configuration")
    assert response.status_code == 404


async def test_the_provider_stays_out_of_the_api_schema(http: httpx.AsyncClient) -> None:
    schema = (await http.get("/api/v1/openapi.json")).json()
    assert not [path for path in schema["paths"] if path.startswith("/dev-idp")]
