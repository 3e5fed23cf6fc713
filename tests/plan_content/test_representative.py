"""R-REP-2 in the plan: a representative does what the owner may, within the fullmakt, and the
plan shows that they acted for the owner (R-REP-4)."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from app.actions import service as actions
from app.errors import Forbidden
from app.goals import service as goals
from app.life_situation import service as life
from app.models import ActionStatus, GoalStatus, NoteKind
from app.plan_view import service as plan_view
from app.timeline import service as timeline
from tests.plan_content.plan_world import PlanWorld, home_visit, representative_of_owner
from tests.support.clock import FrozenClock


async def test_r_rep_2_a_representative_who_acts_decides_and_comments_for_the_owner(
    session: AsyncSession, world: PlanWorld, clock: FrozenClock
) -> None:
    liv = await representative_of_owner(session, world, clock)
    proposal = await goals.propose_goal(
        session, world.coordinator, world.plan_id, goals.GoalInput("Trene"), clock=clock
    )
    accepted = await goals.set_goal_status(
        session,
        liv,
        world.plan_id,
        proposal.id,
        GoalStatus.ACCEPTED,
        seen_version=None,
        clock=clock,
    )
    assert accepted.decided_by_person_id == world.base.relative.id
    visit = await actions.create_action(
        session, world.coordinator, world.plan_id, home_visit(world), clock=clock
    )
    note = await actions.add_note(session, liv, world.plan_id, visit.id, "Fint", clock=clock)
    assert note.kind is NoteKind.COMMENT
    for refused in (
        actions.create_action(session, liv, world.plan_id, home_visit(world), clock=clock),
        actions.set_action_status(
            session,
            liv,
            world.plan_id,
            visit.id,
            ActionStatus.DONE,
            seen_version=None,
            clock=clock,
        ),
    ):
        with pytest.raises(Forbidden):
            await refused
    words = await life.write_own_words(
        session, liv, world.plan_id, life.OwnWords(needs="Hjelp"), seen_version=None, clock=clock
    )
    assert words.on_behalf_of_person_id == world.base.owner.id and not words.written_by_coordinator
    page = await timeline.page(session, world.owner, world.plan_id, clock=clock)
    mine = [e for e in page.entries if e.entry.actor_person_id == world.base.relative.id]
    assert len(mine) == 3
    assert {e.on_behalf_of for e in mine} == {world.base.owner.display_name}
    assert {e.entry.on_behalf_of_person_id for e in mine} == {world.base.owner.id}


async def test_r_rep_2_a_fullmakt_to_read_only_writes_nothing(
    session: AsyncSession, world: PlanWorld, clock: FrozenClock
) -> None:
    reader = await representative_of_owner(session, world, clock, acts=False)
    await goals.propose_goal(
        session, world.owner, world.plan_id, goals.GoalInput("Gå tur"), clock=clock
    )
    view = await plan_view.plan_view(session, reader, world.plan_id, clock=clock)
    assert view.shows_goals and [g.goal.text for g in view.goals] == ["Gå tur"]
    assert not view.goals[0].can_edit and not view.goals[0].can_decide
    with pytest.raises(Forbidden):
        await goals.propose_goal(
            session, reader, world.plan_id, goals.GoalInput("Flytte"), clock=clock
        )
    with pytest.raises(Forbidden):
        await life.write_own_words(
            session,
            reader,
            world.plan_id,
            life.OwnWords(needs="X"),
            seen_version=None,
            clock=clock,
        )


async def test_r_rep_2_a_fullmakt_for_the_life_situation_only(
    session: AsyncSession, world: PlanWorld, clock: FrozenClock
) -> None:
    limited = await representative_of_owner(session, world, clock, scope="life_situation")
    await goals.propose_goal(
        session, world.owner, world.plan_id, goals.GoalInput("Gå tur"), clock=clock
    )
    words = await life.write_own_words(
        session,
        limited,
        world.plan_id,
        life.OwnWords(needs="Hjelp"),
        seen_version=None,
        clock=clock,
    )
    view = await plan_view.plan_view(session, limited, world.plan_id, clock=clock)
    assert view.shows_life_situation and view.life_situation is not None
    assert view.life_situation.id == words.id
    assert not view.shows_goals and view.goals == []
    with pytest.raises(Forbidden):
        await goals.propose_goal(
            session, limited, world.plan_id, goals.GoalInput("Flytte"), clock=clock
        )
    page = await timeline.page(session, limited, world.plan_id, clock=clock)
    assert {e.entry.item_type for e in page.entries} == {"life_situation"}
