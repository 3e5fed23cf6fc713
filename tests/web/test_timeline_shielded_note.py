"""R-AGE-2 on the timeline page: a guardian of a 12-15-year-old is told that something is not
shown, as on the plan page and in the print view, and never sees what was shielded. The young
person and the coordinator, who see everything, are told nothing."""

from __future__ import annotations

import httpx
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession

from app.goals import service as goals
from app.settings import Settings
from app.shielding import service as shielding
from app.young_people import service as young_people
from tests.consents.world import log_in, make_world
from tests.support.clock import FrozenClock
from tests.support.logins import citizen, employee

SECRET = "Snakke med helsesykepleieren om hvordan jeg har det"
OPEN = "Trives på skolen"
NOTICE = 'id="shielded-note"'


async def test_r_age_2_the_timeline_tells_the_guardian_that_something_is_not_shown(
    app: FastAPI,
    client: httpx.AsyncClient,
    session: AsyncSession,
    clock: FrozenClock,
    settings: Settings,
) -> None:
    world = await make_world(session, clock, vault=app.state.pid_vault)
    plan_id = world.child_plan.id
    guardian = citizen(world.parent, acting_for=world.child)
    young = citizen(world.child)  # 14
    await young_people.set_youth_access(session, guardian, plan_id, on=True, clock=clock)
    secret = await goals.propose_goal(session, young, plan_id, goals.GoalInput(SECRET), clock=clock)
    await goals.propose_goal(
        session, employee(world.coordinator), plan_id, goals.GoalInput(OPEN), clock=clock
    )
    await shielding.shield(session, young, plan_id, "goal", secret.id, clock=clock)
    await session.commit()
    url = f"/plans/{plan_id}/timeline"

    await log_in(client, session, settings, clock, person=world.parent, acting_for=world.child)
    page = await client.get(url)
    assert page.status_code == 200, page.text[:2000]
    assert NOTICE in page.text and OPEN in page.text
    assert SECRET not in page.text
    # The notice is about the plan, not the filter: it stays when another kind is chosen.
    assert NOTICE in (await client.get(url, params={"kind": "actions"})).text
    api = await client.get(f"/api/v1{url}")
    assert api.status_code == 200 and api.json()["hidden_shielded"] is True

    for who in ({"person": world.child}, {"staff": world.coordinator}):
        await log_in(client, session, settings, clock, **who)
        page = await client.get(url)
        assert page.status_code == 200, page.text[:2000]
        assert SECRET in page.text and OPEN in page.text
        assert NOTICE not in page.text
        assert (await client.get(f"/api/v1{url}")).json()["hidden_shielded"] is False


async def test_r_age_2_no_notice_for_the_guardian_when_nothing_is_shielded(
    app: FastAPI,
    client: httpx.AsyncClient,
    session: AsyncSession,
    clock: FrozenClock,
    settings: Settings,
) -> None:
    world = await make_world(session, clock, vault=app.state.pid_vault)
    plan_id = world.child_plan.id
    guardian = citizen(world.parent, acting_for=world.child)
    await young_people.set_youth_access(session, guardian, plan_id, on=True, clock=clock)
    await goals.propose_goal(session, guardian, plan_id, goals.GoalInput(OPEN), clock=clock)
    await session.commit()

    await log_in(client, session, settings, clock, person=world.parent, acting_for=world.child)
    page = await client.get(f"/plans/{plan_id}/timeline")
    assert page.status_code == 200 and OPEN in page.text
    assert NOTICE not in page.text
