"""First end-to-end pass through the plan services: owner, coordinator, provider."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from app.actions import service as actions
from app.errors import Forbidden, StaleVersion
from app.goals import service as goals
from app.life_situation import service as life
from app.models import ActionStatus, GoalStatus
from app.plan_view import service as plan_view
from app.timeline import service as timeline
from tests.consents.world import make_world
from tests.support.clock import FrozenClock
from tests.support.logins import citizen, employee


async def test_owner_coordinator_provider_plan_together(
    session: AsyncSession, clock: FrozenClock
) -> None:
    world = await make_world(session, clock)
    owner, coordinator = citizen(world.owner), employee(world.coordinator)
    plan_id = world.plan.id
    words = await life.write_own_words(
        session,
        owner,
        plan_id,
        life.OwnWords(what_matters="Å bo hjemme", needs="Hjelp"),
        seen_version=None,
        clock=clock,
    )
    goal = await goals.propose_goal(
        session, owner, plan_id, goals.GoalInput("Gå tur hver dag"), clock=clock
    )
    assert goal.status is GoalStatus.ACCEPTED
    proposed = await goals.propose_goal(
        session, coordinator, plan_id, goals.GoalInput("Trene"), clock=clock
    )
    assert proposed.status is GoalStatus.PROPOSED
    await goals.set_goal_status(
        session,
        owner,
        plan_id,
        proposed.id,
        GoalStatus.ACCEPTED,
        seen_version=proposed.version,
        clock=clock,
    )
    action = await actions.create_action(
        session,
        coordinator,
        plan_id,
        actions.ActionInput(
            "Hjemmebesøk", world.home_care.id, extent="2 ganger i uka", goal_ids=(goal.id,)
        ),
        clock=clock,
    )
    note = await actions.add_note(session, owner, plan_id, action.id, "Takk!", clock=clock)
    assert note.kind.value == "comment"
    with pytest.raises(Forbidden):
        await actions.set_action_status(
            session,
            owner,
            plan_id,
            action.id,
            ActionStatus.DONE,
            seen_version=action.version,
            clock=clock,
        )
    with pytest.raises(StaleVersion):
        await life.write_own_words(
            session, owner, plan_id, life.OwnWords(what_matters="x"), seen_version=None, clock=clock
        )
    view = await plan_view.plan_view(session, owner, plan_id, clock=clock)
    assert [g.goal.text for g in view.goals] == ["Gå tur hver dag", "Trene"]
    assert view.goals[0].actions[0].action.title == "Hjemmebesøk"
    assert view.life_situation is not None and view.life_situation.id == words.id
    page = await timeline.page(session, owner, plan_id, clock=clock)
    assert len(page.entries) >= 5
    assert page.entries[0].entry.kind == "note.comment"
