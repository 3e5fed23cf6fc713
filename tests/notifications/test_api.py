"""app/api/notification_settings.py: GET and PUT /api/v1/me/notification-settings."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from app.settings import Settings
from tests.notifications.conftest import World
from tests.support.clock import FrozenClock
from tests.support.logins import log_in

URL = "/api/v1/me/notification-settings"


async def test_a_round_trip(
    client: httpx.AsyncClient,
    session: AsyncSession,
    settings: Settings,
    clock: FrozenClock,
    world: World,
) -> None:
    await log_in(client, session, settings, clock, person=world.per)
    before = await client.get(URL)
    assert before.status_code == 200
    assert before.json() == {
        "channel": "none",
        "frequency": "at_once",
        "email": None,
        "phone": None,
        "chosen": False,
        "min_interval_minutes": 60,
        "sms_available": True,
    }

    saved = await client.put(
        URL,
        json={
            "channel": "email",
            "frequency": "daily",
            "email": " per@example.test ",
            "phone": None,
        },
    )
    assert saved.status_code == 200, saved.text
    after = await client.get(URL)
    assert (
        after.json()
        == saved.json()
        == {
            "channel": "email",
            "frequency": "daily",
            "email": "per@example.test",
            "phone": None,
            "chosen": True,
            "min_interval_minutes": 60,
            "sms_available": True,
        }
    )


async def test_a_bad_address_is_a_problem_naming_the_field(
    client: httpx.AsyncClient,
    session: AsyncSession,
    settings: Settings,
    clock: FrozenClock,
    world: World,
) -> None:
    await log_in(client, session, settings, clock, person=world.per)
    answer = await client.put(
        URL,
        json={"channel": "sms", "frequency": "at_once", "phone": "1234"},
        headers={"Accept-Language": "en"},
    )
    assert answer.status_code == 422
    assert answer.headers["content-type"].startswith("application/problem+json")
    problem = answer.json()
    assert problem["type"] == "urn:samplan:problem:bad_phone" and problem["field"] == "phone"
    unknown = await client.put(URL, json={"channel": "pigeon", "frequency": "at_once"})
    assert unknown.status_code == 422


async def test_login_required(client: httpx.AsyncClient) -> None:
    assert (await client.get(URL)).status_code == 401
    assert (
        await client.put(URL, json={"channel": "none", "frequency": "daily"})
    ).status_code == 401


async def test_staff_defaults(
    client: httpx.AsyncClient,
    session: AsyncSession,
    settings: Settings,
    clock: FrozenClock,
    world: World,
) -> None:
    await log_in(client, session, settings, clock, staff=world.kari)
    body = (await client.get(URL)).json()
    assert body["channel"] == "email" and body["email"] == world.kari.email
    assert body["chosen"] is False


async def test_sms_where_the_service_sends_none_is_a_problem_naming_the_channel(
    client: httpx.AsyncClient,
    session: AsyncSession,
    settings: Settings,
    clock: FrozenClock,
    world: World,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # As in production without SAMPLAN_SMS_GATEWAY_URL.
    monkeypatch.setattr(Settings, "sms_available", property(lambda _self: False))
    await log_in(client, session, settings, clock, person=world.per)
    assert (await client.get(URL)).json()["sms_available"] is False
    refused = await client.put(
        URL, json={"channel": "sms", "frequency": "at_once", "phone": "912 34 567"}
    )
    assert refused.status_code == 422
    problem = refused.json()
    assert problem["type"] == "urn:samplan:problem:sms_unavailable"
    assert problem["field"] == "channel"
