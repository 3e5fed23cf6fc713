"""R-SAFE-1 through the API: bad input is a 4xx problem with a clear detail and the field at
fault, never a 500, and what was saved before stays as it was."""

from __future__ import annotations

import uuid

import httpx

from tests.api_plan.conftest import LogIn, PlanWorld, if_match, problem
from tests.support.logins import citizen, employee


async def test_r_safe_1_text_that_is_empty_or_too_long_names_the_field(
    client: httpx.AsyncClient, world: PlanWorld, log_in: LogIn
) -> None:
    await log_in(citizen(world.owner))
    goal = (await client.post(world.url("/goals"), json={"text": "Gå tur"})).json()
    cases = [
        (await client.post(world.url("/goals"), json={"text": "   "}), "empty", "text"),
        (await client.post(world.url("/goals"), json={"text": "x" * 1001}), "too_long", "text"),
        (
            await client.patch(
                world.url(f"/goals/{goal['id']}"),
                json={"text": "", "due_date": None},
                headers=if_match(1),
            ),
            "empty",
            "text",
        ),
        (
            await client.put(
                world.url("/life-situation"), json={"needs": "x" * 4001}, headers=if_match(0)
            ),
            "too_long",
            "needs",
        ),
        (
            await client.post(
                world.url(f"/goals/{goal['id']}/reviews"), json={"assessment": "partly", "text": ""}
            ),
            "empty",
            "text",
        ),
    ]
    for response, code, field in cases:
        body = problem(response, 422, code)
        assert body["field"] == field and body["detail"], body
    read = (await client.get(world.url(f"/goals/{goal['id']}"))).json()
    assert read["text"] == "Gå tur" and read["version"] == 1 and read["reviews"] == []


async def test_r_safe_1_an_action_breaking_the_rules_is_refused_with_the_reason(
    client: httpx.AsyncClient, world: PlanWorld, log_in: LogIn
) -> None:
    await log_in(employee(world.coordinator))
    unit = str(world.home_care.id)
    cases = [
        (
            {
                "title": "T",
                "responsible_unit_id": unit,
                "start_date": "2027-02-01",
                "deadline": "2027-01-01",
            },
            "end_before_start",
            "deadline",
        ),
        ({"title": "T"}, "no_unit", "responsible_unit_id"),
        (
            {"title": "T", "responsible_unit_id": str(uuid.uuid4())},
            "unknown_unit",
            "responsible_unit_id",
        ),
        (
            {
                "title": "T",
                "responsible_unit_id": unit,
                "responsible_employee_id": str(world.ke.id),
            },
            "not_in_unit",
            "responsible_employee_id",
        ),
        (
            {"title": "T", "responsible_unit_id": unit, "goal_ids": [str(uuid.uuid4())]},
            "bad_goal",
            "goal_ids",
        ),
        ({"title": "", "responsible_unit_id": unit}, "empty", "title"),
        ({"title": "x" * 201, "responsible_unit_id": unit}, "too_long", "title"),
        ({"title": "T", "responsible_unit_id": unit, "extent": "x" * 501}, "too_long", "extent"),
    ]
    for body, code, field in cases:
        refused = await client.post(world.url("/actions"), json=body)
        assert problem(refused, 422, code)["field"] == field, body
    plan = (await client.get(world.url("/plan"))).json()
    assert plan["loose_actions"] == []


async def test_r_safe_1_a_goal_status_that_may_not_follow_is_refused(
    client: httpx.AsyncClient, world: PlanWorld, log_in: LogIn
) -> None:
    await log_in(citizen(world.owner))
    goal = (await client.post(world.url("/goals"), json={"text": "Mål"})).json()
    refused = await client.post(
        world.url(f"/goals/{goal['id']}/status"), json={"status": "proposed"}, headers=if_match(1)
    )
    body = problem(refused, 422, "goal_status_not_allowed")
    assert body["field"] == "status"
    unknown = await client.post(
        world.url(f"/goals/{goal['id']}/status"), json={"status": "maybe"}, headers=if_match(1)
    )
    problem(unknown, 422, "invalid_input")
    assert (await client.get(world.url(f"/goals/{goal['id']}"))).json()["status"] == "accepted"


async def test_r_safe_1_malformed_requests_are_422_never_500(
    client: httpx.AsyncClient, world: PlanWorld, log_in: LogIn
) -> None:
    await log_in(citizen(world.owner))
    not_json = await client.post(
        world.url("/goals"), content=b"{text:", headers={"Content-Type": "application/json"}
    )
    problem(not_json, 422, "invalid_input")
    misspelt = await client.post(world.url("/goals"), json={"txt": "Mål"})
    problem(misspelt, 422, "invalid_input")
    sub_of_nothing = await client.post(
        world.url("/goals"), json={"text": "Del", "parent_id": str(uuid.uuid4())}
    )
    problem(sub_of_nothing, 404, "item_not_found")
    bad_key = await client.post(
        world.url("/goals"), json={"text": "Mål"}, headers={"Idempotency-Key": " x"}
    )
    problem(bad_key, 422, "bad_idempotency_key")
    problem(await client.get(world.url("/timeline?kind=everything")), 422, "invalid_input")
    problem(await client.get(world.url("/timeline?limit=0")), 422, "invalid_input")
    cursor = await client.get(world.url("/timeline?before=not-a-cursor"))
    assert problem(cursor, 422, "bad_cursor")["field"] == "before"
    period = await client.get(world.url("/timeline?since=2026-11-23&until=2026-11-01"))
    assert problem(period, 422, "end_before_start")["field"] == "until"
    problem(await client.get(world.url("/goals/not-a-uuid")), 422, "invalid_input")
    assert (await client.get(world.url("/plan"))).json()["goals"] == []
