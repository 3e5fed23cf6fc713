"""Sign-in pages in-process: the choice page, rate limits, and what production refuses."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from pydantic import ValidationError

from app.main import create_app
from app.settings import Environment, Settings
from tests.support.clock import FrozenClock


@pytest.mark.parametrize("language", ["nb", "nn", "en"])
async def test_the_login_page_offers_citizen_and_staff_login(
    client: httpx.AsyncClient, language: str
) -> None:
    page = await client.get("/login?next=/sessions", headers={"Accept-Language": language})
    assert page.status_code == 200 and f'<html lang="{language}"' in page.text
    assert "/login/citizen?next=/sessions" in page.text.replace("%2F", "/")
    assert "/login/employee?next=" in page.text


async def test_s8_login_attempts_beyond_the_limit_get_429_with_retry_after(
    settings: Settings, clock: FrozenClock
) -> None:
    limited = settings.model_copy(update={"login_rate_per_minute": 3})
    transport = httpx.ASGITransport(app=create_app(limited, clock=clock))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        for _ in range(3):
            answer = await client.get("/login/citizen")
            assert answer.status_code != 429
        refused = await client.get("/login/citizen", headers={"Accept-Language": "en"})
    assert refused.status_code == 429
    assert refused.headers["retry-after"] == "60"
    assert "Too many login attempts" in refused.text


async def test_a_provider_that_does_not_answer_gives_a_clear_page_not_a_500(
    client: httpx.AsyncClient,
) -> None:
    # In-process there is no network: the built-in provider's discovery cannot be fetched.
    answer = await client.get("/login/citizen", headers={"Accept-Language": "en"})
    assert answer.status_code == 502
    assert "did not answer" in answer.text


def test_production_needs_real_identity_providers(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="SAMPLAN_CITIZEN_OIDC_ISSUER"):
        Settings(
            env=Environment.PRODUCTION,
            data_dir=tmp_path,
            secret_key="s" * 40,
            data_key="d" * 40,
        )


async def test_production_never_serves_the_built_in_provider(
    tmp_path: Path, clock: FrozenClock
) -> None:
    production = Settings(
        env=Environment.PRODUCTION,
        data_dir=tmp_path,
        secret_key="s" * 40,
        data_key="d" * 40,
        citizen_oidc_issuer="https://idporten.no",
        employee_oidc_issuer="https://helseid-sts.nhn.no",
        smtp_host="smtp.example",
        base_url="https://samplan.example",
    )
    transport = httpx.ASGITransport(app=create_app(production, clock=clock))
    async with httpx.AsyncClient(transport=transport, base_url="https://samplan.example") as c:
        discovery = await c.get("/dev-idp/citizen/.well-known/openid-configuration")
    assert discovery.status_code == 404
