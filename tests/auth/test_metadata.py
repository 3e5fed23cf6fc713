"""Discovery and signing keys: cached, checked, re-fetched on rotation but never on demand.

oidc.md § 5.2 pitfall 9 and § 8 cases 18 and 20, against a small real provider app reached
through httpx's ASGI transport.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from joserfc.jwk import RSAKey
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from app.auth.errors import LoginRefused
from app.auth.metadata import ProviderDirectory
from app.auth.providers import Provider
from app.models import Realm
from tests.support.clock import FrozenClock

ISSUER = "https://idp.example"


class FakeProvider:
    """A provider whose discovery document and key set the test can change between calls."""

    def __init__(self) -> None:
        self.keys = [RSAKey.generate_key(2048, parameters={"kid": "k1", "use": "sig"})]
        self.issuer = ISSUER
        self.endpoint_base = ISSUER
        self.fetches = {"discovery": 0, "jwks": 0}
        self.algorithms: list[str] | None = ["RS256"]

    async def discovery(self, _request: Request) -> JSONResponse:
        self.fetches["discovery"] += 1
        base = self.endpoint_base
        return JSONResponse(
            {
                "issuer": self.issuer,
                "authorization_endpoint": f"{base}/authorize",
                "token_endpoint": f"{base}/token",
                "jwks_uri": f"{base}/jwks",
                **(
                    {"id_token_signing_alg_values_supported": self.algorithms}
                    if self.algorithms is not None
                    else {}
                ),
            }
        )

    async def jwks(self, _request: Request) -> JSONResponse:
        self.fetches["jwks"] += 1
        return JSONResponse({"keys": [key.as_dict(private=False) for key in self.keys]})

    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/.well-known/openid-configuration", self.discovery),
                Route("/jwks", self.jwks),
            ]
        )


PROVIDER = Provider(
    realm=Realm.CITIZEN,
    issuer=ISSUER,
    client_id="samplan",
    client_secret="s",
    private_key=None,
    key_id=None,
    required_acr="idporten-loa-high",
    scopes="openid",
    id_claim="pid",
    redirect_uri="https://samplan.example/auth/citizen/callback",
    built_in=False,
)


@pytest.fixture
def fake() -> FakeProvider:
    return FakeProvider()


@pytest.fixture
def directory(fake: FakeProvider) -> Any:
    clock = FrozenClock(datetime(2026, 11, 23, 10, tzinfo=UTC))
    http = httpx.AsyncClient(transport=httpx.ASGITransport(app=fake.app()))
    return ProviderDirectory(http, clock), clock


async def test_discovery_is_fetched_once_and_cached_for_a_day(
    fake: FakeProvider, directory: Any
) -> None:
    provider_directory, clock = directory
    await provider_directory.discovery(PROVIDER)
    await provider_directory.discovery(PROVIDER)
    assert fake.fetches["discovery"] == 1
    clock.advance(timedelta(hours=24, seconds=1))
    await provider_directory.discovery(PROVIDER)
    assert fake.fetches["discovery"] == 2


async def test_case_20_a_discovery_document_for_another_issuer_is_refused(
    fake: FakeProvider, directory: Any
) -> None:
    fake.issuer = "https://evil.example"
    with pytest.raises(LoginRefused) as refused:
        await directory[0].discovery(PROVIDER)
    assert refused.value.reason == "discovery_issuer_mismatch"


async def test_case_20_endpoints_without_tls_are_refused_outside_loopback(
    fake: FakeProvider, directory: Any
) -> None:
    fake.endpoint_base = "http://idp.example"
    with pytest.raises(LoginRefused) as refused:
        await directory[0].discovery(PROVIDER)
    assert refused.value.reason == "discovery_not_tls"


async def test_case_18_a_rotated_key_is_found_by_one_refetch(
    fake: FakeProvider, directory: Any
) -> None:
    provider_directory, clock = directory
    await provider_directory.signing_keys(PROVIDER, want_kid="k1")
    fake.keys.append(RSAKey.generate_key(2048, parameters={"kid": "k2", "use": "sig"}))
    clock.advance(timedelta(seconds=61))
    keys = await provider_directory.signing_keys(PROVIDER, want_kid="k2")
    assert {key.kid for key in keys} == {"k1", "k2"}
    assert fake.fetches["jwks"] == 2


async def test_pitfall_9_a_flood_of_unknown_kids_costs_at_most_one_fetch_per_minute(
    fake: FakeProvider, directory: Any
) -> None:
    provider_directory, clock = directory
    await provider_directory.signing_keys(PROVIDER, want_kid="k1")
    for number in range(100):
        await provider_directory.signing_keys(PROVIDER, want_kid=f"bogus-{number}")
    assert fake.fetches["jwks"] == 1  # still inside the first minute's cooldown
    clock.advance(timedelta(seconds=61))
    for number in range(100):
        await provider_directory.signing_keys(PROVIDER, want_kid=f"bogus-{number}")
    assert fake.fetches["jwks"] == 2


async def test_a_provider_that_does_not_answer_is_a_clear_refusal() -> None:
    clock = FrozenClock(datetime(2026, 11, 23, 10, tzinfo=UTC))
    dead = httpx.AsyncClient(transport=httpx.ASGITransport(app=Starlette()))
    with pytest.raises(LoginRefused) as refused:
        await ProviderDirectory(dead, clock).discovery(PROVIDER)
    assert refused.value.reason == "provider_unreachable" and refused.value.status == 502


@pytest.mark.parametrize(
    ("announced", "pinned"),
    [
        (None, "RS256"),
        (["RS256"], "RS256"),
        (["none", "RS256"], "RS256"),
        (["ES256", "PS256", "RS256"], "RS256"),
    ],
)
async def test_pitfall_3_the_algorithm_is_pinned_from_what_the_provider_announces(
    fake: FakeProvider, directory: Any, announced: list[str] | None, pinned: str
) -> None:
    fake.algorithms = announced
    assert (await directory[0].discovery(PROVIDER)).signing_algorithm == pinned


@pytest.mark.parametrize("announced", [["none"], ["HS256"], ["PS256"], ["none", "HS256", "ES256"]])
async def test_pitfall_3_a_provider_without_rs256_is_refused_before_any_login(
    fake: FakeProvider, directory: Any, announced: list[str]
) -> None:
    fake.algorithms = announced
    with pytest.raises(LoginRefused) as refused:
        await directory[0].discovery(PROVIDER)
    assert refused.value.reason == "discovery_no_acceptable_algorithm"
