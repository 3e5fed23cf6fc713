"""quality.md P8: the plan page, the print view and the timeline page run a fixed number of SQL
statements, the same for a plan with 1 goal and 1 action as for one with 50 of each (with notes
and reviews), for the owner, a provider and the coordinator."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from app.access.actors import Actor
from app.actions import service as actions
from app.consents import service as consents
from app.consents.schemas import GrantSpec
from app.goals import service as goals
from app.models import GrantMode, PlanPart, ReviewAssessment
from app.plan_view import service as plan_views
from app.timeline import service as timeline
from tests.access.test_query_budget import counting
from tests.consents.world import World, make_world
from tests.support.clock import FrozenClock
from tests.support.logins import citizen, employee


async def _fill(session: AsyncSession, world: World, clock: FrozenClock, count: int) -> None:
    owner, coordinator = citizen(world.owner), employee(world.coordinator)
    for number in range(count):
        goal = await goals.propose_goal(
            session, owner, world.plan.id, goals.GoalInput(f"Mål {number}"), clock=clock
        )
        action = await actions.create_action(
            session,
            coordinator,
            world.plan.id,
            actions.ActionInput(f"Tiltak {number}", world.home_care.id, goal_ids=(goal.id,)),
            clock=clock,
        )
        await actions.add_note(session, owner, world.plan.id, action.id, "Notat", clock=clock)
        await goals.add_review(
            session,
            coordinator,
            world.plan.id,
            goal.id,
            goals.ReviewInput(ReviewAssessment.ON_TRACK, "Bra"),
            clock=clock,
        )
        if number % 10 == 0:
            await goals.propose_goal(
                session, coordinator, world.plan.id, goals.GoalInput("Forslag"), clock=clock
            )


async def _nurse_with_grants(session: AsyncSession, world: World, clock: FrozenClock) -> Actor:
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
    return employee(world.nurse)


async def _statements(
    session: AsyncSession,
    engine: AsyncEngine,
    actor: Actor,
    plan_id: uuid.UUID,
    clock: FrozenClock,
    *,
    exports: bool = True,
) -> dict[str, int]:
    counts = {}
    # Providers may not export (access.md), so they have no print view.
    pages = ("page", "print", "timeline") if exports else ("page", "timeline")
    for name in pages:
        await session.flush()
        session.expunge_all()
        with counting(engine) as counter:
            if name == "timeline":
                await timeline.page(session, actor, plan_id, clock=clock)
            else:
                await plan_views.plan_view(
                    session, actor, plan_id, clock=clock, export=name == "print"
                )
        counts[name] = counter.count
    return counts


@pytest.mark.parametrize("who", ["owner", "coordinator", "provider"])
async def test_p8_plan_pages_cost_the_same_for_1_and_50_items(
    session: AsyncSession, engine: AsyncEngine, clock: FrozenClock, who: str
) -> None:
    world = await make_world(session, clock)
    if who == "owner":
        actor = citizen(world.owner)
    elif who == "coordinator":
        actor = employee(world.coordinator)
    else:
        actor = await _nurse_with_grants(session, world, clock)
    await _fill(session, world, clock, 1)
    # Seen once before, so both counts include "new since your last visit".
    await _statements(session, engine, actor, world.plan.id, clock, exports=who != "provider")
    with_one = await _statements(
        session, engine, actor, world.plan.id, clock, exports=who != "provider"
    )
    await _fill(session, world, clock, 49)
    with_fifty = await _statements(
        session, engine, actor, world.plan.id, clock, exports=who != "provider"
    )
    assert with_one == with_fifty, (with_one, with_fifty)
    # A small, fixed budget: the plan, the facts, one query per kind of item, names, the visit.
    assert with_fifty["page"] <= 30, with_fifty
    assert with_fifty["timeline"] <= 12, with_fifty
