"""R-PLAN-1 item 4 on the plan page: a service is offered a change only of its own unit's
contribution, and its add form writes for its own unit; the owner may change them all."""

from __future__ import annotations

import re

import httpx
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import Contributor
from app.plan_frame import service as frame
from app.settings import Settings
from tests.api_plan.conftest import bring_in_nurse
from tests.consents.world import log_in, make_world
from tests.support.clock import FrozenClock
from tests.support.logins import citizen, employee


def _change_links(page: str) -> set[str]:
    return set(re.findall(r'href="\?edit=contribution:([0-9a-f-]+)#', page))


async def test_r_plan_1_the_page_offers_a_service_only_its_own_contribution(
    app: FastAPI,
    client: httpx.AsyncClient,
    session: AsyncSession,
    clock: FrozenClock,
    settings: Settings,
) -> None:
    world = await make_world(session, clock, vault=app.state.pid_vault)
    await bring_in_nurse(session, world, clock)
    owners = await frame.add_contribution(
        session,
        citizen(world.owner),
        world.plan.id,
        frame.ContributionInput(Contributor.OWNER, "Jeg lager frokost"),
        clock=clock,
    )
    nurses = await frame.add_contribution(
        session,
        employee(world.nurse),
        world.plan.id,
        frame.ContributionInput(Contributor.SERVICE, "Besøk", unit_id=world.home_care.id),
        clock=clock,
    )
    await session.commit()
    url = f"/plans/{world.plan.id}"

    await log_in(client, session, settings, clock, staff=world.nurse)
    page = (await client.get(url)).text
    assert _change_links(page) == {str(nurses.id)}
    assert _options(page, "contribution-new-contributor") == ["service"]
    # Only its own unit to write for: chosen already, no "not a service" to trip over.
    assert _options(page, "contribution-new-unit_id") == [str(world.home_care.id)]
    # Asking for the owner's form by hand opens nothing.
    assert (
        'id="contribution-' + str(owners.id) + '-text"'
        not in (await client.get(url, params={"edit": f"contribution:{owners.id}"})).text
    )

    await log_in(client, session, settings, clock, person=world.owner)
    page = (await client.get(url)).text
    assert _change_links(page) == {str(owners.id), str(nurses.id)}
    # The owner may write down what the services in the group give: they are offered.
    assert _options(page, "contribution-new-contributor") == ["owner", "relative", "service"]
    assert _options(page, "contribution-new-unit_id") == ["", str(world.home_care.id)]


def _options(page: str, select_id: str) -> list[str]:
    found = page[page.index(f'id="{select_id}"') :]
    return re.findall(r'<option value="([^"]*)"', found[: found.index("</select>")])
