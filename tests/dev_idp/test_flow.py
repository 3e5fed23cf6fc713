"""The code flow end to end over real HTTP: authorize, the login page, token, id_token, userinfo.

Every claim is checked against what ID-porten (citizens) and HelseID (staff) send, and the
id_token's signature with joserfc against the published JWKS.
"""

from __future__ import annotations

import time
import uuid

import httpx
import pytest

from app.db import make_engine
from app.models import Person
from app.people.pid_vault import PidVault
from tests.dev_idp.support import (
    SYNTHETIC_PID,
    IdpServer,
    buttons,
    log_in,
    new_login,
    redeem,
    verified_claims,
)


async def _pid_of(server: IdpServer, person_id: str) -> str:
    engine = make_engine(server.database_url)
    try:
        async with engine.connect() as connection:
            person = (
                await connection.execute(
                    Person.__table__.select().where(Person.id == uuid.UUID(person_id))
                )
            ).one()
    finally:
        await engine.dispose()
    return PidVault(server.settings().resolved_data_key()).decrypt(person.pid_encrypted)


async def test_a_citizen_chosen_from_the_list_gets_an_id_porten_shaped_id_token(
    http: httpx.AsyncClient, idp_server: IdpServer
) -> None:
    login = new_login(idp_server, ui_locales="nn")
    await log_in(http, idp_server, login, person=0, acr="high")
    assert login.location.startswith(f"{idp_server.redirect_uri('citizen')}?")
    assert login.callback["state"] == login.params["state"]
    assert login.callback["iss"] == idp_server.issuer("citizen")  # RFC 9207

    before = int(time.time())
    response = await redeem(http, idp_server, login)
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert set(body) == {"access_token", "id_token", "token_type", "expires_in", "scope"}
    assert (body["token_type"], body["expires_in"], body["scope"]) == (
        "Bearer",
        120,
        "openid profile",
    )

    header, claims = await verified_claims(http, idp_server, "citizen", body["id_token"])
    jwks = (await http.get("/dev-idp/citizen/jwks")).json()
    assert header == {"alg": "RS256", "kid": jwks["keys"][0]["kid"]}
    pid = await _pid_of(idp_server, login.chosen)
    assert set(claims) == {
        "iss", "aud", "sub", "pid", "acr", "amr", "sid", "locale",
        "auth_time", "iat", "exp", "nonce", "jti",
    }  # fmt: skip
    assert claims["iss"] == idp_server.issuer("citizen")
    assert claims["aud"] == "samplan"
    assert claims["pid"] == pid
    assert claims["sub"] != pid and pid not in claims["sub"] and len(claims["sub"]) == 43
    assert claims["acr"] == "idporten-loa-high"
    assert claims["amr"] == ["TestID"]
    assert claims["locale"] == "nn"
    assert claims["nonce"] == login.params["nonce"]
    assert before - 5 <= claims["iat"] <= before + 5
    assert claims["exp"] == claims["iat"] + 120
    assert claims["auth_time"] <= claims["iat"]
    assert len(claims["sid"]) >= 22 and len(claims["jti"]) >= 16


async def test_a_typed_synthetic_number_at_level_substantial(
    http: httpx.AsyncClient, idp_server: IdpServer
) -> None:
    login = new_login(idp_server, acr_values="idporten-loa-substantial")
    await log_in(http, idp_server, login, pid=SYNTHETIC_PID, acr="substantial")
    body = (await redeem(http, idp_server, login)).json()
    _, claims = await verified_claims(http, idp_server, "citizen", body["id_token"])
    assert claims["pid"] == SYNTHETIC_PID
    assert claims["acr"] == "idporten-loa-substantial"
    assert claims["locale"] == "nb"  # no ui_locales, no cookie: Bokmål, as at ID-porten


async def test_sub_is_pairwise_stable_for_a_person_and_different_between_people(
    http: httpx.AsyncClient, idp_server: IdpServer
) -> None:
    subs = []
    for pid in (SYNTHETIC_PID, SYNTHETIC_PID, "28816196088"):
        login = new_login(idp_server, prompt="login")
        await log_in(http, idp_server, login, pid=pid)
        body = (await redeem(http, idp_server, login)).json()
        subs.append(
            (await verified_claims(http, idp_server, "citizen", body["id_token"]))[1]["sub"]
        )
    assert subs[0] == subs[1] != subs[2]


async def test_an_employee_gets_a_helseid_shaped_id_token(
    http: httpx.AsyncClient, idp_server: IdpServer
) -> None:
    login = new_login(idp_server, "employee")
    page = await http.get("/dev-idp/employee/authorize", params=login.params)
    labels = [label for _, label in buttons(page.text, "employee_id")]
    assert {"Ingrid Berg, Koordinator", "Kari Nordmann, Leder"} <= set(labels)
    assert not [label for label in labels if label.startswith("Sara Lie")]  # another issuer
    assert labels == sorted(labels)
    await log_in(http, idp_server, login)
    assert login.callback["iss"] == idp_server.issuer("employee")
    body = (await redeem(http, idp_server, login, basic=True)).json()
    header, claims = await verified_claims(http, idp_server, "employee", body["id_token"])
    citizen_kid = (await http.get("/dev-idp/citizen/jwks")).json()["keys"][0]["kid"]
    assert header["kid"] != citizen_kid
    assert set(claims) == {
        "iss", "aud", "sub", "name", "helseid://claims/hpr/hpr_number",
        "helseid://claims/identity/assurance_level", "sid", "auth_time", "iat", "exp",
        "nonce", "jti",
    }  # fmt: skip
    assert claims["iss"] == idp_server.issuer("employee") and claims["aud"] == "samplan"
    assert claims["sub"] == "helseid-subject-ingrid"
    assert claims["name"] == "Ingrid Berg"
    assert claims["helseid://claims/hpr/hpr_number"] == "565501872"
    assert claims["helseid://claims/identity/assurance_level"] == "high"
    assert claims["exp"] == claims["iat"] + 120


async def test_an_employee_without_an_hpr_number_gets_no_hpr_claim(
    http: httpx.AsyncClient, idp_server: IdpServer
) -> None:
    login = new_login(idp_server, "employee")
    login = await log_in(http, idp_server, login, employee="Kari Nordmann, Leder")
    body = (await redeem(http, idp_server, login)).json()
    _, claims = await verified_claims(http, idp_server, "employee", body["id_token"])
    assert claims["sub"] == "helseid-subject-kari"
    assert "helseid://claims/hpr/hpr_number" not in claims


async def test_userinfo_answers_the_access_token_and_nothing_else(
    http: httpx.AsyncClient, idp_server: IdpServer
) -> None:
    login = await log_in(http, idp_server, new_login(idp_server, ui_locales="en"))
    body = (await redeem(http, idp_server, login)).json()
    _, claims = await verified_claims(http, idp_server, "citizen", body["id_token"])
    bearer = {"Authorization": f"Bearer {body['access_token']}"}
    info = await http.get("/dev-idp/citizen/userinfo", headers=bearer)
    assert info.json() == {"sub": claims["sub"], "pid": SYNTHETIC_PID, "locale": "en"}
    assert (await http.post("/dev-idp/citizen/userinfo", headers=bearer)).status_code == 200
    # Another realm's userinfo, no token, or a made-up one: 401 with a Bearer challenge.
    for realm, headers in [
        ("employee", bearer),
        ("citizen", {}),
        ("citizen", {"Authorization": "Bearer made-up"}),
    ]:
        refused = await http.get(f"/dev-idp/{realm}/userinfo", headers=headers)
        assert refused.status_code == 401
        assert refused.headers["www-authenticate"] == 'Bearer error="invalid_token"'


async def test_employee_userinfo_has_sub_and_name(
    http: httpx.AsyncClient, idp_server: IdpServer
) -> None:
    login = await log_in(http, idp_server, new_login(idp_server, "employee"))
    body = (await redeem(http, idp_server, login)).json()
    info = await http.get(
        "/dev-idp/employee/userinfo", headers={"Authorization": f"Bearer {body['access_token']}"}
    )
    assert info.json() == {"sub": "helseid-subject-ingrid", "name": "Ingrid Berg"}


async def test_a_wrong_pkce_verifier_is_refused_and_spends_the_code(
    http: httpx.AsyncClient, idp_server: IdpServer
) -> None:
    login = await log_in(http, idp_server, new_login(idp_server))
    wrong = await redeem(http, idp_server, login, code_verifier="x" * 43)
    assert wrong.status_code == 400
    assert wrong.json()["error"] == "invalid_grant"
    assert (await redeem(http, idp_server, login)).json()["error"] == "invalid_grant"


@pytest.mark.parametrize("verifier", ["", "short", "a" * 129, "ä" * 43])
async def test_a_malformed_verifier_is_an_invalid_request_that_keeps_the_code(
    http: httpx.AsyncClient, idp_server: IdpServer, verifier: str
) -> None:
    login = await log_in(http, idp_server, new_login(idp_server))
    refused = await redeem(http, idp_server, login, code_verifier=verifier)
    assert (refused.status_code, refused.json()["error"]) == (400, "invalid_request")
    assert (await redeem(http, idp_server, login)).status_code == 200


async def test_a_replayed_code_is_refused_and_revokes_the_first_access_token(
    http: httpx.AsyncClient, idp_server: IdpServer
) -> None:
    login = await log_in(http, idp_server, new_login(idp_server))
    first = (await redeem(http, idp_server, login)).json()
    replay = await redeem(http, idp_server, login)
    assert (replay.status_code, replay.json()["error"]) == (400, "invalid_grant")
    info = await http.get(
        "/dev-idp/citizen/userinfo", headers={"Authorization": f"Bearer {first['access_token']}"}
    )
    assert info.status_code == 401  # RFC 6749 § 4.1.2: what the code gave is revoked


async def test_a_redirect_uri_that_differs_from_the_request_is_refused(
    http: httpx.AsyncClient, idp_server: IdpServer
) -> None:
    login = await log_in(http, idp_server, new_login(idp_server))
    refused = await redeem(
        http, idp_server, login, redirect_uri=f"{idp_server.url}/auth/citizen/callback/"
    )
    assert (refused.status_code, refused.json()["error"]) == (400, "invalid_grant")


async def test_a_code_from_one_realm_is_refused_by_the_other(
    http: httpx.AsyncClient, idp_server: IdpServer
) -> None:
    login = await log_in(http, idp_server, new_login(idp_server))
    login.realm = "employee"
    refused = await redeem(http, idp_server, login, redirect_uri=idp_server.redirect_uri("citizen"))
    assert refused.json()["error"] == "invalid_grant"


@pytest.mark.parametrize("basic", [False, True])
async def test_a_wrong_client_secret_is_401_invalid_client(
    http: httpx.AsyncClient, idp_server: IdpServer, basic: bool
) -> None:
    login = await log_in(http, idp_server, new_login(idp_server))
    refused = await redeem(http, idp_server, login, basic=basic, secret="not-the-secret")
    assert refused.status_code == 401
    assert refused.json()["error"] == "invalid_client"
    assert refused.headers["cache-control"] == "no-store"
    assert refused.headers["www-authenticate"].startswith("Basic")
    # A failed client authentication does not spend the code.
    assert (await redeem(http, idp_server, login, basic=basic)).status_code == 200


async def test_token_requests_that_break_rfc_6749_are_refused(
    http: httpx.AsyncClient, idp_server: IdpServer
) -> None:
    login = await log_in(http, idp_server, new_login(idp_server))
    secret = idp_server.client_secret
    url = "/dev-idp/citizen/token"
    base = {"client_id": "samplan", "client_secret": secret, "code": login.code}
    cases = [
        ({"grant_type": "authorization_code"}, None, 401, "invalid_client"),
        ({**base, "grant_type": "refresh_token"}, None, 400, "unsupported_grant_type"),
        ({**base, "grant_type": "authorization_code"}, None, 400, "invalid_request"),
        ({"grant_type": "authorization_code", "client_secret": secret}, ("samplan", secret), 400,
         "invalid_request"),
    ]  # fmt: skip
    for data, basic, status, error in cases:
        auth = httpx.BasicAuth(*basic) if basic else httpx.USE_CLIENT_DEFAULT
        refused = await http.post(url, data=data, auth=auth)
        assert (refused.status_code, refused.json()["error"]) == (status, error), data
    as_json = await http.post(url, json={**base, "grant_type": "authorization_code"})
    assert as_json.json()["error"] == "invalid_request"
    assert (await redeem(http, idp_server, login)).status_code == 200
