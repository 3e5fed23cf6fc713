"""The built-in provider as one object: settings, both realms, their keys and pairwise keys.

Made once by `build_router`; the routes close over it. What changes per request (codes,
sessions, tokens) lives in `state.DevIdpStore` on `app.state`.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field

from app.dev_idp.clients import RealmConfig, realm_configs
from app.dev_idp.keys import SigningKey, b64url, load_or_create
from app.errors import NotFound
from app.i18n import gettext_noop
from app.models import Realm
from app.settings import Settings

UNKNOWN_REALM = gettext_noop("The test login has no such part.")


@dataclass(frozen=True)
class DevIdp:
    settings: Settings = field(repr=False)
    configs: dict[Realm, RealmConfig]
    keys: dict[Realm, SigningKey]
    pairwise_keys: dict[Realm, bytes] = field(repr=False)

    @classmethod
    def start(cls, settings: Settings) -> DevIdp:
        secret = settings.resolved_secret_key()
        return cls(
            settings=settings,
            configs=realm_configs(settings),
            keys=load_or_create(settings.data_dir),
            pairwise_keys={
                realm: hmac.new(
                    secret, f"samplan dev-idp pairwise {realm.value}".encode(), hashlib.sha256
                ).digest()
                for realm in Realm
            },
        )

    def config(self, realm_name: str) -> RealmConfig:
        try:
            return self.configs[Realm(realm_name)]
        except ValueError:
            raise NotFound(UNKNOWN_REALM) from None

    def other_issuer(self, realm: Realm) -> str:
        """The other realm's issuer: a real issuer, just not this one (the mix-up fault)."""
        other = Realm.EMPLOYEE if realm is Realm.CITIZEN else Realm.CITIZEN
        return self.configs[other].issuer

    def pairwise_sub(self, realm: Realm, pid: str) -> str:
        """ID-porten's `sub` is pairwise: stable for the client, never the identity number."""
        return b64url(hmac.new(self.pairwise_keys[realm], pid.encode(), hashlib.sha256).digest())
