"""The whole plan and the owner's own words through the API."""

from __future__ import annotations

import httpx

from tests.api_plan.conftest import LogIn, PlanWorld, if_match, problem
from tests.support.logins import citizen, employee

NINE = [
    "goals_needs",
    "participants",
    "coordinator",
    "contributions",
    "actions",
    "how",
    "period",
    "consent",
    "cooperation",
]


async def test_the_plan_shows_everything_in_its_place_with_versions_and_flags(
    client: httpx.AsyncClient, world: PlanWorld, log_in: LogIn
) -> None:
    await log_in(citizen(world.owner))
    empty = await client.get(world.url("/plan"))
    assert empty.status_code == 200, empty.text
    body = empty.json()
    assert empty.headers["etag"] == f'"{body["frame"]["version"]}"'
    assert body["frame"]["owner_name"] == world.owner.display_name
    assert body["frame"]["coordinator_name"] == world.coordinator.name
    assert body["frame"]["period_start"] == "2026-11-23"
    assert body["life_situation"]["version"] == 0
    assert body["parts"] == {"life_situation": True, "goals_actions": True, "notes": True}
    assert [item["key"] for item in body["completeness"]] == NINE
    done = {item["key"]: item["done"] for item in body["completeness"]}
    assert done["coordinator"] and done["period"] and not done["actions"]

    words = await client.put(
        world.url("/life-situation"),
        json={"what_matters": "Å bo hjemme", "needs": "Hjelp med mat"},
        headers=if_match(0),
    )
    assert words.status_code == 200, words.text
    goal = (await client.post(world.url("/goals"), json={"text": "Bo hjemme"})).json()
    await client.post(
        world.url("/contributions"), json={"contributor": "owner", "text": "Jeg lager frokost"}
    )
    await log_in(employee(world.coordinator))
    await client.post(
        world.url("/actions"),
        json={
            "title": "Middag",
            "responsible_unit_id": str(world.home_care.id),
            "extent": "Hver dag",
            "method": "Levering",
            "goal_ids": [goal["id"]],
        },
    )
    await client.post(world.url("/cooperation"), json={"partner": "NAV"})
    await client.post(world.url("/sub-plans"), json={"kind": "iop", "title": "IOP"})

    plan = (await client.get(world.url("/plan"))).json()
    assert plan["life_situation"]["what_matters"] == "Å bo hjemme"
    assert plan["life_situation"]["version"] == 1
    assert plan["life_situation"]["written_by"] == world.owner.display_name
    [main] = plan["goals"]
    assert main["version"] == 1 and main["can"]["decide"] is False
    assert [a["title"] for a in main["actions"]] == ["Middag"]
    assert main["actions"][0]["can"] == {"update": True, "comment": True}
    assert [c["text"] for c in plan["contributions"]] == ["Jeg lager frokost"]
    assert [c["partner"] for c in plan["cooperation"]] == ["NAV"]
    assert [s["title"] for s in plan["sub_plans"]] == ["IOP"]
    assert plan["can"]["edit_plan_frame"] is True and plan["can"]["decide_goal"] is False
    assert {u["name"] for u in plan["choices"]["units"]} >= {"Hjemmetjenesten", "Fysioterapien"}
    done = {item["key"]: item["done"] for item in plan["completeness"]}
    assert all(done[key] for key in ("goals_needs", "contributions", "actions", "how"))
    assert done["cooperation"]


async def test_the_owners_words_start_from_version_0_and_conflicts_are_412(
    client: httpx.AsyncClient, world: PlanWorld, log_in: LogIn
) -> None:
    await log_in(citizen(world.owner))
    nothing = await client.get(world.url("/life-situation"))
    assert nothing.status_code == 200 and nothing.headers["etag"] == '"0"'
    assert nothing.json()["version"] == 0 and nothing.json()["what_matters"] == ""
    first = await client.put(
        world.url("/life-situation"), json={"situation": "Bor alene"}, headers=if_match(0)
    )
    assert first.status_code == 200 and first.headers["etag"] == '"1"'
    assert first.json()["written_by_coordinator"] is False

    # The coordinator also started from no words: refused, nothing overwritten (R-SAFE-2).
    await log_in(employee(world.coordinator))
    late = await client.put(
        world.url("/life-situation"), json={"situation": "Annet"}, headers=if_match(0)
    )
    assert problem(late, 412, "stale_version")["current_version"] == 1
    written = await client.put(
        world.url("/life-situation"),
        json={"situation": "Bor alene, skrevet ned etter samtale"},
        headers=if_match(1),
    )
    assert written.status_code == 200 and written.json()["written_by_coordinator"] is True
    read = await client.get(world.url("/life-situation"))
    assert read.headers["etag"] == '"2"'
    assert read.json()["situation"] == "Bor alene, skrevet ned etter samtale"


async def test_the_ke_sees_the_frame_but_not_the_content_outside_a_case(
    client: httpx.AsyncClient, world: PlanWorld, log_in: LogIn
) -> None:
    await log_in(citizen(world.owner))
    goal = (await client.post(world.url("/goals"), json={"text": "Mål"})).json()
    await log_in(employee(world.coordinator))
    action = (
        await client.post(
            world.url("/actions"),
            json={"title": "Tiltak", "responsible_unit_id": str(world.home_care.id)},
        )
    ).json()
    await log_in(employee(world.ke))
    plan = (await client.get(world.url("/plan"))).json()
    assert plan["life_situation"] is None and plan["goals"] == []
    assert plan["parts"] == {"life_situation": False, "goals_actions": False, "notes": False}
    done = {item["key"]: item["done"] for item in plan["completeness"]}
    assert done["actions"] is True  # which items are there, without what they say (R-PLAN-1)
    problem(await client.get(world.url("/life-situation")), 403, "not_allowed")
    problem(await client.get(world.url(f"/goals/{goal['id']}")), 403, "not_allowed")
    problem(await client.get(world.url(f"/actions/{action['id']}")), 403, "not_allowed")
