"""R-SAFE-2 through the API: ETags on reads and writes; If-Match required on every change,
412 with the current version when someone saved in between."""

from __future__ import annotations

import httpx
import pytest

from tests.api_plan.conftest import LogIn, PlanWorld, if_match, problem
from tests.support.logins import citizen, employee


@pytest.fixture
async def goal(client: httpx.AsyncClient, world: PlanWorld, log_in: LogIn) -> dict[str, str]:
    await log_in(citizen(world.owner))
    created: dict[str, str] = (await client.post(world.url("/goals"), json={"text": "Mål"})).json()
    return created


async def test_r_safe_2_a_change_without_if_match_is_428(
    client: httpx.AsyncClient, world: PlanWorld, goal: dict[str, str]
) -> None:
    missing = await client.patch(
        world.url(f"/goals/{goal['id']}"), json={"text": "Nytt", "due_date": None}
    )
    body = problem(missing, 428, "precondition_required")
    assert "If-Match" in str(body["detail"])
    empty = await client.post(
        world.url(f"/goals/{goal['id']}/status"),
        json={"status": "active"},
        headers={"If-Match": ""},
    )
    problem(empty, 428, "precondition_required")
    read = (await client.get(world.url(f"/goals/{goal['id']}"))).json()
    assert read["text"] == "Mål" and read["version"] == 1


@pytest.mark.parametrize("header", ["*", 'W/"1"', '"1", "2"', "one", '"-1"', '"1', '"1234567890"'])
async def test_r_safe_2_an_unreadable_if_match_is_412(
    client: httpx.AsyncClient, world: PlanWorld, goal: dict[str, str], header: str
) -> None:
    refused = await client.patch(
        world.url(f"/goals/{goal['id']}"),
        json={"text": "Nytt", "due_date": None},
        headers={"If-Match": header},
    )
    problem(refused, 412, "bad_if_match")


async def test_r_safe_2_the_second_of_two_changes_from_the_same_version_is_412(
    client: httpx.AsyncClient, world: PlanWorld, log_in: LogIn, goal: dict[str, str]
) -> None:
    """The owner and the coordinator both opened version 1; the second save is refused with
    the version now current, and nothing the first one saved is lost."""
    first = await client.patch(
        world.url(f"/goals/{goal['id']}"),
        json={"text": "Eierens ord", "due_date": None},
        headers=if_match(1),
    )
    assert first.status_code == 200 and first.headers["etag"] == '"2"'
    second = await client.post(
        world.url(f"/goals/{goal['id']}/status"), json={"status": "active"}, headers=if_match(1)
    )
    body = problem(second, 412, "stale_version")
    assert body["current_version"] == 2 and body["detail"]
    # Unquoted versions are forgiven.
    third = await client.post(
        world.url(f"/goals/{goal['id']}/status"),
        json={"status": "active"},
        headers={"If-Match": "2"},
    )
    assert third.status_code == 200 and third.headers["etag"] == '"3"'
    read = await client.get(world.url(f"/goals/{goal['id']}"))
    assert read.json()["text"] == "Eierens ord" and read.headers["etag"] == '"3"'


async def test_r_safe_2_every_versioned_change_answers_412_with_the_current_version(
    client: httpx.AsyncClient, world: PlanWorld, log_in: LogIn, goal: dict[str, str]
) -> None:
    review = (
        await client.post(
            world.url(f"/goals/{goal['id']}/reviews"), json={"assessment": "partly", "text": "Ok"}
        )
    ).json()
    contribution = (
        await client.post(world.url("/contributions"), json={"contributor": "owner", "text": "x"})
    ).json()
    await log_in(employee(world.coordinator))
    action = (
        await client.post(
            world.url("/actions"),
            json={"title": "Tiltak", "responsible_unit_id": str(world.home_care.id)},
        )
    ).json()
    note = (
        await client.post(world.url(f"/actions/{action['id']}/notes"), json={"text": "Notat"})
    ).json()
    cooperation = (await client.post(world.url("/cooperation"), json={"partner": "NAV"})).json()
    sub_plan = (
        await client.post(world.url("/sub-plans"), json={"kind": "other", "title": "Plan"})
    ).json()
    plan_version = int((await client.get(world.url("/plan"))).headers["etag"].strip('"'))
    stale = if_match(0)
    attempts = {
        "action": await client.put(
            world.url(f"/actions/{action['id']}"),
            json={"title": "Nytt", "responsible_unit_id": str(world.home_care.id)},
            headers=stale,
        ),
        "action status": await client.post(
            world.url(f"/actions/{action['id']}/status"), json={"status": "done"}, headers=stale
        ),
        "note": await client.patch(
            world.url(f"/notes/{note['id']}"), json={"text": "y"}, headers=stale
        ),
        "cooperation": await client.patch(
            world.url(f"/cooperation/{cooperation['id']}"), json={"withdrawn": True}, headers=stale
        ),
        "sub-plan": await client.patch(
            world.url(f"/sub-plans/{sub_plan['id']}"), json={"withdrawn": True}, headers=stale
        ),
        "dates": await client.put(
            world.url("/frame/dates"),
            json={
                "period_start": "2027-01-01",
                "period_end": "2027-12-31",
                "revision_date": "2027-06-01",
            },
            headers=if_match(plan_version + 5),
        ),
        "contribution": await client.patch(
            world.url(f"/contributions/{contribution['id']}"),
            json={"withdrawn": True},
            headers=stale,
        ),
    }
    expected = {
        "action": 1,
        "action status": 1,
        "note": 1,
        "cooperation": 1,
        "sub-plan": 1,
        "dates": plan_version,
        "contribution": 1,
    }
    found = {
        name: problem(r, 412, "stale_version")["current_version"] for name, r in attempts.items()
    }
    assert found == expected
    await log_in(citizen(world.owner))
    review_change = await client.patch(
        world.url(f"/reviews/{review['id']}"),
        json={"assessment": "on_track", "text": "Bra"},
        headers=if_match(7),
    )
    assert problem(review_change, 412, "stale_version")["current_version"] == 1
