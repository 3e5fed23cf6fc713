"""The plan API's test world: the consent tests' world, a nurse who may write, and one client
that logs in as whoever a test needs."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession

from app import schema
from app.access import Actor
from app.consents import service as consents
from app.consents.schemas import GrantSpec
from app.main import create_app
from app.models import GrantMode, PlanPart, Unit, UnitKind
from app.municipalities import service as municipalities
from app.settings import Settings
from tests.consents.world import World, make_world
from tests.support import databases
from tests.support.clock import FrozenClock
from tests.support.logins import citizen, employee, log_in_as

LogIn = Callable[[Actor], Awaitable[None]]


@dataclass
class PlanWorld(World):
    """The consent world, plus a unit the nurse does not work for (R-PLAN-4)."""

    physio: Unit

    def url(self, tail: str = "", *, child: bool = False) -> str:
        plan = self.child_plan if child else self.plan
        return f"/api/v1/plans/{plan.id}{tail}"


@pytest.fixture
async def world(session: AsyncSession, clock: FrozenClock, app: FastAPI) -> PlanWorld:
    base = await make_world(session, clock, vault=app.state.pid_vault)
    physio = await municipalities.ensure_unit(
        session, base.municipality, name="Fysioterapien", kind=UnitKind.PHYSIOTHERAPY, clock=clock
    )
    await bring_in_nurse(session, base, clock)
    return PlanWorld(**vars(base), physio=physio)


async def bring_in_nurse(session: AsyncSession, world: World, clock: FrozenClock) -> None:
    """The coordinator adds the nurse for home care; the owner lets her write goals, actions
    and notes."""
    participant = await consents.add_employee(
        session,
        employee(world.coordinator),
        world.plan.id,
        world.nurse.id,
        world.home_care.id,
        clock=clock,
    )
    for part in (PlanPart.GOALS_ACTIONS, PlanPart.NOTES):
        await consents.give_grant(
            session,
            citizen(world.owner),
            world.plan.id,
            participant.id,
            GrantSpec(part=part, mode=GrantMode.WRITE),
            clock=clock,
        )


@pytest.fixture
def log_in(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings, clock: FrozenClock
) -> LogIn:
    async def as_actor(actor: Actor) -> None:
        await log_in_as(client, session, settings, clock, actor)

    return as_actor


def if_match(version: int | str) -> dict[str, str]:
    return {"If-Match": f'"{version}"'}


def problem(response: httpx.Response, status: int, code: str | None = None) -> dict[str, object]:
    """The problem details of a refused request (never a 500, R-SAFE-1)."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, object] = response.json()
    if code is not None:
        assert body["type"] == f"urn:samplan:problem:{code}", body
    return body


@dataclass
class Live:
    """The app on a database of its own that commits for real, as in production: requests
    sent at the same moment each get their own connection and transaction."""

    client: httpx.AsyncClient
    world: World

    def url(self, tail: str) -> str:
        return f"/api/v1/plans/{self.world.plan.id}{tail}"


@pytest.fixture
async def live(settings: Settings, data_dir: Path, clock: FrozenClock) -> AsyncIterator[Live]:
    name = f"samplan_plan_api_live_{databases.worker_suffix()}"
    url = await databases.fresh_database(name, data_dir)
    own = settings.model_copy(update={"database_url": url})
    app = create_app(own, clock=clock)
    try:
        await schema.upgrade(app.state.engine, own)
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            async with app.state.sessionmaker() as db:
                world = await make_world(db, clock, vault=app.state.pid_vault)
                await db.commit()
                await log_in_as(client, db, own, clock, citizen(world.owner))
            yield Live(client, world)
    finally:
        await app.state.engine.dispose()
        await databases.drop_database(name)
