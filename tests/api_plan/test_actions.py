"""Actions and notes through the API (R-PLAN-4): one responsible unit; providers change only
their own units' actions; the owner's side comments."""

from __future__ import annotations

import httpx

from tests.api_plan.conftest import LogIn, PlanWorld, if_match, problem
from tests.support.logins import citizen, employee


def _action(world: PlanWorld, **changes: object) -> dict[str, object]:
    body: dict[str, object] = {
        "title": "Hjemmebesøk",
        "responsible_unit_id": str(world.home_care.id),
        "extent": "To ganger i uka",
        "method": "Sykepleier kommer hjem",
        "start_date": "2026-12-01",
        "deadline": "2027-03-01",
    }
    return {**body, **changes}


async def test_the_coordinator_makes_an_action_for_a_goal_and_the_nurse_carries_it_out(
    client: httpx.AsyncClient, world: PlanWorld, log_in: LogIn
) -> None:
    await log_in(citizen(world.owner))
    goal = (await client.post(world.url("/goals"), json={"text": "Bo hjemme"})).json()

    await log_in(employee(world.coordinator))
    created = await client.post(
        world.url("/actions"),
        json=_action(world, goal_ids=[goal["id"]], responsible_employee_id=str(world.nurse.id)),
    )
    assert created.status_code == 201, created.text
    action = created.json()
    assert action["status"] == "planned" and action["version"] == 1
    assert action["responsible_employee_id"] == str(world.nurse.id)
    assert created.headers["location"] == world.url(f"/actions/{action['id']}")
    assert created.headers["etag"] == '"1"'

    await log_in(employee(world.nurse))
    read = await client.get(created.headers["location"])
    assert read.status_code == 200 and read.headers["etag"] == '"1"'
    detail = read.json()
    assert detail["goal_ids"] == [goal["id"]]
    assert detail["unit"] == "Hjemmetjenesten" and detail["person"] == world.nurse.name
    assert detail["can"] == {"update": True, "comment": True}
    started = await client.post(
        world.url(f"/actions/{action['id']}/status"),
        json={"status": "ongoing"},
        headers=if_match(1),
    )
    assert started.status_code == 200, started.text
    assert started.json()["status"] == "ongoing" and started.headers["etag"] == '"2"'
    changed = await client.put(
        world.url(f"/actions/{action['id']}"),
        json=_action(world, status="ongoing", extent="Hver dag", goal_ids=[goal["id"]]),
        headers=if_match(2),
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["extent"] == "Hver dag" and changed.headers["etag"] == '"3"'

    note = await client.post(
        world.url(f"/actions/{action['id']}/notes"), json={"text": "Første besøk gikk fint"}
    )
    assert note.status_code == 201, note.text
    assert note.json()["kind"] == "progress"
    assert note.json()["author_unit_id"] == str(world.home_care.id)
    assert note.headers["location"] == world.url(f"/notes/{note.json()['id']}")
    corrected = await client.patch(
        world.url(f"/notes/{note.json()['id']}"),
        json={"text": "Første besøk gikk bra"},
        headers=if_match(1),
    )
    assert corrected.status_code == 200 and corrected.json()["text"] == "Første besøk gikk bra"
    assert corrected.headers["etag"] == '"2"'

    await log_in(citizen(world.owner))
    plan = (await client.get(world.url("/plan"))).json()
    [under_goal] = plan["goals"][0]["actions"]
    assert under_goal["id"] == action["id"] and under_goal["extent"] == "Hver dag"
    assert [(n["text"], n["kind"], n["can"]["edit"]) for n in under_goal["notes"]] == [
        ("Første besøk gikk bra", "progress", False)
    ]
    comment = await client.post(world.url(f"/actions/{action['id']}/notes"), json={"text": "Takk"})
    assert comment.status_code == 201 and comment.json()["kind"] == "comment"
    # The owner comments but does not get to correct the nurse's note.
    refused = await client.patch(
        world.url(f"/notes/{note.json()['id']}"), json={"text": "Nei"}, headers=if_match(2)
    )
    problem(refused, 403)


async def test_r_plan_4_a_provider_changes_only_the_actions_of_their_own_unit(
    client: httpx.AsyncClient, world: PlanWorld, log_in: LogIn
) -> None:
    await log_in(employee(world.coordinator))
    physio = (
        await client.post(
            world.url("/actions"),
            json=_action(world, title="Trening", responsible_unit_id=str(world.physio.id)),
        )
    ).json()
    home = (await client.post(world.url("/actions"), json=_action(world))).json()

    await log_in(employee(world.nurse))
    plan = (await client.get(world.url("/plan"))).json()
    flags = {a["title"]: a["can"]["update"] for a in plan["loose_actions"]}
    assert flags == {"Trening": False, "Hjemmebesøk": True}
    status = await client.post(
        world.url(f"/actions/{physio['id']}/status"), json={"status": "done"}, headers=if_match(1)
    )
    problem(status, 403, "not_allowed")
    change = await client.put(
        world.url(f"/actions/{physio['id']}"),
        json=_action(world, title="Trening"),
        headers=if_match(1),
    )
    problem(change, 403, "not_allowed")
    # Nor may she make one for the other unit, or move her own there.
    made = await client.post(
        world.url("/actions"), json=_action(world, responsible_unit_id=str(world.physio.id))
    )
    problem(made, 403, "not_allowed")
    moved = await client.put(
        world.url(f"/actions/{home['id']}"),
        json=_action(world, responsible_unit_id=str(world.physio.id)),
        headers=if_match(1),
    )
    problem(moved, 403, "not_allowed")
    own = await client.post(
        world.url(f"/actions/{home['id']}/status"), json={"status": "ongoing"}, headers=if_match(1)
    )
    assert own.status_code == 200, own.text
    untouched = (await client.get(world.url(f"/actions/{physio['id']}"))).json()
    assert untouched["status"] == "planned" and untouched["version"] == 1


async def test_the_coordinator_changes_any_units_action_and_the_owner_only_comments(
    client: httpx.AsyncClient, world: PlanWorld, log_in: LogIn
) -> None:
    """access.md: the owner's side has "comment only" on an action's status."""
    await log_in(employee(world.coordinator))
    action = (
        await client.post(
            world.url("/actions"), json=_action(world, responsible_unit_id=str(world.physio.id))
        )
    ).json()
    paused = await client.post(
        world.url(f"/actions/{action['id']}/status"), json={"status": "paused"}, headers=if_match(1)
    )
    assert paused.status_code == 200, paused.text
    assert paused.json()["status"] == "paused"
    await log_in(citizen(world.owner))
    refused = await client.post(
        world.url(f"/actions/{action['id']}/status"), json={"status": "done"}, headers=if_match(2)
    )
    problem(refused, 403, "not_allowed")
    shown = (await client.get(world.url(f"/actions/{action['id']}"))).json()
    assert shown["can"] == {"update": False, "comment": True}


async def test_an_unknown_action_is_404(
    client: httpx.AsyncClient, world: PlanWorld, log_in: LogIn
) -> None:
    await log_in(citizen(world.owner))
    missing = await client.get(world.url(f"/actions/{world.plan.id}"))
    problem(missing, 404, "item_not_found")
