"""R-AGE-2: a 12-15-year-old keeps items from guardians; guardians learn only that something
is not shown."""

from __future__ import annotations

import uuid

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession

from app import access
from app.access import ItemFacts, Permission
from app.errors import Conflict, Forbidden, InvalidInput, NotFound
from app.settings import Settings
from app.shielding import service as shielding
from app.young_people import service as young_people
from tests.consents.world import World, citizen, employee, log_in, make_world
from tests.support.clock import FrozenClock


@pytest.fixture
async def world(session: AsyncSession, clock: FrozenClock, app: FastAPI) -> World:
    return await make_world(session, clock, vault=app.state.pid_vault)


async def test_r_age_2_a_shielded_goal_does_not_exist_for_the_guardian(
    session: AsyncSession, world: World, clock: FrozenClock
) -> None:
    guardian = citizen(world.parent, acting_for=world.child)
    await young_people.set_youth_access(
        session, guardian, world.child_plan.id, on=True, clock=clock
    )
    ida = citizen(world.child)
    goal = ItemFacts(type="goal", id=uuid.uuid4())
    await access.require(
        session,
        guardian,
        Permission.READ_GOALS_ACTIONS,
        world.child_plan.id,
        item=goal,
        clock=clock,
    )
    shield = await shielding.shield(session, ida, world.child_plan.id, "goal", goal.id, clock=clock)
    with pytest.raises(NotFound):
        await access.require(
            session,
            guardian,
            Permission.READ_GOALS_ACTIONS,
            world.child_plan.id,
            item=goal,
            clock=clock,
        )
    # The plan, its meetings and other items stay with the guardian (parental responsibility).
    await access.require(
        session, guardian, Permission.READ_MINUTES, world.child_plan.id, clock=clock
    )
    other = ItemFacts(type="goal", id=uuid.uuid4())
    await access.require(
        session,
        guardian,
        Permission.READ_GOALS_ACTIONS,
        world.child_plan.id,
        item=other,
        clock=clock,
    )
    # The coordinator and the young person still see it.
    await access.require(
        session,
        employee(world.coordinator),
        Permission.READ_GOALS_ACTIONS,
        world.child_plan.id,
        item=goal,
        clock=clock,
    )
    await access.require(
        session, ida, Permission.READ_GOALS_ACTIONS, world.child_plan.id, item=goal, clock=clock
    )
    with pytest.raises(Conflict):
        await shielding.shield(session, ida, world.child_plan.id, "goal", goal.id, clock=clock)
    await shielding.unshield(session, ida, world.child_plan.id, shield.id, clock=clock)
    await access.require(
        session,
        guardian,
        Permission.READ_GOALS_ACTIONS,
        world.child_plan.id,
        item=goal,
        clock=clock,
    )


async def test_only_the_young_person_or_the_coordinator_shields_and_only_some_items(
    session: AsyncSession, world: World, clock: FrozenClock
) -> None:
    guardian = citizen(world.parent, acting_for=world.child)
    with pytest.raises(Forbidden):
        await shielding.shield(
            session, guardian, world.child_plan.id, "goal", uuid.uuid4(), clock=clock
        )
    coordinator = employee(world.coordinator)
    with pytest.raises(InvalidInput):  # meetings always stay with the guardian
        await shielding.shield(
            session, coordinator, world.child_plan.id, "meeting", uuid.uuid4(), clock=clock
        )
    with pytest.raises(InvalidInput):  # the owner is 40: there is nobody to shield from
        await shielding.shield(
            session, coordinator, world.plan.id, "goal", uuid.uuid4(), clock=clock
        )
    await shielding.shield(
        session, coordinator, world.child_plan.id, "note", uuid.uuid4(), clock=clock
    )


async def test_the_shielding_api(
    client: httpx.AsyncClient,
    session: AsyncSession,
    settings: Settings,
    clock: FrozenClock,
    world: World,
) -> None:
    await log_in(client, session, settings, clock, staff=world.coordinator)
    url = f"/api/v1/plans/{world.child_plan.id}/shielded-items"
    made = await client.post(url, json={"item_type": "thread", "item_id": str(uuid.uuid4())})
    assert made.status_code == 201
    assert [item["id"] for item in (await client.get(url)).json()] == [made.json()["id"]]
    bad = await client.post(url, json={"item_type": "meeting", "item_id": str(uuid.uuid4())})
    assert bad.status_code == 422
    ended = await client.post(f"{url}/{made.json()['id']}/end")
    assert ended.status_code == 200 and ended.json()["ended_at"] is not None
    await log_in(client, session, settings, clock, person=world.parent, acting_for=world.child)
    assert (await client.get(url)).status_code == 403
