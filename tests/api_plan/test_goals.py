"""Goals and reviews through the API (R-PLAN-3): the owner's goals; others propose."""

from __future__ import annotations

from datetime import date

import httpx

from tests.api_plan.conftest import LogIn, PlanWorld, if_match, problem
from tests.support.logins import citizen, employee


async def test_the_owner_writes_a_goal_and_a_sub_goal_and_reads_them_back(
    client: httpx.AsyncClient, world: PlanWorld, log_in: LogIn
) -> None:
    await log_in(citizen(world.owner))
    added = await client.post(
        world.url("/goals"), json={"text": "Bo hjemme", "due_date": "2027-06-01"}
    )
    assert added.status_code == 201, added.text
    goal = added.json()
    assert goal["status"] == "accepted" and goal["version"] == 1
    assert added.headers["etag"] == '"1"'
    assert added.headers["location"] == world.url(f"/goals/{goal['id']}")
    sub = await client.post(world.url("/goals"), json={"text": "Lage mat", "parent_id": goal["id"]})
    assert sub.status_code == 201 and sub.json()["parent_id"] == goal["id"]

    read = await client.get(added.headers["location"])
    assert read.status_code == 200 and read.headers["etag"] == '"1"'
    body = read.json()
    assert body["text"] == "Bo hjemme" and body["due_date"] == "2027-06-01"
    assert body["proposer"] == world.owner.display_name
    assert body["can"] == {"edit": True, "decide": True, "review": True}
    assert body["next_statuses"] == ["active", "achieved", "stopped"]
    assert [s["text"] for s in body["sub_goals"]] == ["Lage mat"]


async def test_r_plan_3_the_coordinator_proposes_and_the_owner_accepts(
    client: httpx.AsyncClient, world: PlanWorld, log_in: LogIn
) -> None:
    await log_in(employee(world.coordinator))
    proposed = (
        await client.post(world.url("/goals"), json={"text": "Trene to ganger i uka"})
    ).json()
    assert proposed["status"] == "proposed"
    own_view = (await client.get(world.url(f"/goals/{proposed['id']}"))).json()
    assert own_view["can"]["decide"] is False and own_view["can"]["edit"] is True
    refused = await client.post(
        world.url(f"/goals/{proposed['id']}/status"),
        json={"status": "accepted"},
        headers=if_match(1),
    )
    problem(refused, 403, "not_allowed")

    await log_in(citizen(world.owner))
    plan = (await client.get(world.url("/plan"))).json()
    assert [g["id"] for g in plan["proposed_goals"]] == [proposed["id"]]
    assert plan["proposed_goals"][0]["next_statuses"] == ["accepted", "declined"]
    accepted = await client.post(
        world.url(f"/goals/{proposed['id']}/status"),
        json={"status": "accepted"},
        headers=if_match(1),
    )
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["status"] == "accepted" and accepted.headers["etag"] == '"2"'
    assert accepted.json()["decided_at"] is not None
    plan = (await client.get(world.url("/plan"))).json()
    assert plan["proposed_goals"] == []
    assert [g["text"] for g in plan["goals"]] == ["Trene to ganger i uka"]


async def test_the_owner_changes_the_words_and_the_due_date(
    client: httpx.AsyncClient, world: PlanWorld, log_in: LogIn
) -> None:
    await log_in(citizen(world.owner))
    goal = (await client.post(world.url("/goals"), json={"text": "Gå tur"})).json()
    changed = await client.patch(
        world.url(f"/goals/{goal['id']}"),
        json={"text": "Gå tur hver dag", "due_date": "2027-01-31"},
        headers=if_match(goal["version"]),
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["text"] == "Gå tur hver dag"
    assert changed.json()["due_date"] == "2027-01-31"
    assert changed.headers["etag"] == f'"{changed.json()["version"]}"' == '"2"'
    # PATCH needs both members, so a forgotten due date is never cleared by accident.
    half = await client.patch(
        world.url(f"/goals/{goal['id']}"), json={"text": "x"}, headers=if_match(2)
    )
    problem(half, 422, "invalid_input")


async def test_reviews_are_added_and_corrected_by_their_author_only(
    client: httpx.AsyncClient, world: PlanWorld, log_in: LogIn
) -> None:
    await log_in(citizen(world.owner))
    goal = (await client.post(world.url("/goals"), json={"text": "Sove bedre"})).json()
    added = await client.post(
        world.url(f"/goals/{goal['id']}/reviews"),
        json={"assessment": "partly", "text": "Bedre enn før", "reviewed_on": "2026-11-20"},
    )
    assert added.status_code == 201, added.text
    review = added.json()
    assert review["goal_id"] == goal["id"] and review["reviewed_on"] == "2026-11-20"
    assert added.headers["location"] == world.url(f"/reviews/{review['id']}")
    changed = await client.patch(
        world.url(f"/reviews/{review['id']}"),
        json={"assessment": "on_track", "text": "Mye bedre"},
        headers=if_match(review["version"]),
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["assessment"] == "on_track"
    assert changed.json()["reviewed_on"] == "2026-11-20"  # kept when not sent
    assert changed.headers["etag"] == '"2"'
    shown = (await client.get(world.url(f"/goals/{goal['id']}"))).json()
    assert [(r["text"], r["can"]["edit"]) for r in shown["reviews"]] == [("Mye bedre", True)]

    await log_in(employee(world.coordinator))
    shown = (await client.get(world.url(f"/goals/{goal['id']}"))).json()
    assert shown["reviews"][0]["can"]["edit"] is False
    refused = await client.patch(
        world.url(f"/reviews/{review['id']}"),
        json={"assessment": "not_yet", "text": "Nei"},
        headers=if_match(2),
    )
    problem(refused, 403)


async def test_a_review_in_the_future_or_of_a_proposal_is_refused(
    client: httpx.AsyncClient, world: PlanWorld, log_in: LogIn
) -> None:
    await log_in(employee(world.coordinator))
    proposal = (await client.post(world.url("/goals"), json={"text": "Forslag"})).json()
    await log_in(citizen(world.owner))
    not_yet = await client.post(
        world.url(f"/goals/{proposal['id']}/reviews"), json={"assessment": "partly", "text": "x"}
    )
    problem(not_yet, 422, "goal_not_reviewable")
    goal = (await client.post(world.url("/goals"), json={"text": "Mål"})).json()
    future = await client.post(
        world.url(f"/goals/{goal['id']}/reviews"),
        json={"assessment": "partly", "text": "x", "reviewed_on": str(date(2030, 1, 1))},
    )
    assert problem(future, 422, "review_in_future")["field"] == "reviewed_on"
