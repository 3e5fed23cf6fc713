"""One world for the plan content tests (tests/plan_content/plan_world.py)."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from tests.plan_content.plan_world import PlanWorld, make_plan_world
from tests.support.clock import FrozenClock


@pytest.fixture
async def world(session: AsyncSession, clock: FrozenClock) -> PlanWorld:
    return await make_plan_world(session, clock)
