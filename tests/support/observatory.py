"""Mozilla HTTP Observatory's scoring rules as a table, applied to our own responses.

The Observatory cannot reach a machine without internet, so the rules that apply to Samplan are
reproduced here (scoring.md of mozilla/http-observatory): start at 100, add every penalty,
then add bonuses only if the score is already >= 90.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from http.cookies import SimpleCookie

import httpx


def _csp(response: httpx.Response) -> dict[str, list[str]]:
    directives: dict[str, list[str]] = {}
    for part in response.headers.get("content-security-policy", "").split(";"):
        words = part.strip().split()
        if words:
            directives[words[0].lower()] = [word.lower() for word in words[1:]]
    return directives


def _script_sources(csp: dict[str, list[str]]) -> list[str]:
    return csp.get("script-src", csp.get("default-src", []))


def _unsafe(csp: dict[str, list[str]]) -> bool:
    scripts = _script_sources(csp)
    objects = csp.get("object-src", csp.get("default-src", []))
    unsafe_words = {"'unsafe-inline'", "'unsafe-eval'", "data:", "*", "http:", "https:"}
    return bool(unsafe_words & set(scripts)) or bool({"*", "http:", "https:"} & set(objects))


def _safe_csp(response: httpx.Response) -> bool:
    return bool(_csp(response)) and not _unsafe(_csp(response))


def _cookies(response: httpx.Response) -> list[SimpleCookie]:
    cookies = []
    for header in response.headers.get_list("set-cookie"):
        cookie: SimpleCookie = SimpleCookie()
        cookie.load(header)
        cookies.append(cookie)
    return cookies


def _all_cookies_safe(response: httpx.Response) -> bool | None:
    cookies = _cookies(response)
    if not cookies:
        return None
    for cookie in cookies:
        for morsel in cookie.values():
            if not (morsel["secure"] and morsel["httponly"]):
                return False
            if str(morsel["samesite"]).lower() not in ("lax", "strict"):
                return False
    return True


def _hsts_max_age(response: httpx.Response) -> int:
    for part in response.headers.get("strict-transport-security", "").split(";"):
        name, _, value = part.strip().partition("=")
        if name.lower() == "max-age" and value.isdigit():
            return int(value)
    return -1


@dataclass(frozen=True)
class Rule:
    name: str
    modifier: int
    applies: Callable[[httpx.Response], bool]

    @property
    def is_bonus(self) -> bool:
        return self.modifier > 0


RULES = [
    Rule("csp-not-implemented", -25, lambda r: "content-security-policy" not in r.headers),
    Rule("csp-unsafe", -20, lambda r: bool(_csp(r)) and _unsafe(_csp(r))),
    Rule(
        "csp-implemented-with-no-unsafe-default-src-none",
        10,
        lambda r: _safe_csp(r) and _csp(r).get("default-src") == ["'none'"],
    ),
    Rule(
        "csp-implemented-with-no-unsafe",
        5,
        lambda r: _safe_csp(r) and _csp(r).get("default-src") != ["'none'"],
    ),
    Rule("hsts-not-implemented", -20, lambda r: _hsts_max_age(r) < 0),
    Rule("hsts-short", -10, lambda r: 0 <= _hsts_max_age(r) < 15_768_000),
    Rule("cookies-without-secure-or-httponly", -40, lambda r: _all_cookies_safe(r) is False),
    Rule(
        "cookies-secure-with-httponly-sessions-and-samesite",
        5,
        lambda r: _all_cookies_safe(r) is True,
    ),
    Rule(
        "x-frame-options-not-implemented",
        -20,
        lambda r: "x-frame-options" not in r.headers and "frame-ancestors" not in _csp(r),
    ),
    Rule(
        "x-frame-options-implemented-via-csp",
        5,
        lambda r: _csp(r).get("frame-ancestors") == ["'none'"],
    ),
    Rule(
        "referrer-policy-private",
        5,
        lambda r: (
            r.headers.get("referrer-policy", "").lower()
            in ("no-referrer", "same-origin", "strict-origin", "strict-origin-when-cross-origin")
        ),
    ),
    Rule(
        "referrer-policy-unsafe",
        -5,
        lambda r: r.headers.get("referrer-policy", "").lower() in ("unsafe-url", "origin"),
    ),
    Rule(
        "x-content-type-options-not-implemented",
        -5,
        lambda r: r.headers.get("x-content-type-options", "").lower() != "nosniff",
    ),
    Rule(
        "cross-origin-resource-sharing-implemented-with-universal-access",
        -50,
        lambda r: r.headers.get("access-control-allow-origin") == "*",
    ),
]


def score(response: httpx.Response) -> tuple[int, list[str]]:
    applied = [rule for rule in RULES if rule.applies(response)]
    total = 100 + sum(rule.modifier for rule in applied if not rule.is_bonus)
    if total >= 90:
        total += sum(rule.modifier for rule in applied if rule.is_bonus)
    return min(total, 135), [f"{rule.name} ({rule.modifier:+d})" for rule in applied]
