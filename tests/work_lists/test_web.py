"""/work/actions and /work/plans: the staff work lists as pages, and the links to them."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from app.settings import Settings
from tests.support.clock import FrozenClock
from tests.support.logins import log_in
from tests.work_lists.conftest import Scene

EN = {"Accept-Language": "en"}


@pytest.mark.parametrize("language", ["nb", "nn", "en"])
async def test_my_actions_page_lists_the_actions_with_links_in_three_languages(
    client: httpx.AsyncClient,
    session: AsyncSession,
    settings: Settings,
    clock: FrozenClock,
    scene: Scene,
    language: str,
) -> None:
    world = scene.world
    await log_in(client, session, settings, clock, staff=world.nurse)
    page = await client.get("/work/actions", headers={"Accept-Language": language})
    assert page.status_code == 200
    assert f'<html lang="{language}"' in page.text
    for action in (scene.overdue, scene.due_soon):
        assert f'href="/plans/{world.plan.id}#action-{action.id}">{action.title}</a>' in page.text
    assert world.owner.display_name in page.text and "Hjemmetjenesten" in page.text


@pytest.mark.parametrize("language", ["nb", "nn", "en"])
async def test_my_plans_page_lists_the_coordinators_plans_in_three_languages(
    client: httpx.AsyncClient,
    session: AsyncSession,
    settings: Settings,
    clock: FrozenClock,
    scene: Scene,
    language: str,
) -> None:
    world = scene.world
    await log_in(client, session, settings, clock, staff=world.coordinator)
    page = await client.get("/work/plans", headers={"Accept-Language": language})
    assert page.status_code == 200
    assert f'<html lang="{language}"' in page.text
    first = page.text.index(f'href="/plans/{world.plan.id}"')
    assert first < page.text.index(f'href="/plans/{world.child_plan.id}"')
    assert world.owner.display_name in page.text and world.child.display_name in page.text


async def test_the_pages_say_in_plain_words_when_there_is_nothing(
    client: httpx.AsyncClient,
    session: AsyncSession,
    settings: Settings,
    clock: FrozenClock,
    scene: Scene,
) -> None:
    await log_in(client, session, settings, clock, staff=scene.world.ke)
    actions = await client.get("/work/actions", headers=EN)
    assert "You have nothing to follow up here now." in actions.text
    await log_in(client, session, settings, clock, staff=scene.world.nurse)
    plans = await client.get("/work/plans", headers=EN)
    assert "You do not coordinate any open plans." in plans.text


async def test_the_coordinating_unit_sees_every_plan_with_its_coordinator(
    client: httpx.AsyncClient,
    session: AsyncSession,
    settings: Settings,
    clock: FrozenClock,
    scene: Scene,
) -> None:
    world = scene.world
    await log_in(client, session, settings, clock, staff=world.ke)
    page = await client.get("/work/plans", headers=EN)
    assert "All open plans in your municipality" in page.text
    assert page.text.count(world.coordinator.name) == 2
    assert "Proposed goals waiting" not in page.text  # goals are case-only for the KE


async def test_employees_find_the_work_lists_on_the_plans_page_and_citizens_do_not(
    client: httpx.AsyncClient,
    session: AsyncSession,
    settings: Settings,
    clock: FrozenClock,
    scene: Scene,
) -> None:
    await log_in(client, session, settings, clock, staff=scene.world.nurse)
    staff_page = await client.get("/plans", headers=EN)
    assert 'href="/work/actions"' in staff_page.text and 'href="/work/plans"' in staff_page.text
    await log_in(client, session, settings, clock, person=scene.world.owner)
    citizen_page = await client.get("/plans", headers=EN)
    assert citizen_page.status_code == 200 and "/work/" not in citizen_page.text
    for path in ("/work/actions", "/work/plans"):
        refused = await client.get(path, headers=EN)
        assert refused.status_code == 403
        assert "Work lists are for employees." in refused.text
