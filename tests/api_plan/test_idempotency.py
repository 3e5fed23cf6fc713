"""R-SAFE-3 (quality.md R3) through the API: a create sent again with the same Idempotency-Key
is stored once and answered the same (copies sent at once: test_at_once.py)."""

from __future__ import annotations

import uuid

import httpx

from tests.api_plan.conftest import LogIn, PlanWorld, problem
from tests.support.logins import citizen, employee

Post = tuple[str, dict[str, object]]


async def _creates(client: httpx.AsyncClient, world: PlanWorld, log_in: LogIn) -> list[Post]:
    """One create of every kind, each on something that exists (as the coordinator)."""
    await log_in(citizen(world.owner))
    goal = (await client.post(world.url("/goals"), json={"text": "Mål"})).json()
    await log_in(employee(world.coordinator))
    action = (
        await client.post(
            world.url("/actions"),
            json={"title": "Tiltak", "responsible_unit_id": str(world.home_care.id)},
        )
    ).json()
    return [
        ("/goals", {"text": "Nytt mål"}),
        (f"/goals/{goal['id']}/reviews", {"assessment": "partly", "text": "Går greit"}),
        ("/actions", {"title": "Nytt", "responsible_unit_id": str(world.home_care.id)}),
        (f"/actions/{action['id']}/notes", {"text": "Notat"}),
        ("/contributions", {"contributor": "owner", "text": "Jeg handler"}),
        ("/cooperation", {"partner": "NAV"}),
        ("/sub-plans", {"kind": "iop", "title": "IOP"}),
    ]


def _count(plan: dict[str, object], tail: str) -> int:
    goals = [
        g
        for key in ("goals", "proposed_goals", "other_goals")
        for g in plan[key]  # type: ignore[attr-defined]
    ]
    actions = [a for g in goals for a in g["actions"]] + list(plan["loose_actions"])  # type: ignore[call-overload]
    unique_actions = {a["id"]: a for a in actions}.values()
    counts = {
        "/goals": len(goals),
        "/reviews": sum(len(g["reviews"]) for g in goals),
        "/actions": len(unique_actions),
        "/notes": sum(len(a["notes"]) for a in unique_actions),
        "/contributions": len(plan["contributions"]),  # type: ignore[arg-type]
        "/cooperation": len(plan["cooperation"]),  # type: ignore[arg-type]
        "/sub-plans": len(plan["sub_plans"]),  # type: ignore[arg-type]
    }
    return next(count for suffix, count in counts.items() if tail.endswith(suffix))


async def test_r_safe_3_the_same_create_three_times_in_a_row_is_stored_once(
    client: httpx.AsyncClient, world: PlanWorld, log_in: LogIn
) -> None:
    for tail, body in await _creates(client, world, log_in):
        before = _count((await client.get(world.url("/plan"))).json(), tail)
        key = {"Idempotency-Key": f"retry-{uuid.uuid4()}"}
        answers = [await client.post(world.url(tail), json=body, headers=key) for _ in range(3)]
        assert {a.status_code for a in answers} == {201}, [a.text for a in answers]
        assert len({a.content for a in answers}) == 1, tail
        assert len({(a.headers["etag"], a.headers["location"]) for a in answers}) == 1
        after = _count((await client.get(world.url("/plan"))).json(), tail)
        assert after == before + 1, tail


async def test_r_safe_3_a_key_used_again_for_another_body_is_refused(
    client: httpx.AsyncClient, world: PlanWorld, log_in: LogIn
) -> None:
    await log_in(citizen(world.owner))
    key = {"Idempotency-Key": "once"}
    first = await client.post(world.url("/goals"), json={"text": "Mål"}, headers=key)
    assert first.status_code == 201
    other = await client.post(world.url("/goals"), json={"text": "Annet mål"}, headers=key)
    problem(other, 422, "idempotency_key_reused")
    elsewhere = await client.post(
        world.url("/contributions"), json={"contributor": "owner", "text": "Mål"}, headers=key
    )
    problem(elsewhere, 422, "idempotency_key_reused")
    # The same body with other spacing is the same request.
    spaced = await client.post(
        world.url("/goals"),
        content=b'{ "text" :  "M\\u00e5l" }',
        headers={**key, "Content-Type": "application/json"},
    )
    assert spaced.status_code == 201 and spaced.content == first.content
    plan = (await client.get(world.url("/plan"))).json()
    assert [g["text"] for g in plan["goals"]] == ["Mål"] and plan["contributions"] == []


async def test_r_safe_3_keys_are_per_person_and_optional(
    client: httpx.AsyncClient, world: PlanWorld, log_in: LogIn
) -> None:
    key = {"Idempotency-Key": "shared-key"}
    await log_in(citizen(world.owner))
    mine = await client.post(world.url("/goals"), json={"text": "Mål"}, headers=key)
    await log_in(employee(world.coordinator))
    theirs = await client.post(world.url("/goals"), json={"text": "Mål"}, headers=key)
    assert mine.status_code == theirs.status_code == 201
    assert mine.json()["id"] != theirs.json()["id"]
    # Without a key nothing is remembered: two sends are two goals.
    await client.post(world.url("/goals"), json={"text": "Uten nøkkel"})
    await client.post(world.url("/goals"), json={"text": "Uten nøkkel"})
    plan = (await client.get(world.url("/plan"))).json()
    assert len(plan["goals"]) + len(plan["proposed_goals"]) == 4


async def test_r_safe_3_a_create_refused_by_the_service_can_be_sent_again(
    client: httpx.AsyncClient, world: PlanWorld, log_in: LogIn
) -> None:
    """The key is claimed in the write's own transaction: a refusal claims nothing."""
    await log_in(employee(world.coordinator))
    key = {"Idempotency-Key": "after-refusal"}
    body = {"title": "Tiltak", "responsible_unit_id": str(uuid.uuid4())}
    problem(await client.post(world.url("/actions"), json=body, headers=key), 422, "unknown_unit")
    problem(await client.post(world.url("/actions"), json=body, headers=key), 422, "unknown_unit")
