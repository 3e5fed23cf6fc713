"""Each test fault knob breaks exactly what faults.py says, and the rest stays valid.

These are the tokens and callbacks the relying party must refuse (research/oidc.md § 8).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from joserfc import jwt
from joserfc.errors import BadSignatureError, JoseError
from joserfc.jwk import KeySet, OctKey, RSAKey

from app.dev_idp.faults import Fault
from app.people.identity_numbers import InvalidIdentityNumber, InvalidReason, parse_identity_number
from tests.dev_idp.support import (
    SYNTHETIC_PID,
    IdpServer,
    Login,
    log_in,
    new_login,
    redeem,
    unverified,
    verified_claims,
)

Claims = dict[str, Any]


async def _faulty_token(
    http: httpx.AsyncClient, server: IdpServer, fault: str, realm: str = "citizen", **params: str
) -> tuple[Login, str]:
    login = await log_in(http, server, new_login(server, realm, test_fault=fault, **params))
    response = await redeem(http, server, login)
    assert response.status_code == 200, response.text
    return login, str(response.json()["id_token"])


async def _jwks(http: httpx.AsyncClient, realm: str = "citizen") -> Any:
    return (await http.get(f"/dev-idp/{realm}/jwks")).json()


def test_every_knob_is_tested_here() -> None:
    assert {fault.value for fault in Fault} == set(CLAIM_FAULTS) | set(OTHER_FAULTS)


# Knobs whose token is still signed correctly: (the claims they touch, what they must hold).
ClaimCheck = Callable[[Claims, Login, IdpServer], None]
CLAIM_FAULTS: dict[str, tuple[set[str], ClaimCheck]] = {
    "wrong_iss": ({"iss"}, lambda c, _, s: _equal(c["iss"], s.issuer("citizen") + "/")),
    "wrong_aud": ({"aud"}, lambda c, *_: _equal((c["aud"], c["azp"]), ("someone-else", "samplan"))),
    "aud_extra_untrusted": ({"aud"}, lambda c, *_: _equal(
        (c["aud"], c["azp"]), (["samplan", "untrusted-client"], "samplan")
    )),
    "wrong_nonce": ({"nonce"}, lambda c, login, _: _true(c["nonce"] != login.params["nonce"])),
    "no_nonce": ({"nonce"}, lambda c, *_: _true("nonce" not in c)),
    "expired": (set(), lambda c, *_: _true(
        abs(c["exp"] - (time.time() - 31)) < 5 and c["iat"] == c["exp"] - 120
    )),
    "iat_future": (set(), lambda c, *_: _true(c["iat"] > time.time() + 3500 < c["exp"])),
    "no_iat": (set(), lambda c, *_: _true("iat" not in c and "exp" in c)),
    "no_sub": (set(), lambda c, *_: _true("sub" not in c)),
    "no_pid": ({"pid"}, lambda c, *_: _true("pid" not in c and "sub" in c)),
    "bad_pid_checksum": ({"pid"}, lambda c, *_: _bad_checksum(c["pid"])),
    "low_acr": ({"acr"}, lambda c, *_: _equal(c["acr"], "idporten-loa-substantial")),
    "no_acr": ({"acr"}, lambda c, *_: _true("acr" not in c)),
}  # fmt: skip
OTHER_FAULTS = [
    "alg_none",
    "hs256_with_secret",
    "other_key",
    "unknown_kid",
    "no_kid",
    "no_iss_param",
    "wrong_iss_param",
    "error_access_denied",
]


def _equal(found: object, expected: object) -> None:
    assert found == expected


def _true(condition: object) -> None:
    assert condition


def _bad_checksum(pid: str) -> None:
    assert pid[:-1] == SYNTHETIC_PID[:-1] and pid != SYNTHETIC_PID
    with pytest.raises(InvalidIdentityNumber) as refused:
        parse_identity_number(pid, allow_synthetic=True)
    assert refused.value.reason is InvalidReason.CHECKSUM


@pytest.mark.parametrize("fault", list(CLAIM_FAULTS))
async def test_a_claim_fault_changes_that_claim_under_a_good_signature(
    http: httpx.AsyncClient, idp_server: IdpServer, fault: str
) -> None:
    login, id_token = await _faulty_token(http, idp_server, fault)
    header, claims = await verified_claims(http, idp_server, "citizen", id_token)
    assert header["kid"] == (await _jwks(http))["keys"][0]["kid"]
    touched, check = CLAIM_FAULTS[fault]
    check(claims, login, idp_server)
    # Everything the fault does not touch is still right, and the callback is clean.
    expected = {
        "iss": idp_server.issuer("citizen"),
        "aud": "samplan",
        "nonce": login.params["nonce"],
        "acr": "idporten-loa-high",
        "pid": SYNTHETIC_PID,
    }
    for name in expected.keys() - touched:
        assert claims[name] == expected[name], name
    assert login.callback["iss"] == idp_server.issuer("citizen")


async def test_low_acr_is_one_level_under_the_lowest_requested(
    http: httpx.AsyncClient, idp_server: IdpServer
) -> None:
    _, id_token = await _faulty_token(
        http, idp_server, "low_acr", acr_values="idporten-loa-substantial"
    )
    assert (await verified_claims(http, idp_server, "citizen", id_token))[1]["acr"] == (
        "idporten-loa-low"
    )


async def test_alg_none_is_an_unsigned_token(
    http: httpx.AsyncClient, idp_server: IdpServer
) -> None:
    _, id_token = await _faulty_token(http, idp_server, "alg_none")
    header, claims = unverified(id_token)
    assert header == {"alg": "none"} and id_token.endswith(".")
    assert claims["iss"] == idp_server.issuer("citizen")
    with pytest.raises(JoseError):
        jwt.decode(id_token, KeySet.import_key_set(await _jwks(http)), algorithms=["RS256"])


async def test_hs256_with_secret_is_a_mac_keyed_with_the_client_secret(
    http: httpx.AsyncClient, idp_server: IdpServer
) -> None:
    _, id_token = await _faulty_token(http, idp_server, "hs256_with_secret")
    header, _ = unverified(id_token)
    assert header == {"alg": "HS256"}
    secret = OctKey.import_key(idp_server.client_secret)
    assert jwt.decode(id_token, secret, algorithms=["HS256"]).claims["pid"] == SYNTHETIC_PID
    with pytest.raises(JoseError):
        jwt.decode(id_token, KeySet.import_key_set(await _jwks(http)), algorithms=["RS256"])


async def test_other_key_is_a_bad_signature_under_the_published_kid(
    http: httpx.AsyncClient, idp_server: IdpServer
) -> None:
    _, id_token = await _faulty_token(http, idp_server, "other_key")
    jwks = await _jwks(http)
    assert unverified(id_token)[0] == {"alg": "RS256", "kid": jwks["keys"][0]["kid"]}
    with pytest.raises(BadSignatureError):
        jwt.decode(id_token, KeySet.import_key_set(jwks), algorithms=["RS256"])


@pytest.mark.parametrize("fault", ["unknown_kid", "no_kid"])
async def test_kid_faults_are_signed_by_the_real_key(
    http: httpx.AsyncClient, idp_server: IdpServer, fault: str
) -> None:
    _, id_token = await _faulty_token(http, idp_server, fault)
    jwks = await _jwks(http)
    header, _ = unverified(id_token)
    if fault == "no_kid":
        assert header == {"alg": "RS256"}
    else:
        assert header["kid"] not in {key["kid"] for key in jwks["keys"]}
    key = RSAKey.import_key(jwks["keys"][0])
    assert jwt.decode(id_token, key, algorithms=["RS256"]).claims["pid"] == SYNTHETIC_PID


CALLBACK_CHECKS: dict[str, Callable[[dict[str, str], IdpServer], None]] = {
    "no_iss_param": lambda callback, _: _true("iss" not in callback and "code" in callback),
    "wrong_iss_param": lambda callback, server: _equal(callback["iss"], server.issuer("employee")),
    "error_access_denied": lambda callback, server: _equal(
        (callback["error"], "code" in callback, callback["iss"]),
        ("access_denied", False, server.issuer("citizen")),
    ),
}


@pytest.mark.parametrize("fault", list(CALLBACK_CHECKS))
async def test_a_callback_fault_shapes_the_redirect(
    http: httpx.AsyncClient, idp_server: IdpServer, fault: str
) -> None:
    login = await log_in(http, idp_server, new_login(idp_server, test_fault=fault))
    assert login.callback["state"] == login.params["state"]
    CALLBACK_CHECKS[fault](login.callback, idp_server)
    if "code" in login.callback:  # the token itself is clean
        body = (await redeem(http, idp_server, login)).json()
        claims = (await verified_claims(http, idp_server, "citizen", body["id_token"]))[1]
        assert claims["iss"] == idp_server.issuer("citizen")


async def test_a_fault_also_applies_to_a_single_sign_on_answer(
    http: httpx.AsyncClient, idp_server: IdpServer
) -> None:
    await log_in(http, idp_server, new_login(idp_server))
    login = new_login(idp_server, test_fault="no_iss_param")
    response = await http.get("/dev-idp/citizen/authorize", params=login.params)
    assert response.status_code == 303 and "iss=" not in response.headers["location"]


EmployeeCheck = Callable[[Claims], None]
ASSURANCE = "helseid://claims/identity/assurance_level"


@pytest.mark.parametrize(
    ("fault", "check"),
    [
        ("low_acr", lambda c: _equal(c[ASSURANCE], "substantial")),
        ("no_acr", lambda c: _true(ASSURANCE not in c)),
        ("no_pid", lambda c: _true("pid" not in c and c["sub"])),
        ("wrong_iss", lambda c: _true(c["iss"].endswith("/dev-idp/employee/"))),
    ],
)  # fmt: skip
async def test_employee_faults_use_helseid_claims(
    http: httpx.AsyncClient, idp_server: IdpServer, fault: str, check: EmployeeCheck
) -> None:
    _, id_token = await _faulty_token(http, idp_server, fault, "employee")
    check((await verified_claims(http, idp_server, "employee", id_token))[1])


async def test_userinfo_stays_correct_under_a_fault(
    http: httpx.AsyncClient, idp_server: IdpServer
) -> None:
    login = await log_in(http, idp_server, new_login(idp_server, test_fault="no_sub"))
    body = (await redeem(http, idp_server, login)).json()
    info = await http.get(
        "/dev-idp/citizen/userinfo", headers={"Authorization": f"Bearer {body['access_token']}"}
    )
    assert set(info.json()) == {"sub", "pid", "locale"}
