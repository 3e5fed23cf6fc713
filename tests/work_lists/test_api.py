"""GET /api/v1/work/actions and /api/v1/work/plans: JSON for staff, problem details for others."""

from __future__ import annotations

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from app.settings import Settings
from tests.support.clock import FrozenClock
from tests.support.logins import log_in
from tests.work_lists.conftest import Scene
from tests.work_lists.scene import days


async def test_a_provider_gets_their_actions_grouped(
    client: httpx.AsyncClient,
    session: AsyncSession,
    settings: Settings,
    clock: FrozenClock,
    scene: Scene,
) -> None:
    world = scene.world
    await log_in(client, session, settings, clock, staff=world.nurse)
    response = await client.get("/api/v1/work/actions")
    assert response.status_code == 200
    body = response.json()
    assert [item["title"] for item in body["overdue"]] == ["Skifte bandasje"]
    assert body["due_soon"] == [
        {
            "plan_id": str(world.plan.id),
            "action_id": str(scene.due_soon.id),
            "owner_name": world.owner.display_name,
            "title": "Medisinrunde",
            "unit_name": "Hjemmetjenesten",
            "deadline": days(clock, 4).isoformat(),
            "status": "planned",
            "updated_at": body["due_soon"][0]["updated_at"],
            "yours": True,
        }
    ]
    assert {item["title"] for item in body["recently_changed"]} == {
        "Skifte bandasje",
        "Medisinrunde",
    }


async def test_a_coordinator_gets_their_plans_with_flags(
    client: httpx.AsyncClient,
    session: AsyncSession,
    settings: Settings,
    clock: FrozenClock,
    scene: Scene,
) -> None:
    world = scene.world
    await log_in(client, session, settings, clock, staff=world.coordinator)
    response = await client.get("/api/v1/work/plans")
    assert response.status_code == 200
    body = response.json()
    assert body["whole_municipality"] is False
    first, second = body["plans"]
    assert first["plan_id"] == str(world.plan.id)  # a proposal waits: it comes first
    assert first["proposed_goals"] == 1 and first["revision_due"] is False
    assert first["coordinator_name"] == world.coordinator.name
    assert second["plan_id"] == str(world.child_plan.id) and second["proposed_goals"] == 0
    assert second["revision_date"] == days(clock, 180).isoformat()
    assert second["inactive"] is False and second["close_requested"] is False


async def test_citizens_are_refused_and_nobody_logged_in_is_401(
    client: httpx.AsyncClient,
    session: AsyncSession,
    settings: Settings,
    clock: FrozenClock,
    scene: Scene,
) -> None:
    for path in ("/api/v1/work/actions", "/api/v1/work/plans"):
        client.cookies.clear()
        assert (await client.get(path)).status_code == 401
        await log_in(client, session, settings, clock, person=scene.world.owner)
        refused = await client.get(path)
        assert refused.status_code == 403
        assert refused.headers["content-type"].startswith("application/problem+json")
