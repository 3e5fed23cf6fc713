"""A browser on another website cannot write through the JSON API with the session cookie."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession

from app.settings import Settings
from tests.consents.world import World, log_in, make_world
from tests.support.clock import FrozenClock


@pytest.fixture
async def world(session: AsyncSession, clock: FrozenClock, app: FastAPI) -> World:
    return await make_world(session, clock, vault=app.state.pid_vault)


async def test_a_cross_site_write_is_refused_and_a_same_site_one_passes(
    client: httpx.AsyncClient,
    session: AsyncSession,
    settings: Settings,
    clock: FrozenClock,
    world: World,
) -> None:
    await log_in(client, session, settings, clock, person=world.owner)
    body = {"grants": [{"part": "notes", "mode": "read"}]}
    url = f"/api/v1/plans/{world.plan.id}/invitations"
    evil = await client.post(url, json=body, headers={"Origin": "https://evil.example"})
    assert evil.status_code == 403
    assert evil.json()["type"] == "urn:samplan:problem:wrong_origin"
    ours = await client.post(url, json=body, headers={"Origin": "http://testserver"})
    assert ours.status_code == 201
    reading = await client.get(
        f"/api/v1/plans/{world.plan.id}/access", headers={"Origin": "https://evil.example"}
    )
    assert reading.status_code == 200  # reads change nothing; CORS keeps the answer from them
