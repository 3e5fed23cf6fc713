"""GET /api/v1/plans/{plan_id}/access-log (R-LOG-3, R-AGE-2): JSON and problem details."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import AuditEvent
from app.people.pid_vault import PidVault
from app.settings import Settings
from tests.access_log.world import World, make_world, seal, shield, write_row
from tests.factories import TEST_DATA_KEY
from tests.support.clock import FrozenClock
from tests.support.logins import log_in


@pytest.fixture
async def w(session: AsyncSession, clock: FrozenClock) -> World:
    world = await make_world(session, clock)
    await session.commit()  # a refused request rolls the shared session back to here
    return world


def _url(w: World, plan_id: uuid.UUID | None = None) -> str:
    return f"/api/v1/plans/{plan_id or w.plan.id}/access-log"


async def test_r_log_3_owner_reads_names_units_and_plain_words(
    client: httpx.AsyncClient,
    session: AsyncSession,
    settings: Settings,
    clock: FrozenClock,
    w: World,
) -> None:
    await write_row(session, clock, w.plan, staff=w.coordinator, role="coordinator")
    await write_row(
        session, clock, w.plan, person=w.representative, on_behalf_of=w.owner, action="see_plan"
    )
    await seal(session)
    await log_in(client, session, settings, clock, person=w.owner)
    response = await client.get(_url(w), headers={"Accept-Language": "nb"})
    assert response.status_code == 200
    body = response.json()
    assert body["next_cursor"] is None and body["hidden_shielded"] is False
    by_name = {entry["who"]["name"]: entry for entry in body["entries"]}
    ingrid = by_name["Ingrid Berg"]
    assert ingrid["who"] == {
        "key": f"e:{w.coordinator.id}",
        "kind": "employee",
        "name": "Ingrid Berg",
        "units": ["Hjemmetjenesten"],
        "role": "koordinator",
    }
    assert ingrid["what"] == "Leste kartleggingen av livssituasjonen"
    assert ingrid["outcome"] == "allowed" and ingrid["purpose"] is None
    liv = by_name["Liv Mikkelsen"]
    assert liv["on_behalf_of"] == "deg" and liv["what"] == "Åpnet planen"
    assert {person["key"] for person in body["people"]} == {
        f"e:{w.coordinator.id}",
        f"p:{w.representative.id}",
    }
    # The first read is in the log now, as the owner's own, shown when asked for.
    english = (
        await client.get(_url(w), params={"own": "true"}, headers={"Accept-Language": "en"})
    ).json()
    assert {(entry["who"]["kind"], entry["what"]) for entry in english["entries"]} == {
        ("you", "Read the access log"),
        ("employee", "Read the life situation"),
        ("person", "Opened the plan"),
    }


async def test_r_log_3_filters_by_person_and_period(
    client: httpx.AsyncClient,
    session: AsyncSession,
    settings: Settings,
    clock: FrozenClock,
    w: World,
) -> None:
    clock.set(datetime(2026, 11, 2, 9, 0, tzinfo=UTC))
    await write_row(session, clock, w.plan, staff=w.coordinator)
    clock.set(datetime(2026, 11, 12, 9, 0, tzinfo=UTC))
    await write_row(session, clock, w.plan, staff=w.provider)
    await write_row(session, clock, w.plan, staff=w.coordinator)
    await seal(session)
    clock.set(datetime(2026, 11, 23, 10, 0, tzinfo=UTC))
    await log_in(client, session, settings, clock, person=w.owner)
    chosen = await client.get(_url(w), params={"person": f"e:{w.coordinator.id}"})
    assert [entry["who"]["name"] for entry in chosen.json()["entries"]] == ["Ingrid Berg"] * 2
    period = await client.get(
        _url(w),
        params={"person": f"e:{w.coordinator.id}", "since": "2026-11-10", "until": "2026-11-12"},
    )
    assert len(period.json()["entries"]) == 1
    backwards = await client.get(_url(w), params={"since": "2026-11-12", "until": "2026-11-10"})
    assert backwards.status_code == 422
    assert backwards.json()["type"] == "urn:samplan:problem:invalid_period"


async def test_r_log_3_the_api_pages_through_120_rows_by_cursor(
    client: httpx.AsyncClient,
    session: AsyncSession,
    settings: Settings,
    clock: FrozenClock,
    w: World,
) -> None:
    clock.set(datetime(2026, 10, 1, 8, 0, tzinfo=UTC))
    for number in range(120):
        if number % 4 == 0:
            clock.advance(timedelta(seconds=30))
        await write_row(session, clock, w.plan, staff=w.coordinator)
    await seal(session)
    clock.set(datetime(2026, 11, 23, 10, 0, tzinfo=UTC))
    expected = [
        str(found)
        for found in (
            await session.scalars(
                select(AuditEvent.id)
                .where(AuditEvent.plan_id == w.plan.id)
                .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
            )
        ).all()
    ]
    await log_in(client, session, settings, clock, person=w.owner)
    seen: list[str] = []
    params: dict[str, str] = {"limit": "40"}
    for _ in range(10):
        body = (await client.get(_url(w), params=params)).json()
        # Each request's own read lands at the newest end; the pages behind it do not move.
        seen.extend(entry["id"] for entry in body["entries"] if entry["id"] in expected)
        if body["next_cursor"] is None:
            break
        params = {"limit": "40", "cursor": body["next_cursor"]}
    assert seen == expected


@pytest.mark.parametrize(
    "cursor", ["garbage", "MjAyNi0xMS0wMVQwMDowMDowMCswMDowMHx6eno", "é", "a" * 200]
)
async def test_r_log_3_a_malformed_cursor_is_a_422_problem(
    client: httpx.AsyncClient,
    session: AsyncSession,
    settings: Settings,
    clock: FrozenClock,
    w: World,
    cursor: str,
) -> None:
    await log_in(client, session, settings, clock, person=w.owner)
    response = await client.get(_url(w), params={"cursor": cursor})
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["type"] == "urn:samplan:problem:invalid_cursor"
    assert problem["status"] == 422


async def test_r_log_3_other_bad_input_is_a_422_problem(
    client: httpx.AsyncClient,
    session: AsyncSession,
    settings: Settings,
    clock: FrozenClock,
    w: World,
) -> None:
    await log_in(client, session, settings, clock, person=w.owner)
    for params in (
        {"person": "someone"},
        {"limit": "0"},
        {"limit": "201"},
        {"since": "yesterday"},
        {"outcome": "everything"},
        {"cursor": "a" * 201},
    ):
        response = await client.get(_url(w), params=params)
        assert response.status_code == 422, params
        assert response.headers["content-type"].startswith("application/problem+json")


@pytest.mark.parametrize(
    ("who", "status"),
    [("elsewhere", 404), ("provider", 403), ("relative", 403), ("coordinator", 403), ("ke", 403)],
)
async def test_r_log_3_only_the_owner_side_reads_the_log(
    client: httpx.AsyncClient,
    session: AsyncSession,
    settings: Settings,
    clock: FrozenClock,
    w: World,
    who: str,
    status: int,
) -> None:
    if who == "relative":
        await log_in(client, session, settings, clock, person=w.relative)
    else:
        await log_in(client, session, settings, clock, staff=getattr(w, who))
    response = await client.get(_url(w))
    assert response.status_code == status
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "Mikkelsen" not in response.text


async def test_r_log_3_an_unknown_plan_is_404_and_nobody_logged_in_is_401(
    client: httpx.AsyncClient,
    session: AsyncSession,
    settings: Settings,
    clock: FrozenClock,
    w: World,
) -> None:
    assert (await client.get(_url(w))).status_code == 401
    await log_in(client, session, settings, clock, person=w.owner)
    assert (await client.get(_url(w, uuid.uuid4()))).status_code == 404


async def test_r_log_3_the_ke_reads_for_audit_duty_and_the_owner_sees_a_control_read(
    client: httpx.AsyncClient,
    session: AsyncSession,
    settings: Settings,
    clock: FrozenClock,
    w: World,
) -> None:
    await log_in(client, session, settings, clock, staff=w.ke)
    response = await client.get(_url(w), params={"purpose": "audit_duty"})
    assert response.status_code == 200
    client.cookies.clear()
    await log_in(client, session, settings, clock, person=w.owner)
    body = (await client.get(_url(w), headers={"Accept-Language": "en"})).json()
    [control] = [entry for entry in body["entries"] if entry["who"]["name"] == "Kari Nordmann"]
    assert control["what"] == "Read the access log"
    assert control["purpose"] == "As part of the coordinating unit's control duty"
    assert control["who"]["units"] == ["Koordinerende enhet"]


async def test_r_age_2_a_guardian_of_a_14_year_old_is_told_something_is_hidden(
    client: httpx.AsyncClient,
    session: AsyncSession,
    settings: Settings,
    clock: FrozenClock,
    w: World,
) -> None:
    goal = uuid.uuid4()
    await shield(session, clock, w.youth_plan, goal)
    await write_row(session, clock, w.youth_plan, staff=w.provider, item_id=goal)
    await write_row(session, clock, w.youth_plan, staff=w.coordinator)
    await seal(session)
    await log_in(client, session, settings, clock, person=w.youth_guardian, acting_for=w.youth)
    body = (await client.get(_url(w, w.youth_plan.id))).json()
    assert body["hidden_shielded"] is True
    assert [entry["who"]["name"] for entry in body["entries"]] == ["Ingrid Berg"]
    assert "Ola Hansen" not in str(body)


async def test_r_age_2_a_guardian_of_a_9_year_old_sees_every_row(
    client: httpx.AsyncClient,
    session: AsyncSession,
    settings: Settings,
    clock: FrozenClock,
    w: World,
) -> None:
    goal = uuid.uuid4()
    await shield(session, clock, w.child_plan, goal)
    await write_row(session, clock, w.child_plan, staff=w.provider, item_id=goal)
    await seal(session)
    await log_in(client, session, settings, clock, person=w.child_guardian, acting_for=w.child)
    body = (await client.get(_url(w, w.child_plan.id))).json()
    assert body["hidden_shielded"] is False
    assert [entry["who"]["name"] for entry in body["entries"]] == ["Ola Hansen"]


async def test_r_id_3_no_identity_number_in_the_log(
    client: httpx.AsyncClient,
    session: AsyncSession,
    settings: Settings,
    clock: FrozenClock,
    w: World,
) -> None:
    await write_row(session, clock, w.plan, person=w.relative)
    await seal(session)
    await log_in(client, session, settings, clock, person=w.owner)
    text = (await client.get(_url(w))).text
    vault = PidVault(TEST_DATA_KEY)
    for person in (w.owner, w.relative):
        assert vault.decrypt(person.pid_encrypted) not in text
    assert "Rita Mikkelsen" in text
