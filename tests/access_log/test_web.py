"""The access log page (R-LOG-3, R-AGE-2): filters and pager as plain links and GET forms."""

from __future__ import annotations

import html
import re
import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from app.settings import Settings
from tests.access_log.world import World, make_world, seal, shield, write_row
from tests.support.clock import FrozenClock
from tests.support.logins import log_in


@pytest.fixture
async def w(session: AsyncSession, clock: FrozenClock) -> World:
    world = await make_world(session, clock)
    await session.commit()  # a refused request rolls the shared session back to here
    return world


def _page(w: World, plan_id: uuid.UUID | None = None) -> str:
    return f"/plans/{plan_id or w.plan.id}/access-log"


def _articles(text: str) -> list[str]:
    return re.findall(r"<article.*?</article>", text, flags=re.DOTALL)


def _links(text: str, rel: str) -> list[str]:
    return [html.unescape(href) for href in re.findall(rf'href="([^"]+)" rel="{rel}"', text)]


@pytest.mark.parametrize(
    ("language", "heading", "who", "unit"),
    [
        ("nb", "Tilgangslogg", "Ingrid Berg", "Hjemmetjenesten, koordinator"),
        ("nn", "Tilgangslogg", "Ingrid Berg", "Hjemmetjenesten, koordinator"),
        ("en", "Who has seen your plan", "Ingrid Berg", "Hjemmetjenesten, coordinator"),
    ],
)
async def test_r_log_3_the_owner_reads_the_page_in_three_languages(
    client: httpx.AsyncClient,
    session: AsyncSession,
    settings: Settings,
    clock: FrozenClock,
    w: World,
    language: str,
    heading: str,
    who: str,
    unit: str,
) -> None:
    await write_row(session, clock, w.plan, staff=w.coordinator, role="coordinator")
    await seal(session)
    await log_in(client, session, settings, clock, person=w.owner)
    response = await client.get(_page(w), headers={"Accept-Language": language})
    assert response.status_code == 200
    text = response.text
    assert f'<html lang="{language}"' in text
    assert f">{heading}</h1>" in text
    assert who in text and unit in text
    assert '<form method="get"' in text and 'type="date"' in text
    assert f'<option value="e:{w.coordinator.id}"' in text
    assert "<script>" not in text


async def test_r_log_3_the_form_filters_by_person_and_period_without_javascript(
    client: httpx.AsyncClient,
    session: AsyncSession,
    settings: Settings,
    clock: FrozenClock,
    w: World,
) -> None:
    clock.set(datetime(2026, 11, 2, 9, 0, tzinfo=UTC))
    await write_row(session, clock, w.plan, staff=w.provider)
    clock.set(datetime(2026, 11, 12, 9, 0, tzinfo=UTC))
    await write_row(session, clock, w.plan, staff=w.coordinator)
    await write_row(session, clock, w.plan, person=w.relative)
    await seal(session)
    clock.set(datetime(2026, 11, 23, 10, 0, tzinfo=UTC))
    await log_in(client, session, settings, clock, person=w.owner)
    text = (await client.get(_page(w), params={"person": f"e:{w.provider.id}"})).text
    [only] = _articles(text)
    assert "Ola Hansen" in only
    assert f'<option value="e:{w.provider.id}" selected>' in text
    text = (await client.get(_page(w), params={"since": "2026-11-10", "until": "23.11.2026"})).text
    shown = _articles(text)  # Ingrid and Rita; the owner's own reads only when asked for
    assert len(shown) == 2 and not any("Ola Hansen" in article for article in shown)
    assert 'value="2026-11-10"' in text
    empty = await client.get(
        _page(w),
        params={"person": f"e:{w.provider.id}", "since": "2026-11-20"},
        headers={"Accept-Language": "en"},
    )
    assert "Nothing matches what you chose" in empty.text and _articles(empty.text) == []


async def test_r_log_3_a_period_that_ends_before_it_starts_is_shown_at_the_field(
    client: httpx.AsyncClient,
    session: AsyncSession,
    settings: Settings,
    clock: FrozenClock,
    w: World,
) -> None:
    await log_in(client, session, settings, clock, person=w.owner)
    response = await client.get(
        _page(w),
        params={"since": "2026-11-20", "until": "2026-11-10"},
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 422
    assert "The from date must be on or before the to date." in response.text
    assert 'aria-invalid="true" aria-describedby="filter-until-error"' in response.text
    assert "<article" not in response.text
    typo = await client.get(_page(w), params={"since": "31.02.2026"})
    assert typo.status_code == 422 and 'id="filter-since-error"' in typo.text


async def test_r_log_3_newer_and_older_links_page_through_the_log(
    client: httpx.AsyncClient,
    session: AsyncSession,
    settings: Settings,
    clock: FrozenClock,
    w: World,
) -> None:
    clock.set(datetime(2026, 10, 1, 8, 0, tzinfo=UTC))
    for _ in range(120):
        clock.advance(timedelta(minutes=1))
        await write_row(session, clock, w.plan, staff=w.coordinator)
    await seal(session)
    clock.set(datetime(2026, 11, 23, 10, 0, tzinfo=UTC))
    await log_in(client, session, settings, clock, person=w.owner)
    first = (await client.get(_page(w), params={"person": f"e:{w.coordinator.id}"})).text
    assert len(_articles(first)) == 50 and _links(first, "prev") == []
    [older] = _links(first, "next")
    assert f"person=e%3A{w.coordinator.id}" in older  # the filter rides along
    second = (await client.get(older)).text
    assert len(_articles(second)) == 50
    [third_link] = _links(second, "next")
    third = (await client.get(third_link)).text
    assert len(_articles(third)) == 20 and _links(third, "next") == []
    [back] = _links(third, "prev")
    again = (await client.get(back)).text
    assert re.findall(r'id="entry-([0-9a-f-]+)"', again) == re.findall(
        r'id="entry-([0-9a-f-]+)"', second
    )
    malformed = await client.get(_page(w), params={"cursor": "not-ours"})
    assert malformed.status_code == 422 and "<h1" in malformed.text


async def test_r_log_3_empty_log_and_refused_view_have_their_own_words(
    client: httpx.AsyncClient,
    session: AsyncSession,
    settings: Settings,
    clock: FrozenClock,
    w: World,
) -> None:
    await log_in(client, session, settings, clock, person=w.owner)
    empty = (await client.get(_page(w), headers={"Accept-Language": "en"})).text
    assert "Nobody else has opened or changed the plan yet." in empty
    mine = (await client.get(_page(w), params={"own": "1"}, headers={"Accept-Language": "en"})).text
    assert 'id="filter-own" value="1" checked' in mine
    assert "Read the access log" in mine  # the visit a moment ago
    refused = (
        await client.get(_page(w), params={"outcome": "denied"}, headers={"Accept-Language": "en"})
    ).text
    assert "Nobody has been refused access to the plan." in refused
    assert 'id="filter-denied" value="denied" checked' in refused


async def test_r_log_3_other_people_are_refused_the_page(
    client: httpx.AsyncClient,
    session: AsyncSession,
    settings: Settings,
    clock: FrozenClock,
    w: World,
) -> None:
    response = await client.get(_page(w))
    assert response.status_code == 303 and response.headers["location"].startswith("/login")
    await log_in(client, session, settings, clock, person=w.relative)
    assert (await client.get(_page(w))).status_code == 403
    client.cookies.clear()
    await log_in(client, session, settings, clock, staff=w.elsewhere)
    assert (await client.get(_page(w))).status_code == 404


async def test_r_age_2_the_guardian_of_a_14_year_old_sees_the_note_not_the_rows(
    client: httpx.AsyncClient,
    session: AsyncSession,
    settings: Settings,
    clock: FrozenClock,
    w: World,
) -> None:
    goal = uuid.uuid4()
    await shield(session, clock, w.youth_plan, goal)
    await write_row(session, clock, w.youth_plan, staff=w.provider, item_id=goal)
    await seal(session)
    await log_in(client, session, settings, clock, person=w.youth_guardian, acting_for=w.youth)
    text = (await client.get(_page(w, w.youth_plan.id), headers={"Accept-Language": "en"})).text
    assert "Some entries are not shown." in text
    assert "Ola Hansen" not in text
    assert "Jonas Vik" in text  # whose plan it is


async def test_r_log_3_the_plan_list_links_to_the_log(
    client: httpx.AsyncClient,
    session: AsyncSession,
    settings: Settings,
    clock: FrozenClock,
    w: World,
) -> None:
    await log_in(client, session, settings, clock, person=w.owner)
    text = (await client.get("/plans", headers={"Accept-Language": "en"})).text
    assert f'href="/plans/{w.plan.id}/access-log"' in text
