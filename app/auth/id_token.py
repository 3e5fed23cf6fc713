"""Validate an ID token ourselves, every claim explicit (oidc.md § 5.2 and § 8).

Authlib's defaults skip `aud` when options are passed, drop `iss` with custom options, trust
the provider's announced algorithms (even `none`) and allow 120 s of leeway. None of that here:
RS256 pinned (and required in the provider's discovery), exact `iss`, `aud` is us
and only us, 30 s leeway, our `nonce`, `acr` at least the configured level, and a valid `pid`
for citizens.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from joserfc import jws, jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet, RSAKey

from app.auth.errors import LEVEL_TOO_LOW, NO_IDENTITY_NUMBER, LoginRefused
from app.auth.providers import Provider
from app.models import Realm
from app.people.identity_numbers import (
    IdentityNumber,
    InvalidIdentityNumber,
    parse_identity_number,
)

LEEWAY_SECONDS = 30


@dataclass(frozen=True)
class VerifiedLogin:
    """What a validated ID token tells us, and nothing the logs may not see in its repr."""

    subject: str
    acr: str | None
    sid: str | None
    claims: Mapping[str, Any]
    identity_number: IdentityNumber | None  # citizens only

    def __repr__(self) -> str:
        return f"VerifiedLogin(acr={self.acr!r})"


def header_of(raw: str) -> dict[str, Any]:
    try:
        return dict(jws.extract_compact(raw.encode()).protected)
    except (JoseError, ValueError) as error:
        raise LoginRefused("id_token_malformed") from error


def choose_key(keys: KeySet, kid: str | None) -> RSAKey:
    """By kid; without a kid only when the provider publishes exactly one signing key."""
    candidates = [key for key in keys if isinstance(key, RSAKey) and key.get("use", "sig") == "sig"]
    if kid is not None:
        candidates = [key for key in candidates if key.kid == kid]
    if len(candidates) != 1:
        raise LoginRefused("signing_key_unknown" if kid else "signing_key_ambiguous")
    return candidates[0]


def verify_id_token(
    raw: str,
    key: RSAKey,
    *,
    provider: Provider,
    nonce: str,
    now: datetime,
    allow_synthetic: bool,
    algorithm: str = "RS256",
) -> VerifiedLogin:
    """`algorithm` is the one pinned from the provider's discovery (app/auth/metadata.py)."""
    header = header_of(raw)
    # Pinned: `none`, HS256 (key confusion) and anything else are refused before decoding.
    if header.get("alg") != algorithm:
        raise LoginRefused("id_token_alg_not_allowed")
    try:
        claims = dict(jwt.decode(raw, key, algorithms=[algorithm]).claims)
    except JoseError as error:
        raise LoginRefused("id_token_signature_invalid") from error

    _check_registered_claims(claims, provider=provider, nonce=nonce, now=now.timestamp())
    acr = claims.get("acr")
    allowed = provider.allowed_acr
    if allowed is not None and acr not in allowed:
        reason = "acr_missing" if acr is None else "acr_too_low"
        raise LoginRefused(reason, LEVEL_TOO_LOW, status=403)

    identity_number = None
    if provider.realm is Realm.CITIZEN:
        pid = claims.get("pid")
        if not isinstance(pid, str):
            raise LoginRefused("pid_missing", NO_IDENTITY_NUMBER, status=403)
        try:
            identity_number = parse_identity_number(pid, allow_synthetic=allow_synthetic)
        except InvalidIdentityNumber as error:
            raise LoginRefused(f"pid_{error.reason.value}") from None
    sid = claims.get("sid")
    return VerifiedLogin(
        subject=str(claims["sub"]),
        acr=acr if isinstance(acr, str) else None,
        sid=sid if isinstance(sid, str) else None,
        claims=claims,
        identity_number=identity_number,
    )


def _check_registered_claims(
    claims: dict[str, Any], *, provider: Provider, nonce: str, now: float
) -> None:
    if claims.get("iss") != provider.issuer:
        raise LoginRefused("id_token_iss_mismatch")
    audience = claims.get("aud")
    audiences = audience if isinstance(audience, list) else [audience]
    # Only us: an extra, untrusted audience is refused too (OIDC Core 3.1.3.7 step 3).
    if audiences != [provider.client_id]:
        raise LoginRefused("id_token_aud_mismatch")
    if "azp" in claims and claims["azp"] != provider.client_id:
        raise LoginRefused("id_token_azp_mismatch")
    expires, issued = claims.get("exp"), claims.get("iat")
    if not isinstance(expires, int | float) or not isinstance(issued, int | float):
        raise LoginRefused("id_token_time_claims_missing")
    if now > expires + LEEWAY_SECONDS:
        raise LoginRefused("id_token_expired")
    if issued > now + LEEWAY_SECONDS:
        raise LoginRefused("id_token_issued_in_future")
    if claims.get("nonce") != nonce:
        raise LoginRefused("id_token_nonce_mismatch")
    subject = claims.get("sub")
    if not isinstance(subject, str) or not subject:
        raise LoginRefused("id_token_sub_missing")
