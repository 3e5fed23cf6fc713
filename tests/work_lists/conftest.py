"""A committed scene for the page and API tests: the nurse has a grant and actions to do, and
the coordinator has a goal proposal waiting for the owner."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from app.goals import service as goals
from app.models import Action
from tests.consents.world import World, employee, make_world
from tests.support.clock import FrozenClock
from tests.work_lists.scene import add_action, days, let_nurse_in


@dataclass
class Scene:
    world: World
    overdue: Action
    due_soon: Action


@pytest.fixture
async def scene(session: AsyncSession, clock: FrozenClock) -> Scene:
    world = await make_world(session, clock)
    await let_nurse_in(session, world, clock, world.plan.id, world.owner)
    overdue = await add_action(
        session, world, clock, world.plan.id, "Skifte bandasje", deadline=days(clock, -2)
    )
    due_soon = await add_action(
        session,
        world,
        clock,
        world.plan.id,
        "Medisinrunde",
        deadline=days(clock, 4),
        person=world.nurse,
    )
    await goals.propose_goal(
        session, employee(world.coordinator), world.plan.id, goals.GoalInput("Trene"), clock=clock
    )
    await session.commit()  # a refused request rolls the shared session back to here
    return Scene(world, overdue, due_soon)
