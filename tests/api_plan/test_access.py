"""Who may reach the plan through the API: a stranger learns nothing (404), and an item a
12-15-year-old shields does not exist for the guardian (R-AGE-2)."""

from __future__ import annotations

import uuid

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from app.shielding import service as shielding
from tests.api_plan.conftest import LogIn, PlanWorld, if_match, problem
from tests.support.clock import FrozenClock
from tests.support.logins import citizen, employee


async def test_a_stranger_gets_404_everywhere_and_changes_nothing(
    client: httpx.AsyncClient, world: PlanWorld, log_in: LogIn
) -> None:
    await log_in(citizen(world.owner))
    goal = (await client.post(world.url("/goals"), json={"text": "Mål"})).json()
    await log_in(citizen(world.stranger))
    some = uuid.uuid4()
    for response in [
        await client.get(world.url("/plan")),
        await client.get(world.url("/life-situation")),
        await client.get(world.url(f"/goals/{goal['id']}")),
        await client.get(world.url(f"/actions/{some}")),
        await client.post(world.url("/goals"), json={"text": "Mitt"}),
        await client.patch(
            world.url(f"/goals/{goal['id']}"),
            json={"text": "Mitt", "due_date": None},
            headers=if_match(1),
        ),
        await client.put(world.url("/life-situation"), json={"needs": "x"}, headers=if_match(0)),
        await client.post(world.url("/contributions"), json={"contributor": "owner", "text": "x"}),
        await client.post(world.url("/close-request")),
    ]:
        problem(response, 404, "plan_not_found")


async def test_not_logged_in_is_401(client: httpx.AsyncClient, world: PlanWorld) -> None:
    problem(await client.get(world.url("/plan")), 401, "not_authenticated")


async def test_r_age_2_a_shielded_goal_is_404_for_the_guardian_of_a_14_year_old(
    client: httpx.AsyncClient,
    session: AsyncSession,
    world: PlanWorld,
    log_in: LogIn,
    clock: FrozenClock,
) -> None:
    await log_in(citizen(world.parent, acting_for=world.child))
    opened = await client.put(world.url("/youth-access", child=True), json={"on": True})
    assert opened.status_code == 204, opened.text
    await log_in(citizen(world.child))
    secret = (await client.post(world.url("/goals", child=True), json={"text": "Hemmelig"})).json()
    open_goal = (await client.post(world.url("/goals", child=True), json={"text": "Åpent"})).json()
    assert secret["status"] == "proposed"  # a 14-year-old's goals wait for the guardian
    await shielding.shield(
        session,
        citizen(world.child),
        world.child_plan.id,
        "goal",
        uuid.UUID(secret["id"]),
        clock=clock,
    )
    await session.commit()

    await log_in(citizen(world.parent, acting_for=world.child))
    hidden = await client.get(world.url(f"/goals/{secret['id']}", child=True))
    problem(hidden, 404, "item_not_found")
    decided = await client.post(
        world.url(f"/goals/{secret['id']}/status", child=True),
        json={"status": "accepted"},
        headers=if_match(1),
    )
    problem(decided, 404, "item_not_found")
    plan = (await client.get(world.url("/plan", child=True))).json()
    shown = [g["id"] for g in plan["proposed_goals"] + plan["goals"] + plan["other_goals"]]
    assert shown == [open_goal["id"]]
    timeline = (await client.get(world.url("/timeline", child=True))).json()
    assert secret["id"] not in {e["item_id"] for e in timeline["entries"]}

    # The young person and the coordinator still see it.
    await log_in(employee(world.coordinator))
    seen = await client.get(world.url(f"/goals/{secret['id']}", child=True))
    assert seen.status_code == 200 and seen.json()["text"] == "Hemmelig"


async def test_a_change_sent_from_another_website_is_refused(
    client: httpx.AsyncClient, world: PlanWorld, log_in: LogIn
) -> None:
    await log_in(citizen(world.owner))
    foreign = {"Origin": "https://evil.example"}
    refused = await client.post(world.url("/goals"), json={"text": "Mål"}, headers=foreign)
    problem(refused, 403, "wrong_origin")
    ours = {"Origin": "http://testserver"}
    made = await client.post(world.url("/goals"), json={"text": "Mål"}, headers=ours)
    assert made.status_code == 201
    assert [g["text"] for g in (await client.get(world.url("/plan"))).json()["goals"]] == ["Mål"]


async def test_r_plan_1_a_service_changes_only_its_own_units_contribution(
    client: httpx.AsyncClient, world: PlanWorld, log_in: LogIn
) -> None:
    await log_in(citizen(world.owner))
    owners = await client.post(
        world.url("/contributions"), json={"contributor": "owner", "text": "Jeg lager frokost"}
    )
    assert owners.status_code == 201, owners.text
    await log_in(employee(world.nurse))
    service = {"contributor": "service", "text": "Besøk morgen"}
    ours = await client.post(
        world.url("/contributions"), json={**service, "unit_id": str(world.home_care.id)}
    )
    assert ours.status_code == 201, ours.text
    problem(
        await client.post(
            world.url("/contributions"), json={**service, "unit_id": str(world.physio.id)}
        ),
        403,
    )
    problem(
        await client.patch(
            world.url(f"/contributions/{owners.json()['id']}"),
            json={"contributor": "service", "unit_id": str(world.home_care.id), "text": "Mitt"},
            headers=if_match(1),
        ),
        403,
    )
    plan = (await client.get(world.url("/plan"))).json()
    assert {c["text"]: c["can"]["edit"] for c in plan["contributions"]} == {
        "Jeg lager frokost": False,
        "Besøk morgen": True,
    }
    assert plan["choices"]["contributors"] == ["service"]
    assert [u["id"] for u in plan["choices"]["contribution_units"]] == [str(world.home_care.id)]
