"""First pass through the plan page as owner and coordinator."""

from __future__ import annotations

import httpx
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession

from app.actions import service as actions
from app.goals import service as goals
from app.settings import Settings
from tests.consents.world import make_world
from tests.support.clock import FrozenClock
from tests.support.logins import citizen, employee, log_in


async def test_plan_page_renders(
    app: FastAPI,
    client: httpx.AsyncClient,
    session: AsyncSession,
    clock: FrozenClock,
    settings: Settings,
) -> None:
    world = await make_world(session, clock, vault=app.state.pid_vault)
    goal = await goals.propose_goal(
        session, citizen(world.owner), world.plan.id, goals.GoalInput("Gå tur"), clock=clock
    )
    await actions.create_action(
        session,
        employee(world.coordinator),
        world.plan.id,
        actions.ActionInput("Besøk", world.home_care.id, goal_ids=(goal.id,)),
        clock=clock,
    )
    await session.commit()
    await log_in(client, session, settings, clock, person=world.owner)
    response = await client.get(f"/plans/{world.plan.id}")
    assert response.status_code == 200, response.text[:3000]
    assert "Gå tur" in response.text
    response = await client.get(f"/plans/{world.plan.id}?edit=life_situation")
    assert response.status_code == 200, response.text[:3000]
