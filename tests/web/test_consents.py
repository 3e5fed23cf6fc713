"""The "Who can see the plan" page: forms without JavaScript, errors keep what was typed."""

from __future__ import annotations

import re
from datetime import datetime, time

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession

from app.clock import OSLO
from app.people.identity_numbers import make_synthetic_identity_number
from app.settings import Settings
from tests.consents.world import World, log_in, make_world
from tests.support.clock import FrozenClock


@pytest.fixture
async def world(session: AsyncSession, clock: FrozenClock, app: FastAPI) -> World:
    return await make_world(session, clock, vault=app.state.pid_vault)


def _csrf(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([0-9a-f]+)"', html)
    assert match
    return match.group(1)


async def test_the_owner_invites_gives_and_withdraws_access_on_the_page(
    client: httpx.AsyncClient,
    session: AsyncSession,
    settings: Settings,
    clock: FrozenClock,
    world: World,
) -> None:
    await log_in(client, session, settings, clock, person=world.owner)
    plans = await client.get("/plans")
    assert plans.status_code == 200 and f"/plans/{world.plan.id}/access" in plans.text
    page = await client.get(f"/plans/{world.plan.id}/access")
    assert page.status_code == 200
    token = _csrf(page.text)
    number = make_synthetic_identity_number(world.relative.birth_date, serial=2)

    wrong = await client.post(
        f"/plans/{world.plan.id}/access/participants",
        data={
            "csrf_token": token,
            "identity_number": "12345678901",
            "given_name": "Rita",
            "family_name": "Person",
            "relation": "søster",
            "parts": ["goals_actions"],
            "mode": "read",
        },
    )
    assert wrong.status_code == 422
    assert "12345678901" not in wrong.text  # never shown back (R-ID-3)
    assert 'value="Rita"' in wrong.text and 'value="søster"' in wrong.text  # R-SAFE-1

    invited = await client.post(
        f"/plans/{world.plan.id}/access/participants",
        data={
            "csrf_token": token,
            "identity_number": number,
            "given_name": "Rita",
            "family_name": "Person",
            "parts": ["goals_actions"],
            "mode": "read",
        },
    )
    assert invited.status_code == 303
    page = await client.get(invited.headers["location"])
    assert "Rita" in page.text and number not in page.text
    grant_id = re.search(r'id="grant-([0-9a-f-]+)"', page.text)
    assert grant_id
    withdrawn = await client.post(
        f"/plans/{world.plan.id}/access/grants/{grant_id.group(1)}/withdraw",
        data={"csrf_token": token},
    )
    assert withdrawn.status_code == 303
    page = await client.get(withdrawn.headers["location"])
    assert f'id="grant-{grant_id.group(1)}"' not in page.text


async def test_a_stranger_gets_not_found_and_a_provider_without_grant_too(
    client: httpx.AsyncClient,
    session: AsyncSession,
    settings: Settings,
    clock: FrozenClock,
    world: World,
) -> None:
    await log_in(client, session, settings, clock, person=world.stranger)
    assert (await client.get(f"/plans/{world.plan.id}/access")).status_code == 404
    await log_in(client, session, settings, clock, staff=world.nurse)
    assert (await client.get(f"/plans/{world.plan.id}/access")).status_code == 404


async def test_a_guardian_lets_a_14_year_old_read_the_plan(
    client: httpx.AsyncClient,
    session: AsyncSession,
    settings: Settings,
    clock: FrozenClock,
    world: World,
) -> None:
    await log_in(client, session, settings, clock, person=world.parent, acting_for=world.child)
    page = await client.get(f"/plans/{world.child_plan.id}/access")
    assert page.status_code == 200 and "youth-access" in page.text
    given = await client.post(
        f"/plans/{world.child_plan.id}/access/youth-access",
        data={"csrf_token": _csrf(page.text), "on": "true"},
    )
    assert given.status_code == 303
    await log_in(client, session, settings, clock, person=world.child)
    plans = await client.get("/plans")
    assert f"/plans/{world.child_plan.id}/access" in plans.text


async def test_the_coordinator_sees_the_group_and_can_record_paper_consent_but_not_give_grants(
    client: httpx.AsyncClient,
    session: AsyncSession,
    settings: Settings,
    clock: FrozenClock,
    world: World,
) -> None:
    await log_in(client, session, settings, clock, staff=world.coordinator)
    page = await client.get(f"/plans/{world.plan.id}/access")
    assert page.status_code == 200
    assert 'id="paper"' not in page.text  # nobody in the group yet to record it for
    assert 'id="give"' not in page.text and 'id="invite"' not in page.text


async def test_the_coordinator_brings_a_service_in_and_records_its_paper_consent(
    client: httpx.AsyncClient,
    session: AsyncSession,
    settings: Settings,
    clock: FrozenClock,
    world: World,
) -> None:
    await log_in(client, session, settings, clock, staff=world.coordinator)
    page = await client.get(f"/plans/{world.plan.id}/access")
    token = _csrf(page.text)
    added = await client.post(
        f"/plans/{world.plan.id}/access/employees",
        data={"csrf_token": token, "service": f"{world.nurse.id}:{world.home_care.id}"},
    )
    assert added.status_code == 303
    page = await client.get(added.headers["location"])
    assert "Nils Sykepleier" in page.text and 'id="paper"' in page.text
    participant = re.search(r'id="participant-([0-9a-f-]+)"', page.text)
    assert participant
    not_pdf = await client.post(
        f"/plans/{world.plan.id}/access/paper-consents",
        data={"csrf_token": token, "participant_id": participant.group(1), "parts": "notes"},
        files={"signed_form": ("skjema.pdf", b"hello", "application/pdf")},
    )
    assert not_pdf.status_code == 422 and 'id="paper-error"' in not_pdf.text
    wrong = await client.post(
        f"/plans/{world.plan.id}/access/employees",
        data={"csrf_token": token, "service": "nonsense"},
    )
    assert wrong.status_code == 422


async def test_withdrawing_twice_says_so_at_the_top_of_the_page(
    client: httpx.AsyncClient,
    session: AsyncSession,
    settings: Settings,
    clock: FrozenClock,
    world: World,
) -> None:
    await log_in(client, session, settings, clock, person=world.owner)
    page = await client.get(f"/plans/{world.plan.id}/access")
    token = _csrf(page.text)
    await client.post(
        f"/plans/{world.plan.id}/access/employees",
        data={"csrf_token": token, "service": f"{world.nurse.id}:{world.home_care.id}"},
    )
    page = await client.get(f"/plans/{world.plan.id}/access")
    participant = re.search(r'id="participant-([0-9a-f-]+)"', page.text)
    assert participant
    given = await client.post(
        f"/plans/{world.plan.id}/access/grants",
        data={
            "csrf_token": token,
            "participant_id": participant.group(1),
            "part": "notes",
            "mode": "read",
        },
    )
    assert given.status_code == 303
    page = await client.get(given.headers["location"])
    grant = re.search(r'id="grant-([0-9a-f-]+)"', page.text)
    assert grant
    url = f"/plans/{world.plan.id}/access/grants/{grant.group(1)}/withdraw"
    assert (await client.post(url, data={"csrf_token": token})).status_code == 303
    again = await client.post(url, data={"csrf_token": token})
    assert again.status_code == 409
    assert 'role="alert"' in again.text and "allerede avsluttet" in again.text


async def test_coordinating_unit_staff_find_the_powers_of_attorney_to_verify(
    client: httpx.AsyncClient,
    session: AsyncSession,
    settings: Settings,
    clock: FrozenClock,
    world: World,
) -> None:
    await log_in(client, session, settings, clock, staff=world.ke)
    assert "/municipality/powers-of-attorney" in (await client.get("/plans")).text
    await log_in(client, session, settings, clock, staff=world.nurse)
    assert "/municipality/powers-of-attorney" not in (await client.get("/plans")).text


async def test_r_age_4_the_guardian_is_told_once_that_the_context_ended_at_16(
    client: httpx.AsyncClient,
    session: AsyncSession,
    settings: Settings,
    clock: FrozenClock,
    world: World,
) -> None:
    await log_in(client, session, settings, clock, person=world.parent, acting_for=world.child)
    assert (await client.get(f"/plans/{world.child_plan.id}/access")).status_code == 200
    sixteenth = world.child.birth_date.replace(year=world.child.birth_date.year + 16)
    # Midnight in Oslo on the birthday, and a fresh login (sessions last 12 hours at most).
    clock.set(datetime.combine(sixteenth, time(0, 5), tzinfo=OSLO))
    await log_in(client, session, settings, clock, person=world.parent, acting_for=world.child)
    first = await client.get("/plans")
    assert "no longer act for" in first.text or "handler ikke lenger" in first.text
    assert f"/plans/{world.child_plan.id}/access" not in first.text
    again = await client.get("/plans")
    assert "handler ikke lenger" not in again.text  # told once; the context is gone
    refused = await client.get(f"/plans/{world.child_plan.id}/access")
    assert refused.status_code == 404
