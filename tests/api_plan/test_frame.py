"""The plan's frame through the API: dates, contributions, cooperation, sub-plans, closing
(R-PLAN-1, R-PLAN-6, R-PLAN-7)."""

from __future__ import annotations

import httpx

from tests.api_plan.conftest import LogIn, PlanWorld, if_match, problem
from tests.support.logins import citizen, employee


async def _plan_version(client: httpx.AsyncClient, world: PlanWorld) -> int:
    return int((await client.get(world.url("/plan"))).headers["etag"].strip('"'))


async def test_the_coordinator_sets_the_period_and_revision_date(
    client: httpx.AsyncClient, world: PlanWorld, log_in: LogIn
) -> None:
    await log_in(employee(world.coordinator))
    version = await _plan_version(client, world)
    dates = {
        "period_start": "2027-01-01",
        "period_end": "2027-12-31",
        "revision_date": "2027-06-30",
    }
    set_ = await client.put(world.url("/frame/dates"), json=dates, headers=if_match(version))
    assert set_.status_code == 200, set_.text
    frame = set_.json()
    assert frame["revision_date"] == "2027-06-30" and frame["version"] == version + 1
    assert set_.headers["etag"] == f'"{version + 1}"'
    again = await client.put(world.url("/frame/dates"), json=dates, headers=if_match(version))
    assert problem(again, 412, "stale_version")["current_version"] == version + 1

    outside = {**dates, "revision_date": "2028-01-01"}
    refused = await client.put(
        world.url("/frame/dates"), json=outside, headers=if_match(version + 1)
    )
    assert problem(refused, 422, "revision_outside")["field"] == "revision_date"
    backwards = {**dates, "period_end": "2026-12-31"}
    refused = await client.put(
        world.url("/frame/dates"), json=backwards, headers=if_match(version + 1)
    )
    assert problem(refused, 422, "end_before_start")["field"] == "period_end"

    await log_in(citizen(world.owner))
    problem(
        await client.put(world.url("/frame/dates"), json=dates, headers=if_match(version + 1)),
        403,
        "not_allowed",
    )


async def test_contributions_are_written_changed_and_withdrawn(
    client: httpx.AsyncClient, world: PlanWorld, log_in: LogIn
) -> None:
    await log_in(employee(world.nurse))
    added = await client.post(
        world.url("/contributions"),
        json={"contributor": "service", "unit_id": str(world.home_care.id), "text": "Tilsyn"},
    )
    assert added.status_code == 201, added.text
    item = added.json()
    assert item["unit_id"] == str(world.home_care.id) and added.headers["etag"] == '"1"'
    assert added.headers["location"] == world.url(f"/contributions/{item['id']}")
    changed = await client.patch(
        added.headers["location"],
        json={
            "contributor": "service",
            "unit_id": str(world.home_care.id),
            "text": "Tilsyn daglig",
        },
        headers=if_match(1),
    )
    assert changed.status_code == 200 and changed.json()["text"] == "Tilsyn daglig"
    withdrawn = await client.patch(
        added.headers["location"], json={"withdrawn": True}, headers=if_match(2)
    )
    assert withdrawn.status_code == 200 and withdrawn.json()["withdrawn_at"] is not None
    assert withdrawn.headers["etag"] == '"3"'
    plan = (await client.get(world.url("/plan"))).json()
    assert plan["contributions"] == []

    both = await client.patch(
        added.headers["location"], json={"withdrawn": True, "text": "x"}, headers=if_match(3)
    )
    problem(both, 422, "invalid_input")
    service_without_unit = await client.post(
        world.url("/contributions"), json={"contributor": "service", "text": "Hjelp"}
    )
    assert problem(service_without_unit, 422, "no_unit")["field"] == "unit_id"


async def test_cooperation_and_sub_plans_are_kept_by_the_coordinator(
    client: httpx.AsyncClient, world: PlanWorld, log_in: LogIn
) -> None:
    await log_in(employee(world.coordinator))
    nav = await client.post(
        world.url("/cooperation"),
        json={"partner": "NAV", "description": "Arbeidsavklaring", "contact": "Veileder"},
    )
    assert nav.status_code == 201, nav.text
    assert nav.headers["location"] == world.url(f"/cooperation/{nav.json()['id']}")
    changed = await client.patch(
        nav.headers["location"], json={"partner": "NAV Vest"}, headers=if_match(1)
    )
    assert changed.status_code == 200 and changed.json()["partner"] == "NAV Vest"
    assert changed.json()["description"] == ""  # the whole entry is sent, as for a new one
    gone = await client.patch(
        nav.headers["location"], json={"withdrawn": True}, headers=if_match(2)
    )
    assert gone.status_code == 200 and gone.json()["withdrawn_at"] is not None

    iop = await client.post(
        world.url("/sub-plans"),
        json={"kind": "iop", "title": "IOP 2027", "url": "https://skole.example/iop"},
    )
    assert iop.status_code == 201, iop.text
    assert iop.headers["location"] == world.url(f"/sub-plans/{iop.json()['id']}")
    renamed = await client.patch(
        iop.headers["location"],
        json={"kind": "iop", "title": "IOP 2027/28", "owner_unit": "Skolen"},
        headers=if_match(1),
    )
    assert renamed.status_code == 200 and renamed.json()["owner_unit"] == "Skolen"
    withdrawn = await client.patch(
        iop.headers["location"], json={"withdrawn": True}, headers=if_match(2)
    )
    assert withdrawn.status_code == 200
    bad_link = await client.post(
        world.url("/sub-plans"), json={"kind": "other", "title": "X", "url": "http://x.example"}
    )
    assert problem(bad_link, 422, "bad_url")["field"] == "url"

    await log_in(citizen(world.owner))
    problem(await client.post(world.url("/cooperation"), json={"partner": "NAV"}), 403)


async def test_r_plan_7_a_closed_plan_is_read_only(
    client: httpx.AsyncClient, world: PlanWorld, log_in: LogIn
) -> None:
    await log_in(citizen(world.owner))
    goal = (await client.post(world.url("/goals"), json={"text": "Bo hjemme"})).json()
    asked = await client.post(world.url("/close-request"))
    assert asked.status_code == 200, asked.text
    assert asked.json()["close_requested_at"] is not None
    problem(await client.post(world.url("/close-request")), 409, "close_already_requested")
    problem(await client.post(world.url("/close"), headers=if_match(asked.json()["version"])), 403)

    await log_in(employee(world.ke))
    version = await _plan_version(client, world)
    problem(await client.post(world.url("/close")), 428, "precondition_required")
    closed = await client.post(world.url("/close"), headers=if_match(version))
    assert closed.status_code == 200, closed.text
    assert closed.json()["status"] == "closed" and closed.json()["closed_at"] is not None
    assert closed.headers["etag"] == f'"{version + 1}"'

    await log_in(citizen(world.owner))
    plan = await client.get(world.url("/plan"))
    assert plan.status_code == 200 and plan.json()["frame"]["status"] == "closed"
    [shown] = plan.json()["goals"]
    assert shown["can"] == {"edit": False, "decide": False, "review": False}
    refusals = [
        await client.post(world.url("/goals"), json={"text": "Nytt mål"}),
        await client.patch(
            world.url(f"/goals/{goal['id']}"),
            json={"text": "x", "due_date": None},
            headers=if_match(1),
        ),
        await client.post(
            world.url(f"/goals/{goal['id']}/status"), json={"status": "active"}, headers=if_match(1)
        ),
        await client.put(world.url("/life-situation"), json={"needs": "x"}, headers=if_match(0)),
        await client.post(world.url("/contributions"), json={"contributor": "owner", "text": "x"}),
    ]
    for refused in refusals:
        problem(refused, 409, "plan_closed")
    assert (await client.get(world.url(f"/goals/{goal['id']}"))).json()["text"] == "Bo hjemme"
