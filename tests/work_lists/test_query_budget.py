"""quality.md P8: each work list costs the same number of SQL statements for 1 and 50 items.

Statements are counted at the driver (`before_cursor_execute`), as tests/access/test_query_budget.py
does: for the service from an empty identity map, as at the start of a request; for the endpoint
and the page, the whole request, with the audit rows written at its commit.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import httpx
import pytest
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from app.access import Actor
from app.settings import Settings
from app.work_lists import service as work_lists
from tests.consents.world import World, employee, make_world
from tests.support.clock import FrozenClock
from tests.support.logins import log_in
from tests.work_lists.scene import (
    add_action,
    add_plans,
    days,
    let_nurse_in,
    second_coordinator,
)

NOT_COUNTED = ("BEGIN", "SAVEPOINT", "RELEASE", "ROLLBACK", "COMMIT")
T = TypeVar("T")


@contextmanager
def counting(engine: AsyncEngine) -> Iterator[list[str]]:
    statements: list[str] = []

    def before(
        conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool
    ) -> None:
        if not statement.lstrip().upper().startswith(NOT_COUNTED):
            statements.append(" ".join(statement.split()))

    event.listen(engine.sync_engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", before)


async def _cold_count(
    session: AsyncSession, engine: AsyncEngine, work: Callable[[], Awaitable[T]]
) -> tuple[list[str], T]:
    await session.flush()
    session.expunge_all()
    with counting(engine) as statements:
        result = await work()
    return statements, result


async def _nurse_plans(
    session: AsyncSession, world: World, clock: FrozenClock, count: int, first_serial: int
) -> None:
    for plan, owner in await add_plans(session, world, clock, count, first_serial=first_serial):
        await let_nurse_in(session, world, clock, plan.id, owner)
        await add_action(session, world, clock, plan.id, "Tilsyn", deadline=days(clock, 3))


async def _my_actions(
    session: AsyncSession, engine: AsyncEngine, actor: Actor, clock: FrozenClock
) -> tuple[list[str], work_lists.MyActions]:
    return await _cold_count(
        session, engine, lambda: work_lists.my_actions(session, actor, clock=clock)
    )


async def _my_plans(
    session: AsyncSession, engine: AsyncEngine, actor: Actor, clock: FrozenClock
) -> tuple[list[str], work_lists.MyPlans]:
    return await _cold_count(
        session, engine, lambda: work_lists.my_plans(session, actor, clock=clock)
    )


async def test_p8_my_actions_costs_the_same_for_1_and_50_plans(
    session: AsyncSession, engine: AsyncEngine, clock: FrozenClock
) -> None:
    world = await make_world(session, clock)
    nurse = employee(world.nurse)
    await _nurse_plans(session, world, clock, 1, first_serial=10)
    one, found = await _my_actions(session, engine, nurse, clock)
    assert len(found.due_soon) == 1
    await _nurse_plans(session, world, clock, 49, first_serial=11)
    fifty, found = await _my_actions(session, engine, nurse, clock)
    assert len(found.due_soon) == 50
    assert len(fifty) == len(one), (one, fifty)


async def test_p8_my_actions_costs_the_same_for_1_and_50_actions_in_a_plan(
    session: AsyncSession, engine: AsyncEngine, clock: FrozenClock
) -> None:
    world = await make_world(session, clock)
    nurse = employee(world.nurse)
    await let_nurse_in(session, world, clock, world.plan.id, world.owner)
    await add_action(session, world, clock, world.plan.id, "Tiltak 0", deadline=days(clock, 1))
    one, found = await _my_actions(session, engine, nurse, clock)
    assert len(found.due_soon) == 1
    for number in range(1, 50):
        await add_action(
            session, world, clock, world.plan.id, f"Tiltak {number}", deadline=days(clock, 1)
        )
    fifty, found = await _my_actions(session, engine, nurse, clock)
    assert len(found.due_soon) == 50 and len(found.recently_changed) == 50
    assert len(fifty) == len(one), (one, fifty)


async def test_p8_my_plans_costs_a_coordinator_the_same_for_1_and_50_plans(
    session: AsyncSession, engine: AsyncEngine, clock: FrozenClock
) -> None:
    world = await make_world(session, clock)
    kaare = await second_coordinator(session, world, clock)
    await add_plans(session, world, clock, 1, first_serial=10, coordinator=kaare)
    one, found = await _my_plans(session, engine, employee(kaare), clock)
    assert len(found.plans) == 1
    await add_plans(session, world, clock, 49, first_serial=11, coordinator=kaare)
    fifty, found = await _my_plans(session, engine, employee(kaare), clock)
    assert len(found.plans) == 50
    assert len(fifty) == len(one), (one, fifty)


async def test_p8_my_plans_costs_the_coordinating_unit_the_same_for_2_and_52_plans(
    session: AsyncSession, engine: AsyncEngine, clock: FrozenClock
) -> None:
    world = await make_world(session, clock)
    ke = employee(world.ke)
    few, found = await _my_plans(session, engine, ke, clock)
    assert len(found.plans) == 2
    await add_plans(session, world, clock, 50, first_serial=10)
    many, found = await _my_plans(session, engine, ke, clock)
    assert len(found.plans) == 52
    assert len(many) == len(few), (few, many)


@pytest.mark.parametrize("path", ["/api/v1/work/actions", "/work/actions"])
async def test_p8_the_actions_endpoint_and_page_cost_the_same_for_1_and_50_plans(
    client: httpx.AsyncClient,
    session: AsyncSession,
    engine: AsyncEngine,
    settings: Settings,
    clock: FrozenClock,
    path: str,
) -> None:
    """The whole request: the login, the list, and the audit rows written at commit."""
    world = await make_world(session, clock)
    await _nurse_plans(session, world, clock, 1, first_serial=10)
    await log_in(client, session, settings, clock, staff=world.nurse)
    with counting(engine) as one:
        assert (await client.get(path)).status_code == 200
    await _nurse_plans(session, world, clock, 49, first_serial=11)
    await session.commit()
    with counting(engine) as fifty:
        response = await client.get(path)
    assert response.status_code == 200
    assert len(fifty) == len(one), (one, fifty)


@pytest.mark.parametrize("path", ["/api/v1/work/plans", "/work/plans"])
async def test_p8_the_plans_endpoint_and_page_cost_the_same_for_1_and_50_plans(
    client: httpx.AsyncClient,
    session: AsyncSession,
    engine: AsyncEngine,
    settings: Settings,
    clock: FrozenClock,
    path: str,
) -> None:
    world = await make_world(session, clock)
    kaare = await second_coordinator(session, world, clock)
    await add_plans(session, world, clock, 1, first_serial=10, coordinator=kaare)
    await log_in(client, session, settings, clock, staff=kaare)
    await client.get(path)  # the municipality's first audit row starts its chain: a one-off
    with counting(engine) as one:
        assert (await client.get(path)).status_code == 200
    await add_plans(session, world, clock, 49, first_serial=11, coordinator=kaare)
    await session.commit()
    with counting(engine) as fifty:
        response = await client.get(path)
    assert response.status_code == 200 and response.text.count("Planesen") >= 50
    assert len(fifty) == len(one), (one, fifty)
