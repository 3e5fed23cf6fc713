"""Consent through the service layer: give, narrow, extend, withdraw, invite, paper (R-CON)."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app import access
from app.access import Permission, audit
from app.access.population_register import DevelopmentPopulationRegister
from app.clock import today_in_oslo
from app.consents import service as consents
from app.consents.events import PUBLISHER_KEY, ConsentChanged, ConsentEvents
from app.consents.schemas import GrantSpec, InviteByLink, InviteByNumber
from app.errors import Conflict, Forbidden, InvalidInput, NotFound
from app.invitations import service as invitations
from app.models import AuditEvent, Grant, GrantMode, PlanPart
from app.paper_consents import service as paper_consents
from app.people.identity_numbers import make_synthetic_identity_number
from app.people.pid_vault import PidVault
from app.responsibility_group import service as group
from app.young_people import service as young_people
from tests.consents.world import World, born, citizen, employee, make_world
from tests.factories import TEST_DATA_KEY
from tests.support.clock import FrozenClock

VAULT = PidVault(TEST_DATA_KEY)
READ_GOALS = GrantSpec(part=PlanPart.GOALS_ACTIONS, mode=GrantMode.READ)
PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
async def world(session: AsyncSession, clock: FrozenClock) -> World:
    return await make_world(session, clock)


async def _invite_relative(
    session: AsyncSession, world: World, clock: FrozenClock, grants: list[GrantSpec]
) -> uuid.UUID:
    number = make_synthetic_identity_number(world.relative.birth_date, serial=2)
    participant = await consents.invite_by_number(
        session,
        citizen(world.owner),
        world.plan.id,
        InviteByNumber(
            identity_number=number, given_name="Rita", family_name="Person", grants=grants
        ),
        vault=VAULT,
        allow_synthetic=True,
        clock=clock,
    )
    assert participant.person_id == world.relative.id  # found by the keyed hash
    return participant.id


async def test_r_con_2_a_relative_sees_nothing_until_the_owner_grants_a_part(
    session: AsyncSession, world: World, clock: FrozenClock
) -> None:
    rita = citizen(world.relative)
    with pytest.raises(NotFound):
        await access.require(session, rita, Permission.SEE_PLAN, world.plan.id, clock=clock)
    participant_id = await _invite_relative(session, world, clock, [READ_GOALS])
    await access.require(session, rita, Permission.READ_GOALS_ACTIONS, world.plan.id, clock=clock)
    with pytest.raises(Forbidden):  # visible now, but this part was not granted
        await access.require(
            session, rita, Permission.READ_LIFE_SITUATION, world.plan.id, clock=clock
        )
    with pytest.raises(Conflict):  # once in the group
        await _invite_relative(session, world, clock, [])
    assert participant_id


async def test_r_con_3_withdrawal_takes_effect_on_the_next_request_and_is_announced(
    session: AsyncSession, world: World, clock: FrozenClock
) -> None:
    heard: list[ConsentChanged] = []
    publisher = ConsentEvents()
    publisher.subscribe(heard.append)
    session.info[PUBLISHER_KEY] = publisher
    await _invite_relative(session, world, clock, [READ_GOALS])
    grant = await session.scalar(select(Grant).where(Grant.plan_id == world.plan.id))
    assert grant is not None
    await session.commit()
    heard.clear()

    await consents.end_grant(session, citizen(world.owner), world.plan.id, grant.id, clock=clock)
    assert heard == []  # not before the change has committed
    await session.commit()
    assert heard == [ConsentChanged(world.plan.id, world.relative.id, None, "withdrawn")]
    with pytest.raises(NotFound):
        await access.require(
            session, citizen(world.relative), Permission.SEE_PLAN, world.plan.id, clock=clock
        )
    del session.info[PUBLISHER_KEY]


async def test_r_con_4_narrowing_keeps_the_history_of_the_consent(
    session: AsyncSession, world: World, clock: FrozenClock
) -> None:
    owner = citizen(world.owner)
    write = GrantSpec(part=PlanPart.GOALS_ACTIONS, mode=GrantMode.WRITE)
    await _invite_relative(session, world, clock, [write])
    first = await session.scalar(select(Grant).where(Grant.plan_id == world.plan.id))
    assert first is not None
    narrowed = await consents.change_grant(
        session, owner, world.plan.id, first.id, mode=GrantMode.READ, valid_until=None, clock=clock
    )
    assert narrowed.replaces_grant_id == first.id
    assert first.ended_at is not None and narrowed.ended_at is None
    rita = citizen(world.relative)
    with pytest.raises(Forbidden):
        await access.require(session, rita, Permission.PROPOSE_GOAL, world.plan.id, clock=clock)
    await audit.seal_pending(session)
    actions = (
        await session.scalars(select(AuditEvent.action).where(AuditEvent.plan_id == world.plan.id))
    ).all()
    assert "grant.narrowed" in actions and "participant.invited" in actions


async def test_r_con_5_a_grant_stops_after_its_end_date_without_any_job(
    session: AsyncSession, world: World, clock: FrozenClock
) -> None:
    until = today_in_oslo(clock) + timedelta(days=3)
    spec = GrantSpec(part=PlanPart.GOALS_ACTIONS, mode=GrantMode.READ, valid_until=until)
    await _invite_relative(session, world, clock, [spec])
    rita = citizen(world.relative)
    clock.advance(timedelta(days=3))
    await access.require(session, rita, Permission.SEE_PLAN, world.plan.id, clock=clock)
    clock.advance(timedelta(days=1))
    with pytest.raises(NotFound):
        await access.require(session, rita, Permission.SEE_PLAN, world.plan.id, clock=clock)


async def test_bad_input_is_refused_with_a_clear_reason(
    session: AsyncSession, world: World, clock: FrozenClock
) -> None:
    owner = citizen(world.owner)
    past = today_in_oslo(clock) - timedelta(days=1)
    with pytest.raises(InvalidInput) as ended:
        await consents.give_grant(
            session,
            owner,
            world.plan.id,
            uuid.uuid4(),
            GrantSpec(part=PlanPart.NOTES, mode=GrantMode.READ),
            clock=clock,
        )
    assert ended.value.error_code == "not_in_group"
    participant_id = await _invite_relative(session, world, clock, [])
    with pytest.raises(InvalidInput) as in_past:
        await consents.give_grant(
            session,
            owner,
            world.plan.id,
            participant_id,
            GrantSpec(part=PlanPart.NOTES, mode=GrantMode.READ, valid_until=past),
            clock=clock,
        )
    assert in_past.value.error_code == "end_in_past"
    with pytest.raises(InvalidInput) as bad_number:
        await consents.invite_by_number(
            session,
            owner,
            world.plan.id,
            InviteByNumber(identity_number="12345678901", given_name="A", family_name="B"),
            vault=VAULT,
            allow_synthetic=True,
            clock=clock,
        )
    assert bad_number.value.error_code == "bad_identity_number"
    assert "12345678901" not in bad_number.value.detail
    with pytest.raises(InvalidInput) as not_pdf:
        await paper_consents.record_paper_consent(
            session,
            employee(world.coordinator),
            world.plan.id,
            participant_id,
            [READ_GOALS],
            filename="form.pdf",
            content=b"GIF89a not a pdf",
            clock=clock,
        )
    assert not_pdf.value.status == 422


async def test_only_those_who_consent_may_change_grants(
    session: AsyncSession, world: World, clock: FrozenClock
) -> None:
    participant_id = await _invite_relative(session, world, clock, [READ_GOALS])
    for outsider in (citizen(world.relative), employee(world.coordinator), employee(world.ke)):
        with pytest.raises((Forbidden, NotFound)):
            await consents.give_grant(
                session, outsider, world.plan.id, participant_id, READ_GOALS, clock=clock
            )
    with pytest.raises(NotFound):  # a stranger may not know the plan exists
        await consents.give_grant(
            session, citizen(world.stranger), world.plan.id, participant_id, READ_GOALS, clock=clock
        )


async def test_paper_consent_takes_effect_only_when_another_employee_verifies_it(
    session: AsyncSession, world: World, clock: FrozenClock
) -> None:
    participant = await consents.add_employee(
        session,
        employee(world.coordinator),
        world.plan.id,
        world.nurse.id,
        world.home_care.id,
        clock=clock,
    )
    nurse = employee(world.nurse)
    [grant] = await paper_consents.record_paper_consent(
        session,
        employee(world.coordinator),
        world.plan.id,
        participant.id,
        [READ_GOALS],
        filename="samtykke.pdf",
        content=PDF,
        clock=clock,
    )
    with pytest.raises(NotFound):
        await access.require(session, nurse, Permission.SEE_PLAN, world.plan.id, clock=clock)
    with pytest.raises(InvalidInput) as same:
        await paper_consents.verify_paper_consent(
            session, employee(world.coordinator), world.plan.id, grant.id, clock=clock
        )
    assert same.value.error_code == "same_employee"
    await paper_consents.verify_paper_consent(
        session, employee(world.ke), world.plan.id, grant.id, clock=clock
    )
    await access.require(session, nurse, Permission.READ_GOALS_ACTIONS, world.plan.id, clock=clock)


async def test_an_employee_who_leaves_the_unit_loses_access_at_once(
    session: AsyncSession, world: World, clock: FrozenClock
) -> None:
    from app.models import UnitMembership

    participant = await consents.add_employee(
        session,
        citizen(world.owner),
        world.plan.id,
        world.nurse.id,
        world.home_care.id,
        clock=clock,
    )
    await consents.give_grant(
        session, citizen(world.owner), world.plan.id, participant.id, READ_GOALS, clock=clock
    )
    nurse = employee(world.nurse)
    await access.require(session, nurse, Permission.READ_GOALS_ACTIONS, world.plan.id, clock=clock)
    membership = await session.scalar(
        select(UnitMembership).where(UnitMembership.employee_id == world.nurse.id)
    )
    await session.delete(membership)
    await session.flush()
    with pytest.raises(NotFound):
        await access.require(session, nurse, Permission.SEE_PLAN, world.plan.id, clock=clock)


async def test_an_invitation_link_is_used_once_and_expires(
    session: AsyncSession, world: World, clock: FrozenClock
) -> None:
    owner = citizen(world.owner)
    invitation, token = await invitations.create_invitation(
        session, owner, world.plan.id, InviteByLink(grants=[READ_GOALS]), clock=clock
    )
    assert invitation.token_hash != token.encode()
    with pytest.raises(InvalidInput):
        await invitations.accept_invitation(session, owner, token, clock=clock)
    await invitations.accept_invitation(session, citizen(world.stranger), token, clock=clock)
    await access.require(
        session, citizen(world.stranger), Permission.READ_GOALS_ACTIONS, world.plan.id, clock=clock
    )
    with pytest.raises(NotFound):
        await invitations.accept_invitation(session, citizen(world.relative), token, clock=clock)
    _second, late = await invitations.create_invitation(
        session, owner, world.plan.id, InviteByLink(grants=[READ_GOALS]), clock=clock
    )
    clock.advance(timedelta(days=invitations.INVITATION_DAYS, seconds=1))
    with pytest.raises(NotFound):
        await invitations.accept_invitation(session, citizen(world.relative), late, clock=clock)


async def test_r_age_3_youth_access_is_given_by_the_guardian_from_13(
    session: AsyncSession, world: World, clock: FrozenClock
) -> None:
    ida = citizen(world.child)
    with pytest.raises(NotFound):
        await access.require(session, ida, Permission.SEE_PLAN, world.child_plan.id, clock=clock)
    guardian = citizen(world.parent, acting_for=world.child)
    await young_people.set_youth_access(
        session, guardian, world.child_plan.id, on=True, clock=clock
    )
    await access.require(
        session, ida, Permission.READ_GOALS_ACTIONS, world.child_plan.id, clock=clock
    )
    with pytest.raises(Forbidden):  # writing stays with the guardian until 16
        await access.require(
            session, ida, Permission.MANAGE_GRANTS, world.child_plan.id, clock=clock
        )
    await young_people.set_youth_access(
        session, guardian, world.child_plan.id, on=False, clock=clock
    )
    with pytest.raises(NotFound):
        await access.require(session, ida, Permission.SEE_PLAN, world.child_plan.id, clock=clock)


async def test_r_age_4_at_16_grants_the_guardian_gave_wait_for_the_young_persons_confirmation(
    session: AsyncSession, world: World, clock: FrozenClock
) -> None:
    guardian = citizen(world.parent, acting_for=world.child)
    participant = await consents.add_employee(
        session, guardian, world.child_plan.id, world.nurse.id, world.home_care.id, clock=clock
    )
    await consents.give_grant(
        session, guardian, world.child_plan.id, participant.id, READ_GOALS, clock=clock
    )
    ida = citizen(world.child)
    plan, pending = await young_people.grants_to_confirm(session, ida, clock=clock)
    assert plan is None and pending == []  # 14: not yet in charge
    sixteenth = world.child.birth_date.replace(year=world.child.birth_date.year + 16)
    clock.set(clock.now() + (sixteenth - today_in_oslo(clock)))
    plan, pending = await young_people.grants_to_confirm(session, ida, clock=clock)
    assert plan is not None and len(pending) == 1
    assert pending[0].part is PlanPart.GOALS_ACTIONS
    # The grant still holds while it waits: the nurse keeps working.
    await access.require(
        session, employee(world.nurse), Permission.SEE_PLAN, world.child_plan.id, clock=clock
    )
    with pytest.raises(NotFound):  # guardian access ended on the birthday
        await access.require(
            session, guardian, Permission.SEE_PLAN, world.child_plan.id, clock=clock
        )
    assert await young_people.confirm_grants(session, ida, world.child_plan.id, clock=clock) == 1
    assert (await young_people.grants_to_confirm(session, ida, clock=clock))[1] == []


async def test_the_overview_names_everyone_with_access(
    session: AsyncSession, world: World, clock: FrozenClock
) -> None:
    await _invite_relative(session, world, clock, [READ_GOALS])
    found = await group.overview(
        session,
        citizen(world.owner),
        world.plan.id,
        register=DevelopmentPopulationRegister(),
        clock=clock,
    )
    assert found.coordinator is not None and found.coordinator.id == world.coordinator.id
    assert [view.name for view in found.participants] == [world.relative.display_name]
    assert found.can["manage_grants"] is True
    child_view = await group.overview(
        session,
        citizen(world.parent, acting_for=world.child),
        world.child_plan.id,
        register=DevelopmentPopulationRegister(),
        clock=clock,
    )
    assert [guardian.id for guardian in child_view.guardians] == [world.parent.id]
    assert child_view.youth_access is False
    assert born  # the helper is shared with other tests
