"""The timeline through the API: keyset pages with no gaps or repeats, and its filters."""

from __future__ import annotations

from datetime import timedelta
from typing import get_args

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from app.actions import service as actions
from app.api.timeline_schemas import TimelineKind
from app.goals import service as goals
from app.messages import service as messages
from app.threads.service import MemberChoice
from app.timeline import service as timeline
from tests.api_plan.conftest import LogIn, PlanWorld, problem
from tests.support.clock import FrozenClock
from tests.support.logins import citizen, employee

GOALS, ACTIONS, NOTES = 25, 25, 15


async def _busy_plan(session: AsyncSession, world: PlanWorld, clock: FrozenClock) -> None:
    """Goals by the owner on day 1, actions by the coordinator on day 2, notes by the nurse on
    day 3: more than two pages of changes."""
    owner, coordinator, nurse = (
        citizen(world.owner),
        employee(world.coordinator),
        employee(world.nurse),
    )
    for number in range(GOALS):
        await goals.propose_goal(
            session, owner, world.plan.id, goals.GoalInput(f"Mål {number}"), clock=clock
        )
    clock.advance(timedelta(days=1))
    made = []
    for number in range(ACTIONS):
        data = actions.ActionInput(f"Tiltak {number}", world.home_care.id)
        made.append(
            await actions.create_action(session, coordinator, world.plan.id, data, clock=clock)
        )
    clock.advance(timedelta(days=1))
    for number in range(NOTES):
        await actions.add_note(
            session, nurse, world.plan.id, made[number].id, f"Notat {number}", clock=clock
        )


async def _all_pages(client: httpx.AsyncClient, first: str) -> list[dict[str, object]]:
    entries: list[dict[str, object]] = []
    url: str | None = first
    while url is not None:
        response = await client.get(url)
        assert response.status_code == 200, response.text
        page = response.json()
        entries += page["entries"]
        if page["next"] is None:
            assert "link" not in response.headers
            url = None
        else:
            link = response.headers["link"]
            assert link.endswith('>; rel="next"') and f"before={page['next']}" in link
            url = link[1 : link.index(">")]
    return entries


async def test_pages_of_30_cover_the_timeline_without_gaps_or_repeats(
    client: httpx.AsyncClient,
    session: AsyncSession,
    world: PlanWorld,
    log_in: LogIn,
    clock: FrozenClock,
) -> None:
    await _busy_plan(session, world, clock)
    await log_in(employee(world.coordinator))
    whole = (await client.get(world.url("/timeline?limit=100"))).json()
    assert whole["next"] is None and len(whole["entries"]) > 60
    paged = await _all_pages(client, world.url("/timeline"))
    assert [e["id"] for e in paged] == [e["id"] for e in whole["entries"]]
    assert len({e["id"] for e in paged}) == len(paged)
    stamps = [(e["at"], e["id"]) for e in paged]
    assert stamps == sorted(stamps, reverse=True)  # newest first
    first = (await client.get(world.url("/timeline"))).json()
    assert len(first["entries"]) == 30
    assert first["entries"][0]["kind"] == "note.progress"
    assert first["entries"][0]["who"] == world.nurse.name
    assert first["entries"][0]["unit"] == "Hjemmetjenesten"


async def test_the_timeline_filters_by_kind_person_and_period(
    client: httpx.AsyncClient,
    session: AsyncSession,
    world: PlanWorld,
    log_in: LogIn,
    clock: FrozenClock,
) -> None:
    await _busy_plan(session, world, clock)
    await log_in(citizen(world.owner))
    goal_entries = await _all_pages(client, world.url("/timeline?kind=goals&limit=10"))
    assert len(goal_entries) == GOALS and {e["item_type"] for e in goal_entries} == {"goal"}
    both = await _all_pages(client, world.url("/timeline?kind=goals&kind=notes&limit=7"))
    assert len(both) == GOALS + NOTES

    page = (await client.get(world.url("/timeline"))).json()
    keys = {p["name"]: p["key"] for p in page["people"]}
    assert keys[world.coordinator.name] == f"employee:{world.coordinator.id}"
    by_coordinator = await _all_pages(
        client, world.url(f"/timeline?kind=actions&person={keys[world.coordinator.name]}")
    )
    assert len(by_coordinator) == ACTIONS
    assert {e["who"] for e in by_coordinator} == {world.coordinator.name}
    by_owner = await _all_pages(
        client, world.url(f"/timeline?kind=goals&person=person:{world.owner.id}")
    )
    assert len(by_owner) == GOALS

    day_three = (clock.now() - timedelta(hours=1)).date().isoformat()
    day_two = (clock.now() - timedelta(days=1)).date().isoformat()
    recent = await _all_pages(client, world.url(f"/timeline?since={day_three}"))
    assert len(recent) == NOTES and {e["item_type"] for e in recent} == {"note"}
    middle = await _all_pages(client, world.url(f"/timeline?since={day_two}&until={day_two}"))
    assert len(middle) == ACTIONS and {e["kind"] for e in middle} == {"action.added"}


async def test_a_stranger_gets_404_for_the_timeline(
    client: httpx.AsyncClient, world: PlanWorld, log_in: LogIn
) -> None:
    await log_in(citizen(world.stranger))
    problem(await client.get(world.url("/timeline")), 404, "plan_not_found")


def test_the_api_offers_every_filter_the_timeline_has() -> None:
    assert set(get_args(TimelineKind)) == set(timeline.FILTERS)


async def test_the_timeline_filters_conversations_through_the_api(
    client: httpx.AsyncClient,
    session: AsyncSession,
    world: PlanWorld,
    log_in: LogIn,
    clock: FrozenClock,
) -> None:
    await _busy_plan(session, world, clock)
    await messages.start_thread(
        session,
        citizen(world.owner),
        world.plan.id,
        topic="Til hjemmetjenesten",
        members=[MemberChoice(unit_id=world.home_care.id)],
        first_message="Kan dere komme tidligere på tirsdag?",
        clock=clock,
    )
    await log_in(citizen(world.owner))
    found = await _all_pages(client, world.url("/timeline?kind=messages"))
    assert found and {e["item_type"] for e in found} <= {"thread", "message"}
    assert "message" in {e["item_type"] for e in found}
