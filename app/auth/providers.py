"""The two identity providers as the relying party sees them, built from settings."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

from app.models import Realm
from app.settings import Settings

# Levels of assurance in rising order; a login must reach at least the configured one.
ACR_RANK = {
    "idporten-loa-low": 1,
    "idporten-loa-substantial": 2,
    "idporten-loa-high": 3,
}


@dataclass(frozen=True)
class Provider:
    realm: Realm
    issuer: str
    client_id: str
    client_secret: str | None
    private_key: str | None  # PEM or JWK JSON, for private_key_jwt (preferred by Digdir)
    key_id: str | None
    required_acr: str | None
    scopes: str
    id_claim: str  # the claim that identifies the person at this provider
    redirect_uri: str
    built_in: bool

    def __repr__(self) -> str:  # never print secrets
        return f"Provider({self.realm}, {self.issuer})"

    @property
    def allowed_acr(self) -> frozenset[str] | None:
        if self.required_acr is None:
            return None
        floor = ACR_RANK.get(self.required_acr)
        if floor is None:  # an operator-configured value we do not rank: require it exactly
            return frozenset({self.required_acr})
        return frozenset(value for value, rank in ACR_RANK.items() if rank >= floor)


def dev_issuer(settings: Settings, realm: Realm) -> str:
    """The built-in provider's issuer for a realm (app/dev_idp serves it, the seed links to it)."""
    return f"{settings.base_url}/dev-idp/{realm.value}"


def dev_client_secret(settings: Settings) -> str:
    """The built-in provider's client secret: derived from the secret key, so both sides know
    it without another setting (the provider in app/dev_idp, the relying party here)."""
    key = settings.resolved_secret_key()
    return hmac.new(key, b"samplan dev-idp client secret", hashlib.sha256).hexdigest()


def provider(settings: Settings, realm: Realm) -> Provider:
    redirect_uri = f"{settings.base_url}/auth/{realm.value}/callback"
    if realm is Realm.CITIZEN:
        issuer = settings.citizen_oidc_issuer
        secret, key = settings.citizen_oidc_client_secret, settings.citizen_oidc_private_key
        client_id, key_id = settings.citizen_oidc_client_id, settings.citizen_oidc_key_id
        acr: str | None = settings.citizen_oidc_acr
        scopes, id_claim = settings.citizen_oidc_scopes, "pid"
    else:
        issuer = settings.employee_oidc_issuer
        secret, key = settings.employee_oidc_client_secret, settings.employee_oidc_private_key
        client_id, key_id = settings.employee_oidc_client_id, settings.employee_oidc_key_id
        acr = settings.employee_oidc_acr or None
        scopes, id_claim = settings.employee_oidc_scopes, settings.employee_oidc_id_claim
    if issuer is None:
        # Settings refuse production without issuers, so this is the development provider.
        return Provider(
            realm=realm,
            issuer=dev_issuer(settings, realm),
            client_id="samplan",
            client_secret=dev_client_secret(settings),
            private_key=None,
            key_id=None,
            required_acr=acr,
            scopes=scopes,
            id_claim=id_claim,
            redirect_uri=redirect_uri,
            built_in=True,
        )
    return Provider(
        realm=realm,
        issuer=issuer,  # compared exactly with discovery and tokens: no normalising
        client_id=client_id,
        client_secret=secret.get_secret_value() if secret else None,
        private_key=key.get_secret_value() if key else None,
        key_id=key_id,
        required_acr=acr,
        scopes=scopes,
        id_claim=id_claim,
        redirect_uri=redirect_uri,
        built_in=False,
    )
