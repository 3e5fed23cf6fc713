"""Municipalities are separate (access.md, issue 5 item 7): no actor of one municipality sees
anything of another's plans, whatever their role, through the service door, the plan lists, the
municipality-level checks and every plan list and detail endpoint the app has.

The endpoints are found by walking the app's routes, so a route added later is tried too.
"""

from __future__ import annotations

import uuid

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app import access
from app.access import audit
from app.access.actors import Actor
from app.access.permissions import TABLE
from app.errors import Forbidden, NotFound
from app.models import AuditEvent, Participant, ParticipantKind, Plan, PlanPart, UnitMembership
from app.settings import Settings
from tests.access.access_fixtures import (
    EVERY_PART_WRITE,
    World,
    app_routes,
    build_world,
    fill_path,
    log_in,
    new_grants,
)
from tests.support.clock import FrozenClock

P = access.Permission
STAFF_OF_A = ("ke_staff", "coordinator", "provider", "provider_without_grant", "other_employee")
STAFF_OF_B = ("ke_staff_b", "coordinator_b", "provider_b")
MUNICIPALITY_PERMISSIONS = (P.DECIDE_CASE, P.KEEP_REGISTERS, P.VERIFY_POWER_OF_ATTORNEY)
NOT_ABOUT_A_PLAN = {
    *MUNICIPALITY_PERMISSIONS,
    P.APPLY,
    P.REPORT_NEED,
    P.REGISTER_PAPER_APPLICATION,
    P.MANAGE_POWERS_OF_ATTORNEY,
}
PLAN_PERMISSIONS = [p for p in TABLE if p not in NOT_ABOUT_A_PLAN]


def _plans_of(world: World, municipality_id: uuid.UUID) -> list[Plan]:
    return [plan for plan in world.plans().values() if plan.municipality_id == municipality_id]


async def _listed(session: AsyncSession, world: World, actor: Actor) -> set[uuid.UUID]:
    where = await access.visible_plans(session, actor, clock=world.clock)
    return set((await session.scalars(select(Plan.id).where(where))).all())


async def _assert_sealed_off(
    session: AsyncSession, world: World, actor: Actor, other: uuid.UUID
) -> None:
    """Nothing of municipality `other` for this actor: lists, every permission, every purpose."""
    foreign = _plans_of(world, other)
    assert foreign
    assert not (await _listed(session, world, actor)) & {plan.id for plan in foreign}
    for plan in foreign:
        facts = await access.roles_on(session, actor, plan, clock=world.clock)
        assert facts.roles <= {access.Role.OTHER_EMPLOYEE} and not facts.grants
        assert not any(
            (await access.capabilities(session, actor, plan, clock=world.clock)).values()
        )
        for permission in PLAN_PERMISSIONS:
            for purpose in (None, *access.Purpose):
                with pytest.raises(NotFound):
                    await access.require(
                        session, actor, permission, plan.id, clock=world.clock, purpose=purpose
                    )
    for permission in MUNICIPALITY_PERMISSIONS:
        with pytest.raises(Forbidden):
            await access.require_in_municipality(
                session, actor, permission, other, clock=world.clock
            )


@pytest.mark.parametrize("name", STAFF_OF_A)
async def test_staff_of_a_never_see_b(session: AsyncSession, clock: FrozenClock, name: str) -> None:
    world = await build_world(session, clock)
    await _assert_sealed_off(session, world, world.actors()[name], world.b.id)


@pytest.mark.parametrize("name", STAFF_OF_B)
async def test_staff_of_b_never_see_a(session: AsyncSession, clock: FrozenClock, name: str) -> None:
    world = await build_world(session, clock)
    await _assert_sealed_off(session, world, world.actors()[name], world.a.id)


async def test_the_ke_of_a_keeps_its_own_registers_only(
    session: AsyncSession, clock: FrozenClock
) -> None:
    world = await build_world(session, clock)
    for permission in MUNICIPALITY_PERMISSIONS:
        await access.require_in_municipality(
            session, world.staff(world.ke_staff), permission, world.a.id, clock=clock
        )
        with pytest.raises(Forbidden):
            await access.require_in_municipality(
                session, world.staff(world.ke_staff), permission, world.b.id, clock=clock
            )
    await audit.seal_pending(session)
    denied = (
        await session.scalars(
            select(AuditEvent).where(
                AuditEvent.actor_employee_id == world.ke_staff.id, AuditEvent.outcome == "denied"
            )
        )
    ).all()
    assert len(denied) == len(MUNICIPALITY_PERMISSIONS)
    # The refusal is in A's own chain (or the national one), never written into B's log.
    assert all(row.municipality_id != world.b.id for row in denied)


async def test_bad_data_across_municipalities_opens_nothing(
    session: AsyncSession, clock: FrozenClock
) -> None:
    """Even if A's staff were put into B's plan (a participant with grants, the coordinator, a
    membership of B's unit), B's plan stays invisible to them."""
    world = await build_world(session, clock)
    now = clock.now()
    participant = Participant(
        id=uuid.uuid4(),
        plan_id=world.plan_b.id,
        kind=ParticipantKind.EMPLOYEE,
        employee_id=world.provider.id,
        unit_id=world.home_care.id,
        added_at=now,
    )
    session.add(participant)
    await session.flush()
    session.add_all(new_grants(world.plan_b, participant, EVERY_PART_WRITE, now=now))
    world.plan_b.coordinator_id = world.coordinator.id
    session.add(
        UnitMembership(employee_id=world.ke_staff.id, unit_id=world.ke_unit_b.id, created_at=now)
    )
    await session.flush()
    for name in STAFF_OF_A:
        await _assert_sealed_off(session, world, world.actors()[name], world.b.id)


async def test_a_citizen_sees_their_own_plans_in_both_municipalities(
    session: AsyncSession, clock: FrozenClock
) -> None:
    """Citizens belong to no municipality: an owner with plans in both sees both, and a relative
    with a grant in B's plan sees that one, while A's staff still see nothing of it."""
    world = await build_world(session, clock)
    now = clock.now()
    relative_in_b = Participant(
        id=uuid.uuid4(),
        plan_id=world.plan_b.id,
        kind=ParticipantKind.RELATIVE,
        person_id=world.relative.id,
        added_at=now,
    )
    session.add(relative_in_b)
    await session.flush()
    session.add_all(
        new_grants(
            world.plan_b,
            relative_in_b,
            {PlanPart.MESSAGES: EVERY_PART_WRITE[PlanPart.MESSAGES]},
            now=now,
        )  # noqa: E501
    )
    await session.flush()
    relative = world.citizen(world.relative)
    assert await _listed(session, world, relative) >= {world.plan_adult.id, world.plan_b.id}
    await access.require(session, relative, P.SEE_PLAN, world.plan_b.id, clock=clock)
    await _assert_sealed_off(session, world, world.staff(world.ke_staff), world.b.id)


# --- through the API ------------------------------------------------------------------------------


def _plan_routes(app: FastAPI) -> list[str]:
    """GET routes that name a plan: every detail a plan has, in the API and on the pages."""
    return sorted(
        {path for method, path in app_routes(app) if method == "GET" and "{plan_id}" in path}
    )


def _list_routes(app: FastAPI) -> list[str]:
    """GET routes of the API without path parameters: every list it has, plans among them."""
    return sorted(
        {
            path
            for method, path in app_routes(app)
            if method == "GET" and path.startswith("/api/v1/") and "{" not in path
        }
    )


def test_the_api_has_plan_routes_to_try(app: FastAPI) -> None:
    assert "/api/v1/plans" in _list_routes(app)
    assert any(path.startswith("/api/v1/plans/{plan_id}") for path in _plan_routes(app))


def _leaks(response: httpx.Response, world: World) -> list[str]:
    # The problem's `instance` echoes the URL the client sent; that tells them nothing new.
    text = response.text.replace(response.request.url.path, "")
    secrets = {
        "B's plan id": str(world.plan_b.id),
        "B's owner id": str(world.owner_b.id),
        "B's owner's name": world.owner_b.family_name,
        "B's coordinator": world.coordinator_b.name,
        "B's provider": world.provider_b.name,
    }
    return [what for what, value in secrets.items() if value in text]


@pytest.mark.parametrize("name", STAFF_OF_A)
async def test_staff_of_a_get_nothing_of_b_through_any_plan_endpoint(
    app: FastAPI,
    client: httpx.AsyncClient,
    session: AsyncSession,
    settings: Settings,
    clock: FrozenClock,
    name: str,
) -> None:
    world = await build_world(session, clock)
    await log_in(client, session, settings, clock, world.actors()[name])
    tried = []
    for path in _plan_routes(app):
        for query in ("", "?purpose=case", "?purpose=audit_duty", "?purpose=archive"):
            url = fill_path(path, plan_id=world.plan_b.id) + query
            response = await client.get(url, headers={"Accept": "application/json"})
            assert response.status_code == 404, (url, response.status_code, response.text[:300])
            assert _leaks(response, world) == [], url
            tried.append(url)
    for path in _list_routes(app):
        response = await client.get(path)
        assert response.status_code < 500, (path, response.status_code)
        assert _leaks(response, world) == [], path
        tried.append(path)
    assert tried


async def test_the_api_plan_list_of_each_municipality_is_its_own(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings, clock: FrozenClock
) -> None:
    world = await build_world(session, clock)
    a_ids = {str(plan.id) for plan in _plans_of(world, world.a.id)}
    b_ids = {str(plan.id) for plan in _plans_of(world, world.b.id)}
    for name, own, foreign in (("ke_staff", a_ids, b_ids), ("ke_staff_b", b_ids, a_ids)):
        await log_in(client, session, settings, clock, world.actors()[name])
        response = await client.get("/api/v1/plans")
        assert response.status_code == 200, response.text
        listed = {item["id"] for item in response.json()}
        assert listed >= own and not listed & foreign, name
