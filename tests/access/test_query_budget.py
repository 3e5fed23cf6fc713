"""A fixed, small number of SQL statements per access decision (issue 5, item 10).

Statements are counted at the driver (`before_cursor_execute` on the engine) with an empty
identity map, as at the start of a request; transaction control (BEGIN, SAVEPOINT, RELEASE) is
not counted. Audit rows cost nothing here: they are written when the request commits.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from app import access
from app.access.actors import Actor
from app.errors import DomainError
from app.models import Person, Plan
from tests.access.access_fixtures import World, build_world
from tests.support.clock import FrozenClock

P = access.Permission
CITIZEN_BUDGET = 4
EMPLOYEE_BUDGET = 4
NOT_COUNTED = ("BEGIN", "SAVEPOINT", "RELEASE", "ROLLBACK", "COMMIT")


class Counter:
    def __init__(self) -> None:
        self.statements: list[str] = []

    @property
    def count(self) -> int:
        return len(self.statements)


@contextmanager
def counting(engine: AsyncEngine) -> Iterator[Counter]:
    counter = Counter()

    def before(
        conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool
    ) -> None:
        if not statement.lstrip().upper().startswith(NOT_COUNTED):
            counter.statements.append(" ".join(statement.split()))

    event.listen(engine.sync_engine, "before_cursor_execute", before)
    try:
        yield counter
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", before)


async def _cold(session: AsyncSession) -> None:
    """As at the start of a request: nothing pending, nothing in the identity map."""
    await session.flush()
    session.expunge_all()


async def _count_require(
    session: AsyncSession,
    engine: AsyncEngine,
    world: World,
    actor: Actor,
    plan: Plan,
    *,
    item: access.ItemFacts | None = None,
) -> tuple[int, list[str]]:
    await _cold(session)
    with counting(engine) as counter:
        try:
            await access.require(
                session, actor, P.READ_GOALS_ACTIONS, plan.id, clock=world.clock, item=item
            )
        except DomainError:
            pass  # denials cost the same budget
    return counter.count, counter.statements


CITIZENS = {
    "owner_adult": "plan_adult",
    "owner_youth_with_access": "plan_youth",
    "owner_youth_without_access": "plan_youth_closed",
    "guardian_of_child": "plan_child",
    "guardian_of_youth": "plan_youth",
    "former_guardian_of_sixteen": "plan_sixteen",
    "representative": "plan_adult",
    "relative": "plan_adult",
    "owner_b": "plan_adult",  # someone else's plan
}
EMPLOYEES = {
    "ke_staff": "plan_adult",
    "coordinator": "plan_adult",
    "provider": "plan_adult",
    "provider_without_grant": "plan_adult",
    "other_employee": "plan_adult",
    "ke_staff_b": "plan_adult",  # another municipality's plan
}


@pytest.mark.parametrize(("actor_name", "plan_name"), list(CITIZENS.items()))
async def test_require_costs_a_citizen_at_most_four_statements(
    session: AsyncSession, engine: AsyncEngine, clock: FrozenClock, actor_name: str, plan_name: str
) -> None:
    world = await build_world(session, clock)
    actor, plan = world.actors()[actor_name], world.plans()[plan_name]
    count, statements = await _count_require(session, engine, world, actor, plan)
    assert count <= CITIZEN_BUDGET, statements


@pytest.mark.parametrize(("actor_name", "plan_name"), list(EMPLOYEES.items()))
async def test_require_costs_an_employee_at_most_four_statements(
    session: AsyncSession, engine: AsyncEngine, clock: FrozenClock, actor_name: str, plan_name: str
) -> None:
    world = await build_world(session, clock)
    actor, plan = world.actors()[actor_name], world.plans()[plan_name]
    count, statements = await _count_require(session, engine, world, actor, plan)
    assert count <= EMPLOYEE_BUDGET, statements


async def test_r_age_2_an_item_costs_a_guardian_of_a_youth_one_statement_more(
    session: AsyncSession, engine: AsyncEngine, clock: FrozenClock
) -> None:
    world = await build_world(session, clock)
    guardian = world.guardian(world.youth_guardian, world.youth)
    without, _ = await _count_require(session, engine, world, guardian, world.plan_youth)
    item = access.ItemFacts("goal", uuid.uuid4())
    with_item, statements = await _count_require(
        session, engine, world, guardian, world.plan_youth, item=item
    )
    assert with_item == without + 1, statements
    assert with_item <= CITIZEN_BUDGET + 1
    # Nobody else pays for the shielding check.
    for name in ("owner_youth_with_access", "coordinator"):
        actor = world.actors()[name]
        plain, _ = await _count_require(session, engine, world, actor, world.plan_youth)
        itemised, _ = await _count_require(
            session, engine, world, actor, world.plan_youth, item=item
        )
        assert itemised == plain, name


async def test_the_plan_and_owner_already_loaded_cost_nothing_more(
    session: AsyncSession, engine: AsyncEngine, clock: FrozenClock
) -> None:
    """A service that asks twice in one request, holding the plan and its owner, pays only for
    the actor's own facts the second time."""
    world = await build_world(session, clock)
    actor = world.staff(world.provider)
    first, _ = await _count_require(session, engine, world, actor, world.plan_adult)
    plan = await session.get(Plan, world.plan_adult.id)  # held, as a service holds it
    owner = await session.get(Person, world.adult.id)
    assert plan is not None and owner is not None
    with counting(engine) as again:
        await access.require(session, actor, P.SEE_PLAN, plan.id, clock=clock)
    assert again.count == first - 2, again.statements


async def test_visible_plans_for_an_employee_with_200_plans_is_one_list_query_plus_one(
    session: AsyncSession, engine: AsyncEngine, clock: FrozenClock
) -> None:
    world = await build_world(session, clock)
    added = await world.add_provider_plans(200)
    expected = {plan.id for plan in added} | {world.plan_adult.id}
    for actor in (world.staff(world.provider), world.staff(world.ke_staff)):
        await _cold(session)
        with counting(engine) as counter:
            where = await access.visible_plans(session, actor, clock=clock)
            listed = (await session.scalars(select(Plan).where(where).order_by(Plan.id))).all()
        assert counter.count <= 2, counter.statements
        ids = {plan.id for plan in listed}
        if actor.employee_id == world.provider.id:
            assert ids == expected
        else:
            assert expected <= ids and world.plan_b.id not in ids


async def test_visible_plans_for_a_citizen_is_the_list_query_alone(
    session: AsyncSession, engine: AsyncEngine, clock: FrozenClock
) -> None:
    world = await build_world(session, clock)
    for name in ("owner_adult", "guardian_of_youth", "representative", "relative"):
        await _cold(session)
        with counting(engine) as counter:
            where = await access.visible_plans(session, world.actors()[name], clock=clock)
            (await session.scalars(select(Plan).where(where))).all()
        assert counter.count == 1, (name, counter.statements)


async def test_capabilities_cost_no_more_than_one_decision(
    session: AsyncSession, engine: AsyncEngine, clock: FrozenClock
) -> None:
    world = await build_world(session, clock)
    for name, plan_name in {**CITIZENS, **EMPLOYEES}.items():
        actor, plan_id = world.actors()[name], world.plans()[plan_name].id
        await _cold(session)
        plan = await session.get(Plan, plan_id)
        assert plan is not None
        with counting(engine) as counter:
            await access.capabilities(session, actor, plan, clock=clock)
        budget = CITIZEN_BUDGET if actor.is_citizen else EMPLOYEE_BUDGET
        assert counter.count <= budget - 1, (name, counter.statements)
