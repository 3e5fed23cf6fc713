"""oidc.md § 8 at the validator: tokens minted here, each case refused (or accepted) explicitly."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from joserfc import jwt
from joserfc.jwk import KeySet, OctKey, RSAKey

from app.auth.errors import LoginRefused
from app.auth.id_token import choose_key, verify_id_token
from app.auth.providers import Provider
from app.models import Realm
from app.people.identity_numbers import make_synthetic_identity_number

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
ISSUER = "https://test.idporten.example"
KEY = RSAKey.generate_key(2048, parameters={"kid": "current", "use": "sig"})
OTHER_KEY = RSAKey.generate_key(2048, parameters={"kid": "current", "use": "sig"})
PID = make_synthetic_identity_number(date(1990, 5, 17), serial=2)
PROVIDER = Provider(
    realm=Realm.CITIZEN,
    issuer=ISSUER,
    client_id="samplan",
    client_secret="s" * 40,
    private_key=None,
    key_id=None,
    required_acr="idporten-loa-high",
    scopes="openid profile",
    id_claim="pid",
    redirect_uri="https://samplan.example/auth/citizen/callback",
    built_in=False,
)


def _claims(**changes: Any) -> dict[str, Any]:
    claims: dict[str, Any] = {
        "iss": ISSUER,
        "aud": "samplan",
        "sub": "pairwise-abc",
        "pid": PID,
        "acr": "idporten-loa-high",
        "amr": ["TestID"],
        "sid": "sid-1",
        "nonce": "n-1",
        "iat": int(NOW.timestamp()) - 5,
        "exp": int(NOW.timestamp()) + 115,
    }
    for name, value in changes.items():
        if value is None:
            claims.pop(name, None)
        else:
            claims[name] = value
    return claims


def _token(claims: dict[str, Any], key: Any = KEY, header: dict[str, Any] | None = None) -> str:
    return jwt.encode(header or {"alg": "RS256", "kid": "current"}, claims, key)


def _verify(raw: str, **options: Any) -> Any:
    settings: dict[str, Any] = {
        "provider": PROVIDER,
        "nonce": "n-1",
        "now": NOW,
        "allow_synthetic": True,
    }
    settings.update(options)
    return verify_id_token(raw, KEY, **settings)


def _refused(raw: str, reason: str, **options: Any) -> None:
    with pytest.raises(LoginRefused) as refused:
        _verify(raw, **options)
    assert refused.value.reason == reason


def test_a_correct_id_token_is_accepted_with_its_identity() -> None:
    login = _verify(_token(_claims()))
    assert login.subject == "pairwise-abc" and login.sid == "sid-1"
    assert login.identity_number is not None and login.identity_number.synthetic
    assert PID not in repr(login)


def test_case_5_wrong_nonce_is_refused() -> None:
    _refused(_token(_claims(nonce="someone-elses")), "id_token_nonce_mismatch")


def test_case_6_missing_nonce_is_refused() -> None:
    _refused(_token(_claims(nonce=None)), "id_token_nonce_mismatch")


def test_case_7_a_token_signed_by_another_key_is_refused() -> None:
    _refused(_token(_claims(), key=OTHER_KEY), "id_token_signature_invalid")


def test_case_8_alg_none_is_refused() -> None:
    header = '{"alg":"none","kid":"current"}'
    import base64
    import json

    def b64(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    unsigned = f"{b64(header.encode())}.{b64(json.dumps(_claims()).encode())}."
    _refused(unsigned, "id_token_alg_not_allowed")


def test_case_9_hs256_with_a_shared_secret_is_refused() -> None:
    secret = OctKey.import_key("s" * 40)
    raw = jwt.encode({"alg": "HS256", "kid": "current"}, _claims(), secret)
    _refused(raw, "id_token_alg_not_allowed")


@pytest.mark.parametrize("issuer", ["https://evil.example", ISSUER + "/"])
def test_case_10_wrong_issuer_even_a_trailing_slash_is_refused(issuer: str) -> None:
    _refused(_token(_claims(iss=issuer)), "id_token_iss_mismatch")


def test_case_11_another_audience_with_our_azp_is_refused() -> None:
    _refused(_token(_claims(aud="other-client", azp="samplan")), "id_token_aud_mismatch")


def test_case_12_an_extra_untrusted_audience_is_refused() -> None:
    _refused(_token(_claims(aud=["samplan", "untrusted"])), "id_token_aud_mismatch")


def test_case_13_expired_beyond_30_seconds_is_refused_and_within_is_accepted() -> None:
    now = int(NOW.timestamp())
    _refused(_token(_claims(exp=now - 31)), "id_token_expired")
    assert _verify(_token(_claims(exp=now - 29)))


def test_case_14_missing_or_future_iat_is_refused() -> None:
    _refused(_token(_claims(iat=None)), "id_token_time_claims_missing")
    _refused(_token(_claims(iat=int(NOW.timestamp()) + 120)), "id_token_issued_in_future")


def test_case_15_missing_sub_is_refused() -> None:
    _refused(_token(_claims(sub=None)), "id_token_sub_missing")


@pytest.mark.parametrize(
    ("acr", "reason"),
    [
        (None, "acr_missing"),
        ("idporten-loa-substantial", "acr_too_low"),
        ("Level4", "acr_too_low"),
        ("selfregistered-email", "acr_too_low"),
    ],
)
def test_case_16_acr_below_the_configured_level_is_refused(acr: str | None, reason: str) -> None:
    with pytest.raises(LoginRefused) as refused:
        _verify(_token(_claims(acr=acr)))
    assert refused.value.reason == reason and refused.value.status == 403


def test_case_17_missing_or_invalid_pid_is_refused() -> None:
    with pytest.raises(LoginRefused) as missing:
        _verify(_token(_claims(pid=None)))
    assert missing.value.reason == "pid_missing"
    bad = PID[:-1] + str((int(PID[-1]) + 1) % 10)
    _refused(_token(_claims(pid=bad)), "pid_checksum")


def test_r_id_2_a_synthetic_pid_is_refused_in_production() -> None:
    _refused(_token(_claims()), "pid_synthetic_not_allowed", allow_synthetic=False)


def test_case_18_and_19_key_choice_by_kid_and_without_kid() -> None:
    second = RSAKey.generate_key(2048, parameters={"kid": "next", "use": "sig"})
    both = KeySet([KEY, second])
    assert choose_key(both, "next") is second
    with pytest.raises(LoginRefused) as unknown:
        choose_key(both, "gone")
    assert unknown.value.reason == "signing_key_unknown"
    with pytest.raises(LoginRefused) as ambiguous:
        choose_key(both, None)
    assert ambiguous.value.reason == "signing_key_ambiguous"
    assert choose_key(KeySet([KEY]), None) is KEY


def test_a_lower_configured_level_accepts_higher_levels() -> None:
    lenient = Provider(**{**PROVIDER.__dict__, "required_acr": "idporten-loa-substantial"})
    assert lenient.allowed_acr == {"idporten-loa-substantial", "idporten-loa-high"}
    assert _verify(_token(_claims(acr="idporten-loa-substantial")), provider=lenient)
