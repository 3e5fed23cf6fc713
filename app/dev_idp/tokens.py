"""The id_token and userinfo answers, shaped like ID-porten's (citizens) and HelseID's (staff).

The fault knob of the code, if any, is applied here: first to the claims, then to the header
and signature (see faults.py for the table).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime
from typing import Any

from app.dev_idp.clients import (
    AMR_TESTID,
    ASSURANCE_CLAIM,
    HPR_CLAIM,
    ID_TOKEN_SECONDS,
    LOA_HIGH,
    LOA_LOW,
    LOA_SUBSTANTIAL,
    RealmConfig,
)
from app.dev_idp.faults import DROPPED_CLAIMS, Fault
from app.dev_idp.keys import JsonObject, encode_jws, stranger_key
from app.dev_idp.provider import DevIdp
from app.dev_idp.state import AccessToken, AuthorizationCode

UNTRUSTED_AUDIENCE = "untrusted-client"
OTHER_AUDIENCE = "someone-else"


def id_token(idp: DevIdp, code: AuthorizationCode, *, now: datetime) -> str:
    config = idp.configs[code.realm]
    claims = _citizen_claims(idp, code) if config.is_citizen else _employee_claims(code)
    issued_at = int(now.timestamp())
    claims = {
        "iss": config.issuer,
        "aud": config.client_id,
        **claims,
        "sid": code.sid,
        "auth_time": int(code.auth_time.timestamp()),
        "iat": issued_at,
        "exp": issued_at + ID_TOKEN_SECONDS,
        "nonce": code.nonce,
        "jti": secrets.token_urlsafe(16),
    }
    if code.fault is not None:
        _break_claims(claims, config, code, issued_at)
    return _sign(idp, config, claims, code.fault)


def userinfo(idp: DevIdp, token: AccessToken) -> JsonObject:
    subject = token.subject
    if subject.pid is not None:
        return {
            "sub": idp.pairwise_sub(token.realm, subject.pid),
            "pid": subject.pid,
            "locale": token.locale,
        }
    return {"sub": subject.employee_subject, "name": subject.name}


def _citizen_claims(idp: DevIdp, code: AuthorizationCode) -> JsonObject:
    pid = code.subject.pid
    assert pid is not None  # a citizen code always names a person
    return {
        "sub": idp.pairwise_sub(code.realm, pid),
        "pid": pid,
        "acr": code.acr,
        "amr": [AMR_TESTID],
        "locale": code.locale,
    }


def _employee_claims(code: AuthorizationCode) -> JsonObject:
    subject = code.subject
    claims: JsonObject = {"sub": subject.employee_subject, "name": subject.name}
    if subject.hpr_number:
        claims[HPR_CLAIM] = subject.hpr_number
    claims[ASSURANCE_CLAIM] = "high"
    return claims


def _break_claims(
    claims: dict[str, Any], config: RealmConfig, code: AuthorizationCode, now: int
) -> None:
    fault = code.fault
    level_claim = "acr" if config.is_citizen else ASSURANCE_CLAIM
    if fault in DROPPED_CLAIMS:
        claims.pop(DROPPED_CLAIMS[fault], None)
    elif fault is Fault.NO_ACR:
        claims.pop(level_claim, None)
    elif fault is Fault.WRONG_ISS:
        claims["iss"] = config.issuer + "/"
    elif fault is Fault.WRONG_AUD:
        claims.update(aud=OTHER_AUDIENCE, azp=config.client_id)
    elif fault is Fault.AUD_EXTRA_UNTRUSTED:
        claims.update(aud=[config.client_id, UNTRUSTED_AUDIENCE], azp=config.client_id)
    elif fault is Fault.WRONG_NONCE:
        claims["nonce"] = secrets.token_urlsafe(16)
    elif fault is Fault.EXPIRED:
        claims["exp"] = now - 31
        claims["iat"] = claims["exp"] - ID_TOKEN_SECONDS
        claims["auth_time"] = min(claims["auth_time"], claims["iat"])
    elif fault is Fault.IAT_FUTURE:
        claims["iat"] = now + 3600
        claims["exp"] = claims["iat"] + ID_TOKEN_SECONDS
    elif fault is Fault.BAD_PID_CHECKSUM and "pid" in claims:
        pid = claims["pid"]
        # +1 (or 9 -> 0) on the last digit moves the K2 sum by 1 or -9: never 0 mod 11 again.
        claims["pid"] = pid[:-1] + str((int(pid[-1]) + 1) % 10)
    elif fault is Fault.LOW_ACR:
        if config.is_citizen:
            claims["acr"] = LOA_SUBSTANTIAL if code.lowest_acr == LOA_HIGH else LOA_LOW
        else:
            claims[ASSURANCE_CLAIM] = "substantial"


def _sign(idp: DevIdp, config: RealmConfig, claims: JsonObject, fault: Fault | None) -> str:
    key = idp.keys[config.realm]
    if fault is Fault.ALG_NONE:
        return encode_jws({"alg": "none"}, claims, None)
    if fault is Fault.HS256_WITH_SECRET:
        secret = config.client_secret.encode()
        return encode_jws(
            {"alg": "HS256"},
            claims,
            lambda data: hmac.new(secret, data, hashlib.sha256).digest(),
        )
    if fault is Fault.OTHER_KEY:
        return encode_jws({"alg": "RS256", "kid": key.kid}, claims, stranger_key().sign)
    if fault is Fault.UNKNOWN_KID:
        return encode_jws(
            {"alg": "RS256", "kid": f"unknown-{secrets.token_hex(8)}"}, claims, key.sign
        )
    if fault is Fault.NO_KID:
        return encode_jws({"alg": "RS256"}, claims, key.sign)
    return encode_jws({"alg": "RS256", "kid": key.kid}, claims, key.sign)
