"""The two realms, the one client registered in each, and what discovery says about them.

Citizens get an ID-porten look-alike (TestID), employees a HelseID look-alike. Every address is
derived from `settings.base_url`, so the relying party finds the provider exactly as it would
find a real one: by issuer, then discovery.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from app.auth.providers import dev_client_secret, dev_issuer
from app.models import Realm
from app.settings import Settings

CLIENT_ID = "samplan"

# Levels of assurance in rising order; "low" exists at ID-porten but no eID uses it (§ 1.5).
LOA_LOW = "idporten-loa-low"
LOA_SUBSTANTIAL = "idporten-loa-substantial"
LOA_HIGH = "idporten-loa-high"
LEVELS = (LOA_SUBSTANTIAL, LOA_HIGH)
AMR_TESTID = "TestID"

HPR_CLAIM = "helseid://claims/hpr/hpr_number"
ASSURANCE_CLAIM = "helseid://claims/identity/assurance_level"

ACCESS_TOKEN_SECONDS = 120
ID_TOKEN_SECONDS = 120
CODE_SECONDS = 60

_CITIZEN_CLAIMS = (
    *("iss", "aud", "sub", "pid", "acr", "amr", "sid", "locale"),
    *("auth_time", "iat", "exp", "nonce", "jti"),
)
_EMPLOYEE_CLAIMS = (
    *("iss", "aud", "sub", "name", HPR_CLAIM, ASSURANCE_CLAIM, "sid"),
    *("auth_time", "iat", "exp", "nonce", "jti"),
)
_EMPLOYEE_SCOPES = (
    "openid",
    "profile",
    "helseid://scopes/identity/assurance_level",
    "helseid://scopes/hpr/hpr_number",
)


@dataclass(frozen=True)
class RealmConfig:
    realm: Realm
    issuer: str
    client_id: str
    client_secret: str = field(repr=False)
    redirect_uri: str
    post_logout_redirect_uri: str
    frontchannel_logout_uri: str | None
    scopes: tuple[str, ...]
    claims: tuple[str, ...]

    @property
    def is_citizen(self) -> bool:
        return self.realm is Realm.CITIZEN

    def endpoint(self, name: str) -> str:
        return f"{self.issuer}/{name}"

    def path(self, name: str) -> str:
        """The endpoint's path on this server, for form actions and redirects."""
        return f"/dev-idp/{self.realm.value}/{name}"

    def discovery(self) -> dict[str, Any]:
        document: dict[str, Any] = {
            "issuer": self.issuer,
            "authorization_endpoint": self.endpoint("authorize"),
            "token_endpoint": self.endpoint("token"),
            "userinfo_endpoint": self.endpoint("userinfo"),
            "jwks_uri": self.endpoint("jwks"),
            "end_session_endpoint": self.endpoint("logout"),
            "response_types_supported": ["code"],
            "response_modes_supported": ["query"],
            "grant_types_supported": ["authorization_code"],
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "subject_types_supported": ["pairwise"],
            "scopes_supported": list(self.scopes),
            "claims_supported": list(self.claims),
            "prompt_values_supported": ["login", "none"],
            "ui_locales_supported": ["nb", "nn", "en"],
            "request_parameter_supported": False,
            "authorization_response_iss_parameter_supported": True,
        }
        if self.is_citizen:
            document["acr_values_supported"] = list(LEVELS)
            document["frontchannel_logout_supported"] = True
            document["frontchannel_logout_session_supported"] = True
        return document


def realm_configs(settings: Settings) -> dict[Realm, RealmConfig]:
    secret = dev_client_secret(settings)
    base = settings.base_url
    return {
        realm: RealmConfig(
            realm=realm,
            issuer=dev_issuer(settings, realm),
            client_id=CLIENT_ID,
            client_secret=secret,
            redirect_uri=f"{base}/auth/{realm.value}/callback",
            post_logout_redirect_uri=f"{base}/logged-out",
            frontchannel_logout_uri=(
                f"{base}/auth/citizen/frontchannel-logout" if realm is Realm.CITIZEN else None
            ),
            scopes=("openid", "profile") if realm is Realm.CITIZEN else _EMPLOYEE_SCOPES,
            claims=_CITIZEN_CLAIMS if realm is Realm.CITIZEN else _EMPLOYEE_CLAIMS,
        )
        for realm in Realm
    }
