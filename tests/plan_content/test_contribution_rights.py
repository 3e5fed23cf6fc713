"""What each contributes (R-PLAN-1 item 4): a service writes and changes only its own unit's
contribution, a relative only their own words; the owner's side and the coordinator keep the
whole list. The page offers exactly what the service would allow."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from app.errors import Forbidden
from app.models import Contribution, Contributor
from app.plan_frame import service as frame
from app.plan_view import service as plan_view
from tests.plan_content.plan_world import (
    WRITE_GOALS,
    PlanWorld,
    invite_relative,
    nurse_may_write,
    teacher_may_write,
)
from tests.support.clock import FrozenClock


def _service(unit_id: uuid.UUID, text: str) -> frame.ContributionInput:
    return frame.ContributionInput(Contributor.SERVICE, text, unit_id=unit_id)


async def _owners_words(
    session: AsyncSession, world: PlanWorld, clock: FrozenClock
) -> Contribution:
    return await frame.add_contribution(
        session,
        world.owner,
        world.plan_id,
        frame.ContributionInput(Contributor.OWNER, "Jeg lager frokost"),
        clock=clock,
    )


async def _with_writers(session: AsyncSession, world: PlanWorld, clock: FrozenClock) -> None:
    await nurse_may_write(session, world, clock)
    await teacher_may_write(session, world, clock)
    await invite_relative(session, world, clock, WRITE_GOALS)


async def test_r_plan_1_a_service_writes_and_changes_only_its_own_units_contribution(
    session: AsyncSession, world: PlanWorld, clock: FrozenClock
) -> None:
    await _with_writers(session, world, clock)
    home_care, school = world.base.home_care.id, world.school.id
    ours = await frame.add_contribution(
        session, world.nurse, world.plan_id, _service(home_care, "Besøk morgen"), clock=clock
    )
    theirs = await frame.add_contribution(
        session, world.teacher_actor, world.plan_id, _service(school, "Leksehjelp"), clock=clock
    )
    owners = await _owners_words(session, world, clock)
    with pytest.raises(Forbidden):  # for another unit
        await frame.add_contribution(
            session, world.nurse, world.plan_id, _service(school, "Skolen gir"), clock=clock
        )
    with pytest.raises(Forbidden):  # in the owner's name
        await frame.add_contribution(
            session,
            world.nurse,
            world.plan_id,
            frame.ContributionInput(Contributor.OWNER, "Han gir"),
            clock=clock,
        )
    for item in (theirs, owners):
        with pytest.raises(Forbidden):
            await frame.change_contribution(
                session,
                world.nurse,
                world.plan_id,
                item.id,
                _service(home_care, "Overskrevet"),
                seen_version=item.version,
                clock=clock,
            )
        with pytest.raises(Forbidden):  # withdrawing is changing too
            await frame.change_contribution(
                session, world.nurse, world.plan_id, item.id, None, seen_version=None, clock=clock
            )
    with pytest.raises(Forbidden):  # moving its own to another unit
        await frame.change_contribution(
            session,
            world.nurse,
            world.plan_id,
            ours.id,
            _service(school, "Flyttet"),
            seen_version=ours.version,
            clock=clock,
        )
    changed = await frame.change_contribution(
        session,
        world.nurse,
        world.plan_id,
        ours.id,
        _service(home_care, "Besøk morgen og kveld"),
        seen_version=ours.version,
        clock=clock,
    )
    assert changed.text == "Besøk morgen og kveld"
    assert theirs.text == "Leksehjelp" and owners.text == "Jeg lager frokost"

    view = await plan_view.plan_view(session, world.nurse, world.plan_id, clock=clock)
    assert view.changeable_contributions == {ours.id}
    assert view.contribution_kinds == [Contributor.SERVICE]


async def test_r_plan_1_a_relative_writes_their_own_words_and_no_one_elses(
    session: AsyncSession, world: PlanWorld, clock: FrozenClock
) -> None:
    await _with_writers(session, world, clock)
    owners = await _owners_words(session, world, clock)
    mine = await frame.add_contribution(
        session,
        world.relative,
        world.plan_id,
        frame.ContributionInput(Contributor.RELATIVE, "Handler hver fredag", who="Søster"),
        clock=clock,
    )
    with pytest.raises(Forbidden):  # a relative does not speak for a service
        await frame.add_contribution(
            session,
            world.relative,
            world.plan_id,
            _service(world.base.home_care.id, "Hjemmetjenesten gir"),
            clock=clock,
        )
    with pytest.raises(Forbidden):
        await frame.change_contribution(
            session, world.relative, world.plan_id, owners.id, None, seen_version=None, clock=clock
        )
    await frame.change_contribution(
        session, world.relative, world.plan_id, mine.id, None, seen_version=None, clock=clock
    )
    view = await plan_view.plan_view(session, world.relative, world.plan_id, clock=clock)
    assert view.changeable_contributions == frozenset()
    assert view.contribution_kinds == [Contributor.OWNER, Contributor.RELATIVE]


async def test_r_plan_1_the_owner_and_the_coordinator_keep_the_whole_list(
    session: AsyncSession, world: PlanWorld, clock: FrozenClock
) -> None:
    await _with_writers(session, world, clock)
    nurses = await frame.add_contribution(
        session,
        world.nurse,
        world.plan_id,
        _service(world.base.home_care.id, "Besøk morgen"),
        clock=clock,
    )
    for actor in (world.owner, world.coordinator):
        view = await plan_view.plan_view(session, actor, world.plan_id, clock=clock)
        assert nurses.id in view.changeable_contributions
        assert view.contribution_kinds == list(Contributor)
    # The owner writes down what the services in the group contribute, and only those.
    view = await plan_view.plan_view(session, world.owner, world.plan_id, clock=clock)
    assert [unit.id for unit in view.contribution_units] == sorted(
        [world.base.home_care.id, world.school.id],
        key=lambda unit_id: view.unit_names[unit_id],
    )
    school = await frame.add_contribution(
        session, world.owner, world.plan_id, _service(world.school.id, "Leksehjelp"), clock=clock
    )
    assert school.unit_id == world.school.id
    await frame.change_contribution(
        session, world.owner, world.plan_id, nurses.id, None, seen_version=None, clock=clock
    )
    assert nurses.withdrawn_at is not None
