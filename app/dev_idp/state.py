"""What the provider remembers between requests: codes, single sign-on sessions, access tokens.

Everything is in memory, on `app.state.dev_idp_store`. That is enough because the built-in
provider only serves one development or test process (uvicorn with one worker): a restart logs
everyone out of the provider, as a real provider's outage would, and codes simply expire. Run
several workers and a code issued by one is unknown to the next: use a real provider there.
All methods are synchronous and the process has one event loop, so no locks are needed.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from starlette.requests import HTTPConnection

from app.dev_idp.faults import Fault
from app.models import Realm

# ID-porten's single sign-on: 30 minutes between two logins, 120 minutes at most (§ 1.6).
SSO_IDLE = timedelta(minutes=30)
SSO_MAX = timedelta(minutes=120)
# A replayed code revokes what it gave (RFC 6749 § 4.1.2) for as long as we remember it.
REDEEMED_MEMORY = timedelta(minutes=10)


@dataclass(frozen=True, repr=False)
class Subject:
    """Who logged in: a citizen's identity number, or an employee's IdP subject and name."""

    pid: str | None = None
    employee_subject: str | None = None
    name: str | None = None
    hpr_number: str | None = None

    def __repr__(self) -> str:  # the identity number must never reach a log or a traceback
        return "Subject(***)"


@dataclass(repr=False)
class SsoSession:
    realm: Realm
    sid: str
    subject: Subject
    acr: str | None
    auth_time: datetime
    last_seen: datetime


@dataclass(frozen=True, repr=False)
class AuthorizationCode:
    realm: Realm
    client_id: str
    redirect_uri: str
    code_challenge: str
    nonce: str
    scope: tuple[str, ...]
    acr: str | None
    lowest_acr: str | None  # the lowest level the request allowed, for the low_acr fault
    sid: str
    subject: Subject
    locale: str
    auth_time: datetime
    fault: Fault | None
    expires_at: datetime


@dataclass(frozen=True, repr=False)
class AccessToken:
    realm: Realm
    subject: Subject
    sid: str
    locale: str
    scope: tuple[str, ...]
    expires_at: datetime


@dataclass
class DevIdpStore:
    codes: dict[str, AuthorizationCode] = field(default_factory=dict)
    # Redeemed code -> (when, access tokens it gave), so a replay can revoke them.
    redeemed: dict[str, tuple[datetime, list[str]]] = field(default_factory=dict)
    # Keyed by the browser's cookie value, which is not the sid: the sid goes to relying
    # parties and into front-channel URLs, and must not be enough to act as the browser.
    sessions: dict[str, SsoSession] = field(default_factory=dict)
    access_tokens: dict[str, AccessToken] = field(default_factory=dict)

    def issue_code(self, code: AuthorizationCode, now: datetime) -> str:
        self._prune(now)
        value = secrets.token_urlsafe(32)
        self.codes[value] = code
        return value

    def redeem_code(self, value: str, now: datetime) -> AuthorizationCode | None:
        """The code's grant, once; None if unknown, expired or used (a reuse revokes tokens)."""
        self._prune(now)
        code = self.codes.pop(value, None)
        if code is None:
            _, tokens = self.redeemed.pop(value, (now, []))
            for token in tokens:
                self.access_tokens.pop(token, None)
            return None
        self.redeemed[value] = (now, [])
        return code if code.expires_at > now else None

    def issue_access_token(self, code_value: str, token: AccessToken, now: datetime) -> str:
        value = secrets.token_urlsafe(32)
        self.access_tokens[value] = token
        self.redeemed.get(code_value, (now, []))[1].append(value)
        return value

    def access_token(self, value: str, realm: Realm, now: datetime) -> AccessToken | None:
        token = self.access_tokens.get(value)
        if token is None or token.realm is not realm or token.expires_at <= now:
            return None
        return token

    def start_session(self, session: SsoSession) -> str:
        handle = secrets.token_urlsafe(32)
        self.sessions[handle] = session
        return handle

    def session(self, handle: str | None, realm: Realm, now: datetime) -> SsoSession | None:
        """The live session behind this cookie value; touching it restarts the idle clock."""
        self._prune(now)
        found = self.sessions.get(handle) if handle else None
        if found is None or found.realm is not realm:
            return None
        found.last_seen = now
        return found

    def end_session(
        self, *, realm: Realm, handle: str | None = None, sid: str | None = None
    ) -> SsoSession | None:
        """End the browser's session, or else the one with this sid; revoke its access tokens."""
        ended = None
        found = self.sessions.get(handle) if handle else None
        if handle and found is not None and found.realm is realm:
            ended = self.sessions.pop(handle)
        if ended is None and sid:
            for key, candidate in list(self.sessions.items()):
                if candidate.sid == sid and candidate.realm is realm:
                    ended = self.sessions.pop(key)
        if ended is not None:
            # ID-porten's logout invalidates tokens that carry only openid/profile (§ 1.7).
            for key, token in list(self.access_tokens.items()):
                if token.sid == ended.sid:
                    del self.access_tokens[key]
        return ended

    def _prune(self, now: datetime) -> None:
        for key in [key for key, code in self.codes.items() if code.expires_at <= now]:
            del self.codes[key]
        for key in [key for key, (at, _) in self.redeemed.items() if at + REDEEMED_MEMORY <= now]:
            del self.redeemed[key]
        for key in [key for key, token in self.access_tokens.items() if token.expires_at <= now]:
            del self.access_tokens[key]
        for key in [key for key, item in self.sessions.items() if _session_over(item, now)]:
            del self.sessions[key]


def _session_over(session: SsoSession, now: datetime) -> bool:
    return session.last_seen + SSO_IDLE <= now or session.auth_time + SSO_MAX <= now


def store_of(connection: HTTPConnection) -> DevIdpStore:
    """The store of this app, made on first use (the router is built before the app exists)."""
    state = connection.app.state
    store = getattr(state, "dev_idp_store", None)
    if not isinstance(store, DevIdpStore):
        store = DevIdpStore()
        state.dev_idp_store = store
    return store
