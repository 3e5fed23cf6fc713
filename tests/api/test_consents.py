"""The consent API: the same service as the pages, problem details on errors (R-CON, R-SAFE-1)."""

from __future__ import annotations

from dataclasses import replace

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession

from app.people.identity_numbers import make_synthetic_identity_number
from app.settings import Settings
from tests.consents.world import World, citizen, log_in, make_world
from tests.support.clock import FrozenClock
from tests.support.logins import log_in_as

PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
async def world(session: AsyncSession, clock: FrozenClock, app: FastAPI) -> World:
    # The app's own key, so people typed into a form are found, not registered twice.
    return await make_world(session, clock, vault=app.state.pid_vault)


async def _invite(client: httpx.AsyncClient, world: World, grants: list[dict[str, str]]) -> str:
    number = make_synthetic_identity_number(world.relative.birth_date, serial=2)
    response = await client.post(
        f"/api/v1/plans/{world.plan.id}/participants",
        json={
            "identity_number": number,
            "given_name": "Rita",
            "family_name": "Person",
            "grants": grants,
        },
    )
    assert response.status_code == 201, response.text
    assert number not in response.text
    participant_id: str = response.json()["id"]
    return participant_id


async def test_r_con_3_the_owner_withdraws_and_the_relatives_next_request_is_refused(
    client: httpx.AsyncClient,
    session: AsyncSession,
    settings: Settings,
    clock: FrozenClock,
    world: World,
) -> None:
    await log_in(client, session, settings, clock, person=world.owner)
    await _invite(client, world, [{"part": "goals_actions", "mode": "read"}])
    overview = (await client.get(f"/api/v1/plans/{world.plan.id}/access")).json()
    [participant] = overview["participants"]
    [grant] = participant["grants"]
    assert grant["in_force"] is True and overview["can_manage_grants"] is True

    relative = httpx.AsyncClient(transport=client._transport, base_url=str(client.base_url))
    await log_in(relative, session, settings, clock, person=world.relative)
    listed = (await relative.get("/api/v1/plans")).json()
    assert [item["id"] for item in listed] == [str(world.plan.id)]

    withdrawn = await client.post(f"/api/v1/plans/{world.plan.id}/grants/{grant['id']}/withdraw")
    assert withdrawn.status_code == 200 and withdrawn.json()["in_force"] is False
    assert (await relative.get("/api/v1/plans")).json() == []
    refused = await relative.get(f"/api/v1/plans/{world.plan.id}/access")
    assert refused.status_code == 404
    assert refused.headers["content-type"].startswith("application/problem+json")
    await relative.aclose()


async def test_bad_input_gets_a_problem_and_keeps_what_was_saved(
    client: httpx.AsyncClient,
    session: AsyncSession,
    settings: Settings,
    clock: FrozenClock,
    world: World,
) -> None:
    await log_in(client, session, settings, clock, person=world.owner)
    participant_id = await _invite(client, world, [{"part": "notes", "mode": "read"}])
    past = await client.post(
        f"/api/v1/plans/{world.plan.id}/grants",
        json={
            "participant_id": participant_id,
            "part": "messages",
            "mode": "read",
            "valid_until": "2020-01-01",
        },
    )
    assert past.status_code == 422 and past.json()["type"] == "urn:samplan:problem:end_in_past"
    stranger = await client.post(
        f"/api/v1/plans/{world.plan.id}/grants",
        json={"participant_id": str(world.plan.id), "part": "messages", "mode": "read"},
    )
    assert (
        stranger.status_code == 422
        and stranger.json()["type"] == "urn:samplan:problem:not_in_group"
    )
    bad_number = await client.post(
        f"/api/v1/plans/{world.plan.id}/participants",
        json={"identity_number": "01010112345", "given_name": "A", "family_name": "B"},
    )
    assert bad_number.status_code == 422 and "01010112345" not in bad_number.text
    overview = (await client.get(f"/api/v1/plans/{world.plan.id}/access")).json()
    assert [g["part"] for g in overview["participants"][0]["grants"]] == ["notes"]


async def test_a_coordinator_records_paper_consent_and_the_ke_verifies_it(
    client: httpx.AsyncClient,
    session: AsyncSession,
    settings: Settings,
    clock: FrozenClock,
    world: World,
) -> None:
    await log_in(client, session, settings, clock, staff=world.coordinator)
    added = await client.post(
        f"/api/v1/plans/{world.plan.id}/participants/employees",
        json={"employee_id": str(world.nurse.id), "unit_id": str(world.home_care.id)},
    )
    assert added.status_code == 201, added.text
    not_pdf = await client.post(
        f"/api/v1/plans/{world.plan.id}/paper-consents",
        data={"participant_id": added.json()["id"], "parts": ["goals_actions"], "mode": "read"},
        files={"form": ("form.pdf", b"not a pdf", "application/pdf")},
    )
    assert not_pdf.status_code == 422
    recorded = await client.post(
        f"/api/v1/plans/{world.plan.id}/paper-consents",
        data={"participant_id": added.json()["id"], "parts": ["goals_actions"], "mode": "read"},
        files={"form": ("samtykke.pdf", PDF, "application/pdf")},
    )
    assert recorded.status_code == 201, recorded.text
    [grant] = recorded.json()
    assert grant["awaiting_verification"] is True and grant["in_force"] is False
    same = await client.post(f"/api/v1/plans/{world.plan.id}/grants/{grant['id']}/verify")
    assert same.status_code == 422 and same.json()["type"] == "urn:samplan:problem:same_employee"
    await log_in(client, session, settings, clock, staff=world.ke)
    verified = await client.post(f"/api/v1/plans/{world.plan.id}/grants/{grant['id']}/verify")
    assert verified.status_code == 200 and verified.json()["in_force"] is True


async def test_an_invitation_link_lets_someone_join_once(
    client: httpx.AsyncClient,
    session: AsyncSession,
    settings: Settings,
    clock: FrozenClock,
    world: World,
) -> None:
    await log_in(client, session, settings, clock, person=world.owner)
    made = await client.post(
        f"/api/v1/plans/{world.plan.id}/invitations",
        json={"grants": [{"part": "meetings", "mode": "read"}]},
    )
    assert made.status_code == 201
    link = made.json()["link"]
    token = link.rsplit("/", 1)[1]
    assert (await client.get(f"/api/v1/plans/{world.plan.id}/access")).json()["invitations"][0][
        "link"
    ] is None  # shown once
    await log_in(client, session, settings, clock, person=world.stranger)
    accepted = await client.post("/api/v1/invitations/accept", json={"token": token})
    assert accepted.status_code == 201
    again = await client.post("/api/v1/invitations/accept", json={"token": token})
    assert again.status_code == 404


async def test_r_con_4_consent_changes_need_a_login_at_level_high(
    client: httpx.AsyncClient,
    session: AsyncSession,
    settings: Settings,
    clock: FrozenClock,
    world: World,
) -> None:
    substantial = replace(citizen(world.owner), login_level="idporten-loa-substantial")
    await log_in_as(client, session, settings, clock, substantial)
    # Reading is fine at a lower level (an installation may allow it) ...
    assert (await client.get(f"/api/v1/plans/{world.plan.id}/access")).status_code == 200
    # ... but consent is given at level high only.
    refused = await client.post(
        f"/api/v1/plans/{world.plan.id}/invitations",
        json={"grants": [{"part": "notes", "mode": "read"}]},
    )
    assert refused.status_code == 403
    assert refused.json()["type"] == "urn:samplan:problem:needs_high_level"
    await log_in(client, session, settings, clock, person=world.owner)
    allowed = await client.post(
        f"/api/v1/plans/{world.plan.id}/invitations",
        json={"grants": [{"part": "notes", "mode": "read"}]},
    )
    assert allowed.status_code == 201
