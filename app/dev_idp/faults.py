"""Test fault knobs: break one thing on purpose, so the relying party's refusals can be tested.

An authorize request may carry `test_fault=<name>`. It is honoured only when SAMPLAN_ENV=test;
in development (and production, where the provider never runs) the parameter is ignored. An
unknown name in test is refused with `invalid_request`, so a typo cannot pass as a clean login.
The knob travels with the code (and through the login page's hidden fields) and shapes either
the callback or the id_token. Every case of research/oidc.md § 8 that a provider can cause:

    knob                 effect
    -------------------  ------------------------------------------------------------------
    wrong_iss            id_token iss = issuer + "/" (the trailing-slash variant, § 1.1)
    wrong_aud            aud = "someone-else", azp = "samplan" (Authlib pitfall 1)
    aud_extra_untrusted  aud = ["samplan", "untrusted-client"], azp = "samplan"
    wrong_nonce          nonce = a fresh random value
    no_nonce             nonce left out
    alg_none             header {"alg": "none"}, empty signature
    hs256_with_secret    HS256, MAC keyed with the client secret, no kid (alg confusion)
    other_key            RS256 by a key that is in no JWKS, under the published kid
    expired              exp = now - 31 s, iat = exp - 120 s (just past a 30 s leeway)
    iat_future           iat = now + 3600 s, exp = iat + 120 s
    no_iat               iat left out
    no_sub               sub left out
    no_pid               pid left out (citizen realm; no effect for employees)
    bad_pid_checksum     pid with its last digit changed, so K2 fails (citizen realm)
    low_acr              citizen: acr one level under the lowest requested (substantial
                         when high was asked for, idporten-loa-low otherwise);
                         employee: assurance_level "substantial"
    no_acr               citizen: acr left out; employee: assurance_level left out
    no_iss_param         the callback carries no iss parameter (RFC 9207)
    wrong_iss_param      the callback's iss is the other realm's issuer (a mix-up)
    error_access_denied  the callback is error=access_denied, no code (the person cancelled)
    unknown_kid          RS256 by the real key, kid not in the JWKS (still unknown on re-fetch)
    no_kid               RS256 by the real key, no kid header (the JWKS has one key)

Faults change only the id_token and the callback: userinfo, discovery and JWKS stay correct.
"""

from __future__ import annotations

from enum import StrEnum

from app.settings import Environment, Settings


class Fault(StrEnum):
    WRONG_ISS = "wrong_iss"
    WRONG_AUD = "wrong_aud"
    AUD_EXTRA_UNTRUSTED = "aud_extra_untrusted"
    WRONG_NONCE = "wrong_nonce"
    NO_NONCE = "no_nonce"
    ALG_NONE = "alg_none"
    HS256_WITH_SECRET = "hs256_with_secret"
    OTHER_KEY = "other_key"
    EXPIRED = "expired"
    IAT_FUTURE = "iat_future"
    NO_IAT = "no_iat"
    NO_SUB = "no_sub"
    NO_PID = "no_pid"
    BAD_PID_CHECKSUM = "bad_pid_checksum"
    LOW_ACR = "low_acr"
    NO_ACR = "no_acr"
    NO_ISS_PARAM = "no_iss_param"
    WRONG_ISS_PARAM = "wrong_iss_param"
    ERROR_ACCESS_DENIED = "error_access_denied"
    UNKNOWN_KID = "unknown_kid"
    NO_KID = "no_kid"


# Claims a fault removes outright, per realm (employees carry assurance_level, not acr).
DROPPED_CLAIMS = {
    Fault.NO_NONCE: "nonce",
    Fault.NO_IAT: "iat",
    Fault.NO_SUB: "sub",
    Fault.NO_PID: "pid",
}


def parse_fault(raw: str | None, settings: Settings) -> Fault | None:
    """The knob asked for, or None; raises ValueError for an unknown name (test env only)."""
    if raw is None or raw == "" or settings.env is not Environment.TEST:
        return None
    return Fault(raw)
