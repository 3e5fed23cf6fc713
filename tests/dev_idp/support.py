"""Drive the test provider the way a relying party and a browser would, over real HTTP."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
from joserfc import jwt
from joserfc.jwk import KeySet

from app.dev_idp import dev_client_secret
from app.settings import Environment, Settings

# ID-porten's documented synthetic examples (research/oidc.md § 1.9).
SYNTHETIC_PID = "21879498012"
OTHER_SYNTHETIC_PID = "05895894984"


@dataclass(frozen=True)
class StaffLogin:
    email: str
    issuer: str | None  # None: this test provider's employee issuer
    subject: str
    hpr_number: str | None


@dataclass(frozen=True)
class IdpServer:
    url: str
    data_dir: Path
    database_url: str
    staff: list[StaffLogin]

    def issuer(self, realm: str) -> str:
        return f"{self.url}/dev-idp/{realm}"

    def redirect_uri(self, realm: str) -> str:
        return f"{self.url}/auth/{realm}/callback"

    def settings(self) -> Settings:
        """The server's settings as far as keys go: same data_dir, so the same secret key."""
        return Settings(env=Environment.TEST, data_dir=self.data_dir, base_url=self.url)

    @property
    def client_secret(self) -> str:
        return dev_client_secret(self.settings())


@dataclass
class Login:
    """One authorization request and what came back on the callback."""

    realm: str
    params: dict[str, str]
    verifier: str
    callback: dict[str, str] = field(default_factory=dict)
    location: str = ""
    chosen: str = ""  # the person_id or employee_id whose button was pressed

    @property
    def code(self) -> str:
        return self.callback["code"]


def pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
    return verifier, challenge.rstrip(b"=").decode()


def new_login(server: IdpServer, realm: str = "citizen", **overrides: str | None) -> Login:
    verifier, challenge = pkce_pair()
    params: dict[str, str | None] = {
        "response_type": "code",
        "client_id": "samplan",
        "redirect_uri": server.redirect_uri(realm),
        "scope": "openid profile",
        "state": secrets.token_urlsafe(16),
        "nonce": secrets.token_urlsafe(16),
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    if realm == "citizen":
        params["acr_values"] = "idporten-loa-high"
    params.update(overrides)
    return Login(realm, {k: v for k, v in params.items() if v is not None}, verifier)


def csrf_token(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([0-9a-f]+)"', html)
    assert match, "the login form carries a CSRF token"
    return match.group(1)


def buttons(html: str, name: str) -> list[tuple[str, str]]:
    """(value, label) of each submit button with this name, in page order."""
    found = re.findall(rf'name="{name}" value="([^"]+)">([^<]+)</button>', html)
    return [(value, label) for value, label in found]


def callback_of(response: httpx.Response) -> dict[str, str]:
    assert response.status_code == 303, response.text[:500]
    query = parse_qs(urlsplit(response.headers["location"]).query, keep_blank_values=True)
    return {name: values[0] for name, values in query.items()}


async def log_in(
    http: httpx.AsyncClient,
    server: IdpServer,
    login: Login,
    *,
    pid: str | None = None,
    person: int | None = None,
    employee: str = "Ingrid Berg, Koordinator",
    acr: str = "high",
) -> Login:
    """Show the login page, choose someone, and keep the callback the browser was sent to."""
    page = await http.get(f"/dev-idp/{login.realm}/authorize", params=login.params)
    assert page.status_code == 200, page.text[:500]
    form: dict[str, str] = {**login.params, "csrf_token": csrf_token(page.text)}
    if login.realm == "employee":
        chosen = {label: value for value, label in buttons(page.text, "employee_id")}
        form["employee_id"] = login.chosen = chosen[employee]
    else:
        form["acr"] = acr
        if pid is not None or person is None:
            form.update(pid=pid or SYNTHETIC_PID, use_pid="1")
        else:
            form["person_id"] = login.chosen = buttons(page.text, "person_id")[person][0]
    response = await http.post(f"/dev-idp/{login.realm}/authorize", data=form)
    login.location = response.headers.get("location", "")
    login.callback = callback_of(response)
    return login


async def redeem(
    http: httpx.AsyncClient,
    server: IdpServer,
    login: Login,
    *,
    basic: bool = False,
    secret: str | None = None,
    **overrides: str,
) -> httpx.Response:
    data = {
        "grant_type": "authorization_code",
        "code": login.code,
        "redirect_uri": server.redirect_uri(login.realm),
        "code_verifier": login.verifier,
        **overrides,
    }
    secret = server.client_secret if secret is None else secret
    if basic:
        return await http.post(
            f"/dev-idp/{login.realm}/token", data=data, auth=httpx.BasicAuth("samplan", secret)
        )
    data.update(client_id="samplan", client_secret=secret)
    return await http.post(f"/dev-idp/{login.realm}/token", data=data)


async def verified_claims(
    http: httpx.AsyncClient, server: IdpServer, realm: str, id_token: str
) -> tuple[dict[str, Any], dict[str, Any]]:
    """(header, claims) of an id_token checked with joserfc against the published JWKS."""
    keys = KeySet.import_key_set((await http.get(f"/dev-idp/{realm}/jwks")).json())
    token = jwt.decode(id_token, keys, algorithms=["RS256"])
    return dict(token.header), dict(token.claims)


def unverified(id_token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """(header, claims) without checking anything: for tokens broken on purpose."""
    header, payload, _ = id_token.split(".")
    return json.loads(_b64(header)), json.loads(_b64(payload))


def _b64(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
