"""The authorization request, checked the way ID-porten checks it (research/oidc.md § 1.2).

Two kinds of refusal (RFC 6749 § 4.1.2.1). An unknown client, or a redirect_uri that is not
exactly the registered one, gets an error page and never a redirect: redirecting there would
make the provider an open redirector. Everything else goes back to the client as
`error=invalid_request` with `state` and `iss`, as the new ID-porten does (§ 1.2).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlencode

from app.dev_idp.clients import LEVELS, LOA_SUBSTANTIAL, RealmConfig
from app.dev_idp.faults import Fault, parse_fault
from app.errors import DomainError
from app.i18n import gettext_noop
from app.settings import Settings

PARAMETERS = (
    "response_type",
    "client_id",
    "redirect_uri",
    "scope",
    "state",
    "nonce",
    "code_challenge",
    "code_challenge_method",
    "acr_values",
    "ui_locales",
    "prompt",
    "test_fault",
)
UNKNOWN_CLIENT = gettext_noop(
    "The service that sent you here is not registered with the test login. You can close this page."
)
UNKNOWN_REDIRECT = gettext_noop(
    "The service that sent you here asked to get you back at an address that is not registered "
    "with the test login. You can close this page."
)
# S256 output: 32 bytes in base64url without padding (ID-porten refuses padding, § 1.2).
_CODE_CHALLENGE = re.compile(r"[A-Za-z0-9_-]{43}")
# RFC 6749 allows %x20-7E in state; ID-porten echoes printable ASCII. Long values are refused
# because they travel in hidden fields and in the callback URL.
_PRINTABLE = re.compile(r"[\x20-\x7e]{1,512}")
PROMPTS = (None, "login", "none")


class AuthorizeRefused(DomainError):
    """Not redirectable: shown as a page (400) in the person's language."""

    code = "dev_idp_authorize_refused"


class AuthorizeError(Exception):
    """Sent back to the client's redirect_uri as an RFC 6749 error."""

    def __init__(self, error: str, description: str, state: str | None) -> None:
        super().__init__(description)
        self.error = error
        self.description = description
        self.state = state


@dataclass(frozen=True)
class AuthorizeRequest:
    config: RealmConfig
    parameters: tuple[tuple[str, str], ...]  # as received, carried through the login page
    state: str
    nonce: str
    code_challenge: str
    scope: tuple[str, ...]  # granted: the requested scopes this realm knows
    # Citizens: the levels the person may choose, lowest first; empty for employees.
    allowed_levels: tuple[str, ...]
    ui_locales: tuple[str, ...]
    prompt: str | None
    fault: Fault | None

    @property
    def lowest_level(self) -> str | None:
        return self.allowed_levels[0] if self.allowed_levels else None

    def page_url(self) -> str:
        """This request as a GET to the login page: where a language switch comes back to."""
        return f"{self.config.path('authorize')}?{urlencode(self.parameters)}"


def parse(
    config: RealmConfig, settings: Settings, items: Iterable[tuple[str, str]]
) -> AuthorizeRequest:
    """Raise AuthorizeRefused (a page) or AuthorizeError (a redirect); other names are ignored."""
    values: dict[str, list[str]] = {}
    for name, value in items:
        if name in PARAMETERS:
            values.setdefault(name, []).append(value)
    if values.get("client_id") != [config.client_id]:
        raise AuthorizeRefused(UNKNOWN_CLIENT)
    if values.get("redirect_uri") != [config.redirect_uri]:
        raise AuthorizeRefused(UNKNOWN_REDIRECT)

    states = values.get("state", [])
    state = states[0] if len(states) == 1 and _PRINTABLE.fullmatch(states[0]) else None

    def refuse(description: str) -> AuthorizeError:
        return AuthorizeError("invalid_request", description, state)

    repeated = sorted(name for name, found in values.items() if len(found) > 1)
    if repeated:
        raise refuse(f"repeated parameter: {repeated[0]}")
    single = {name: found[0] for name, found in values.items()}
    if state is None:
        raise refuse("state is required: printable ASCII, at most 512 characters")
    if single.get("response_type") != "code":
        raise refuse("response_type must be code")
    requested_scope = single.get("scope", "").split()
    if "openid" not in requested_scope:
        raise refuse("scope must contain openid")
    nonce = single.get("nonce", "")
    if not _PRINTABLE.fullmatch(nonce):
        raise refuse("nonce is required: printable ASCII, at most 512 characters")
    challenge = single.get("code_challenge", "")
    if not _CODE_CHALLENGE.fullmatch(challenge):
        raise refuse("code_challenge is required: 43 characters of base64url, no padding")
    if single.get("code_challenge_method") != "S256":
        raise refuse("code_challenge_method must be S256")
    prompt = single.get("prompt")
    if prompt not in PROMPTS:
        raise refuse("prompt must be login or none")
    try:
        fault = parse_fault(single.get("test_fault"), settings)
    except ValueError:
        raise refuse("unknown test_fault") from None
    allowed_levels: tuple[str, ...] = ()
    if config.is_citizen:
        # ID-porten's default is substantial; the lowest requested level is the floor.
        requested = single.get("acr_values", LOA_SUBSTANTIAL).split()
        if not requested or any(level not in LEVELS for level in requested):
            raise refuse("acr_values must be idporten-loa-substantial or idporten-loa-high")
        allowed_levels = LEVELS[min(LEVELS.index(level) for level in requested) :]
    return AuthorizeRequest(
        config=config,
        parameters=tuple((name, single[name]) for name in PARAMETERS if name in single),
        state=state,
        nonce=nonce,
        code_challenge=challenge,
        scope=tuple(scope for scope in requested_scope if scope in config.scopes),
        allowed_levels=allowed_levels,
        ui_locales=tuple(single.get("ui_locales", "").split()),
        prompt=prompt,
        fault=fault,
    )


def callback_url(redirect_uri: str, parameters: dict[str, str], *, iss: str | None) -> str:
    """The redirect back to the client; `iss` per RFC 9207 unless a fault removes it."""
    query = dict(parameters)
    if iss is not None:
        query["iss"] = iss
    separator = "&" if "?" in redirect_uri else "?"
    return f"{redirect_uri}{separator}{urlencode(query)}"


def callback_iss(config: RealmConfig, fault: Fault | None, *, other_issuer: str) -> str | None:
    if fault is Fault.NO_ISS_PARAM:
        return None
    if fault is Fault.WRONG_ISS_PARAM:
        return other_issuer
    return config.issuer


def error_url(config: RealmConfig, error: AuthorizeError) -> str:
    parameters = {"error": error.error, "error_description": error.description}
    if error.state is not None:
        parameters["state"] = error.state
    return callback_url(config.redirect_uri, parameters, iss=config.issuer)
