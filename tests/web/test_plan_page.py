"""The plan page through HTTP, as a browser without JavaScript uses it: forms post, errors and
conflicts keep what was typed, retried forms are stored once, drafts come back."""

from __future__ import annotations

import re

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.actions import service as actions
from app.goals import service as goals
from app.models import Action, Goal, GoalStatus
from app.settings import Settings
from tests.consents.world import World, log_in, make_world
from tests.support.clock import FrozenClock
from tests.support.logins import citizen, employee


@pytest.fixture
async def world(session: AsyncSession, clock: FrozenClock, app: FastAPI) -> World:
    return await make_world(session, clock, vault=app.state.pid_vault)


def _csrf(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([0-9a-f]+)"', html)
    assert match
    return match.group(1)


def _request_key(html: str) -> str:
    match = re.search(r'name="request_key" value="([0-9a-f-]+)"', html)
    assert match
    return match.group(1)


async def test_r_plan_3_the_owner_writes_a_goal_and_accepts_a_proposal_without_javascript(
    client: httpx.AsyncClient,
    session: AsyncSession,
    settings: Settings,
    clock: FrozenClock,
    world: World,
) -> None:
    proposal = await goals.propose_goal(
        session, employee(world.coordinator), world.plan.id, goals.GoalInput("Trene"), clock=clock
    )
    await session.commit()
    await log_in(client, session, settings, clock, person=world.owner)
    page = await client.get(f"/plans/{world.plan.id}")
    assert page.status_code == 200 and "Trene" in page.text
    written = await client.post(
        f"/plans/{world.plan.id}/goals",
        data={
            "csrf_token": _csrf(page.text),
            "request_key": _request_key(page.text),
            "text": "Gå tur hver dag",
            "due_date": "",
        },
    )
    assert written.status_code == 303
    assert written.headers["location"].endswith("?done=saved&at=goals#goals")
    accepted = await client.post(
        f"/plans/{world.plan.id}/goals/{proposal.id}/status",
        data={"csrf_token": _csrf(page.text), "version": "1", "status": "accepted"},
    )
    assert accepted.status_code == 303
    statuses = dict((await session.execute(select(Goal.text, Goal.status))).all())
    assert statuses == {"Trene": GoalStatus.ACCEPTED, "Gå tur hver dag": GoalStatus.ACCEPTED}


async def test_r_safe_3_a_form_sent_twice_stores_one_goal(
    client: httpx.AsyncClient,
    session: AsyncSession,
    settings: Settings,
    clock: FrozenClock,
    world: World,
) -> None:
    await log_in(client, session, settings, clock, person=world.owner)
    page = await client.get(f"/plans/{world.plan.id}")
    form = {
        "csrf_token": _csrf(page.text),
        "request_key": _request_key(page.text),
        "text": "Ett mål",
    }
    first = await client.post(f"/plans/{world.plan.id}/goals", data=form)
    second = await client.post(f"/plans/{world.plan.id}/goals", data=form)
    assert first.status_code == second.status_code == 303
    assert first.headers["location"] == second.headers["location"]
    assert await session.scalar(select(func.count(Goal.id))) == 1


async def test_r_safe_1_bad_input_keeps_what_was_typed(
    client: httpx.AsyncClient,
    session: AsyncSession,
    settings: Settings,
    clock: FrozenClock,
    world: World,
) -> None:
    await log_in(client, session, settings, clock, staff=world.coordinator)
    page = await client.get(f"/plans/{world.plan.id}?edit=action:new")
    assert page.status_code == 200
    base = {
        "csrf_token": _csrf(page.text),
        "request_key": _request_key(page.text),
        "title": "Hjemmebesøk",
        "extent": "To ganger i uka",
        "method": "Slik gjør vi det",
    }
    cases = [
        (
            {
                **base,
                "responsible_unit_id": str(world.home_care.id),
                "start_date": "2026-12-10",
                "deadline": "2026-12-01",
            },
            "deadline",
        ),
        ({**base, "responsible_unit_id": ""}, "responsible_unit_id"),
        ({**base, "responsible_unit_id": "not-a-unit"}, "responsible_unit_id"),
        (
            {**base, "responsible_unit_id": str(world.home_care.id), "deadline": "31.02.2026"},
            "deadline",
        ),
        ({**base, "title": "x" * 201, "responsible_unit_id": str(world.home_care.id)}, "title"),
    ]
    for data, field in cases:
        response = await client.post(f"/plans/{world.plan.id}/actions", data=data)
        assert response.status_code == 422, (field, response.status_code)
        assert f'id="action-new-{field}-error"' in response.text, field
        assert "Slik gjør vi det" in response.text  # the typed text is kept
        assert 'aria-invalid="true"' in response.text
    assert await session.scalar(select(func.count(Action.id))) == 0


async def test_r_safe_2_a_stale_save_shows_both_versions_and_keeps_the_typed_text(
    client: httpx.AsyncClient,
    session: AsyncSession,
    settings: Settings,
    clock: FrozenClock,
    world: World,
) -> None:
    goal = await goals.propose_goal(
        session, citizen(world.owner), world.plan.id, goals.GoalInput("Første ord"), clock=clock
    )
    await session.commit()
    await log_in(client, session, settings, clock, person=world.owner)
    page = await client.get(f"/plans/{world.plan.id}?edit=goal:{goal.id}")
    token = _csrf(page.text)
    # Someone else saves first.
    await goals.change_goal(
        session,
        citizen(world.owner),
        world.plan.id,
        goal.id,
        goals.GoalChange("Andres ord"),
        seen_version=1,
        clock=clock,
    )
    await session.commit()
    stale = await client.post(
        f"/plans/{world.plan.id}/goals/{goal.id}",
        data={"csrf_token": token, "version": "1", "text": "Mine ord"},
    )
    assert stale.status_code == 409
    assert "Andres ord" in stale.text and "Mine ord" in stale.text
    assert 'name="version" value="2"' in stale.text  # saving again replaces knowingly
    again = await client.post(
        f"/plans/{world.plan.id}/goals/{goal.id}",
        data={"csrf_token": token, "version": "2", "text": "Mine ord"},
    )
    assert again.status_code == 303
    text, version = (
        await session.execute(select(Goal.text, Goal.version).where(Goal.id == goal.id))
    ).one()
    assert text == "Mine ord" and version == 3


async def test_drafts_are_kept_and_come_back_until_the_form_is_saved(
    client: httpx.AsyncClient,
    session: AsyncSession,
    settings: Settings,
    clock: FrozenClock,
    world: World,
) -> None:
    await log_in(client, session, settings, clock, person=world.owner)
    page = await client.get(f"/plans/{world.plan.id}")
    token = _csrf(page.text)
    saved = await client.post(
        f"/plans/{world.plan.id}/drafts/goal:new",
        data={"csrf_token": token, "text": "Halvskrevet mål"},
        headers={"HX-Request": "true"},
    )
    assert saved.status_code == 200 and 'id="draft-saved"' in saved.text
    again = await client.get(f"/plans/{world.plan.id}?edit=goal:new")
    assert "Halvskrevet mål" in again.text
    stored = await client.post(
        f"/plans/{world.plan.id}/goals",
        data={
            "csrf_token": token,
            "request_key": _request_key(again.text),
            "text": "Halvskrevet mål, ferdig",
        },
    )
    assert stored.status_code == 303
    after = await client.get(f"/plans/{world.plan.id}?edit=goal:new")
    assert "Halvskrevet mål</textarea>" not in after.text
    bad = await client.post(
        f"/plans/{world.plan.id}/drafts/not a form", data={"csrf_token": token, "text": "x"}
    )
    assert bad.status_code == 422


async def test_r_plan_4_a_provider_sees_status_controls_only_on_their_units_actions(
    client: httpx.AsyncClient,
    session: AsyncSession,
    settings: Settings,
    clock: FrozenClock,
    world: World,
) -> None:
    from app.consents import service as consents
    from app.consents.schemas import GrantSpec
    from app.models import GrantMode, PlanPart

    participant = await consents.add_employee(
        session,
        employee(world.coordinator),
        world.plan.id,
        world.nurse.id,
        world.home_care.id,
        clock=clock,
    )
    await consents.give_grant(
        session,
        citizen(world.owner),
        world.plan.id,
        participant.id,
        GrantSpec(part=PlanPart.GOALS_ACTIONS, mode=GrantMode.WRITE),
        clock=clock,
    )
    own = await actions.create_action(
        session,
        employee(world.coordinator),
        world.plan.id,
        actions.ActionInput("Hjemmebesøk", world.home_care.id),
        clock=clock,
    )
    other = await actions.create_action(
        session,
        employee(world.coordinator),
        world.plan.id,
        actions.ActionInput("Koordinering", world.ke_unit.id),
        clock=clock,
    )
    await session.commit()
    await log_in(client, session, settings, clock, staff=world.nurse)
    page = await client.get(f"/plans/{world.plan.id}")
    assert page.status_code == 200
    assert f"/actions/{own.id}/status" in page.text
    assert f"/actions/{other.id}/status" not in page.text
    refused = await client.post(
        f"/plans/{world.plan.id}/actions/{other.id}/status",
        data={"csrf_token": _csrf(page.text), "version": "1", "status": "done"},
    )
    assert refused.status_code == 422 and "Koordinering" in refused.text


async def test_the_timeline_page_filters_and_the_pdf_downloads(
    client: httpx.AsyncClient,
    session: AsyncSession,
    settings: Settings,
    clock: FrozenClock,
    world: World,
) -> None:
    await goals.propose_goal(
        session, citizen(world.owner), world.plan.id, goals.GoalInput("Et mål"), clock=clock
    )
    await session.commit()
    await log_in(client, session, settings, clock, person=world.owner)
    timeline = await client.get(f"/plans/{world.plan.id}/timeline", params={"kind": "goals"})
    assert timeline.status_code == 200 and "Et mål" in timeline.text
    notes_only = await client.get(f"/plans/{world.plan.id}/timeline", params={"kind": "notes"})
    assert "Et mål" not in notes_only.text
    wrong = await client.get(
        f"/plans/{world.plan.id}/timeline", params={"since": "2026-12-01", "until": "2026-11-01"}
    )
    assert wrong.status_code == 422
    pdf = await client.get(f"/plans/{world.plan.id}/plan.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert pdf.headers["content-type"] == "application/pdf"
    printed = await client.get(f"/plans/{world.plan.id}/print")
    assert printed.status_code == 200 and "Et mål" in printed.text
