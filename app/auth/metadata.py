"""Provider discovery and signing keys, cached; keys re-fetched on rotation, but not on demand.

Discovery is cached for a day (Digdir's advice). An unknown `kid` triggers one JWKS re-fetch,
at most once per cooldown, so a stream of tokens with bogus kids cannot make us hammer the
provider (oidc.md § 5.2 pitfall 9).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import httpx
from joserfc.jwk import KeySet

from app.auth.errors import PROVIDER_UNAVAILABLE, LoginRefused
from app.auth.providers import Provider
from app.clock import Clock

DISCOVERY_TTL = timedelta(hours=24)
JWKS_TTL = timedelta(hours=1)
JWKS_REFETCH_COOLDOWN = timedelta(seconds=60)


@dataclass(frozen=True)
class Discovery:
    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    end_session_endpoint: str | None
    userinfo_endpoint: str | None
    # The one algorithm ID tokens must carry: pinned from what the provider announces.
    signing_algorithm: str = "RS256"


@dataclass
class _Cached:
    discovery: Discovery
    fetched_at: datetime
    keys: KeySet | None = None
    keys_fetched_at: datetime | None = None


# RS256, as ID-porten and HelseID sign: `none` and HMAC (key confusion) are never accepted,
# whatever a provider announces (oidc.md § 5.2 pitfall 3). A provider that does not announce
# RS256 is refused at discovery with a clear reason rather than failing on every token.
ACCEPTABLE_ALGORITHMS = ("RS256",)


def _pinned_algorithm(announced: object) -> str:
    if not isinstance(announced, list) or not announced:
        return "RS256"  # OIDC Discovery's default when the list is absent
    for algorithm in ACCEPTABLE_ALGORITHMS:
        if algorithm in announced:
            return algorithm
    raise LoginRefused("discovery_no_acceptable_algorithm", PROVIDER_UNAVAILABLE, status=502)


def _optional_url(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _secure(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme == "https" or (
        parts.scheme == "http" and parts.hostname in ("127.0.0.1", "localhost", "::1", "testserver")
    )


class ProviderDirectory:
    def __init__(self, http: httpx.AsyncClient, clock: Clock) -> None:
        self._http = http
        self._clock = clock
        self._cache: dict[str, _Cached] = {}

    async def discovery(self, provider: Provider) -> Discovery:
        cached = self._cache.get(provider.issuer)
        now = self._clock.now()
        if cached is not None and now - cached.fetched_at < DISCOVERY_TTL:
            return cached.discovery
        document = await self._get_json(f"{provider.issuer}/.well-known/openid-configuration")
        # OIDC Discovery § 4.3: the issuer in the document must be exactly the configured one.
        if document.get("issuer") != provider.issuer:
            raise LoginRefused("discovery_issuer_mismatch", PROVIDER_UNAVAILABLE, status=502)
        required = ("authorization_endpoint", "token_endpoint", "jwks_uri")
        if not all(isinstance(document.get(name), str) for name in required):
            raise LoginRefused("discovery_incomplete", PROVIDER_UNAVAILABLE, status=502)
        discovery = Discovery(
            issuer=provider.issuer,
            authorization_endpoint=str(document["authorization_endpoint"]),
            token_endpoint=str(document["token_endpoint"]),
            jwks_uri=str(document["jwks_uri"]),
            end_session_endpoint=_optional_url(document.get("end_session_endpoint")),
            userinfo_endpoint=_optional_url(document.get("userinfo_endpoint")),
            signing_algorithm=_pinned_algorithm(
                document.get("id_token_signing_alg_values_supported")
            ),
        )
        endpoints = (discovery.authorization_endpoint, discovery.token_endpoint, discovery.jwks_uri)
        if not all(_secure(url) for url in endpoints):
            raise LoginRefused("discovery_not_tls", PROVIDER_UNAVAILABLE, status=502)
        self._cache[provider.issuer] = _Cached(discovery=discovery, fetched_at=now)
        return discovery

    async def signing_keys(self, provider: Provider, *, want_kid: str | None) -> KeySet:
        discovery = await self.discovery(provider)
        cached = self._cache[provider.issuer]
        now = self._clock.now()
        stale = cached.keys is None or (
            cached.keys_fetched_at is not None and now - cached.keys_fetched_at > JWKS_TTL
        )
        unknown_kid = (
            want_kid is not None
            and cached.keys is not None
            and not any(key.kid == want_kid for key in cached.keys)
        )
        cooled_down = cached.keys_fetched_at is None or (
            now - cached.keys_fetched_at > JWKS_REFETCH_COOLDOWN
        )
        if stale or (unknown_kid and cooled_down):
            document = await self._get_json(discovery.jwks_uri)
            try:
                cached.keys = KeySet.import_key_set(document)  # type: ignore[arg-type]
            except Exception as error:  # joserfc raises several types for a bad key set
                raise LoginRefused("jwks_invalid", PROVIDER_UNAVAILABLE, status=502) from error
            cached.keys_fetched_at = now
        assert cached.keys is not None
        return cached.keys

    async def _get_json(self, url: str) -> dict[str, object]:
        try:
            response = await self._http.get(url)
            response.raise_for_status()
            document = response.json()
        except (httpx.HTTPError, ValueError) as error:
            raise LoginRefused("provider_unreachable", PROVIDER_UNAVAILABLE, status=502) from error
        if not isinstance(document, dict):
            raise LoginRefused("provider_bad_document", PROVIDER_UNAVAILABLE, status=502)
        return document
