"""app/powers_of_attorney/service.py: register, list, end, verify, reject (R-REP-1, R-REP-3)."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.access import audit
from app.access.population_register import DevelopmentPopulationRegister
from app.access.representation import people_actor_may_act_for
from app.clock import today_in_oslo
from app.errors import Conflict, Forbidden, InvalidInput, NotFound, TooLarge
from app.models import AuditEvent, Document, Person, PowerOfAttorney
from app.people.identity_numbers import make_synthetic_identity_number
from app.plans import service as plans
from app.powers_of_attorney import service as powers
from app.powers_of_attorney.schemas import PowerOfAttorneyCreate, PowerOfAttorneyStatus
from tests.factories import make_person
from tests.powers_of_attorney.conftest import PDF, World, citizen, employee
from tests.support.clock import FrozenClock

TODAY = date(2026, 11, 23)  # the frozen clock's date in Oslo


def _data(number: str, **changes: object) -> PowerOfAttorneyCreate:
    values: dict[str, object] = {
        "holder_identity_number": number,
        "holder_given_name": "Ny",
        "holder_family_name": "Person",
        "parts": ["all"],
        "acts": True,
    }
    values.update(changes)
    return PowerOfAttorneyCreate.model_validate(values)


async def _register(
    session: AsyncSession,
    world: World,
    clock: FrozenClock,
    *,
    granter: Person | None = None,
    number: str | None = None,
    content: bytes = PDF,
    filename: str = "fullmakt.pdf",
    **changes: object,
) -> powers.PowerOfAttorneyView:
    return await powers.register(
        session,
        citizen(granter or world.per),
        _data(number or world.liv_number, **changes),
        content,
        filename,
        vault=world.vault,
        allow_synthetic=True,
        clock=clock,
    )


async def _may_act_for(session: AsyncSession, holder: Person, clock: FrozenClock) -> list[str]:
    options = await people_actor_may_act_for(
        session, citizen(holder), register=DevelopmentPopulationRegister(), clock=clock
    )
    return [option.person.display_name for option in options]


async def _person_with_plan(
    session: AsyncSession, world: World, clock: FrozenClock, born: date, serial: int
) -> Person:
    person = await make_person(
        session, clock=clock, born=born, serial=serial, given_name="Ung", vault=world.vault
    )
    await plans.start_plan(
        session,
        world.municipality,
        person,
        coordinator=None,
        period_start=TODAY,
        period_end=TODAY + timedelta(days=100),
        revision_date=TODAY + timedelta(days=50),
        clock=clock,
    )
    return person


async def test_r_rep_1_the_granter_registers_and_it_waits_for_verification(
    session: AsyncSession, world: World, clock: FrozenClock
) -> None:
    view = await _register(session, world, clock, parts=["goals_actions", "messages"])
    assert view.status is PowerOfAttorneyStatus.AWAITING_VERIFICATION
    assert view.you_are == "granter"
    power = view.power
    assert (power.granter_id, power.holder_id) == (world.per.id, world.liv.id)
    assert power.municipality_id == world.municipality.id
    assert power.scope == "goals_actions,messages" and power.acts and not power.manages_consent
    assert power.valid_from == TODAY and power.valid_until is None
    assert power.registered_by_person_id == world.per.id
    document = await session.get(Document, power.document_id)
    assert document is not None and document.size == len(PDF)
    assert document.uploaded_by_person_id == world.per.id
    # Not in force before the coordinating unit has verified it.
    assert await _may_act_for(session, world.liv, clock) == []
    await audit.seal_pending(session)
    actions = (await session.scalars(select(AuditEvent.action))).all()
    assert "power_of_attorney.register" in actions
    assert "manage_powers_of_attorney" in actions


async def test_r_rep_1_every_part_chosen_is_stored_as_all(
    session: AsyncSession, world: World, clock: FrozenClock
) -> None:
    parts = ["life_situation", "goals_actions", "notes", "messages", "documents", "meetings"]
    view = await _register(session, world, clock, parts=parts)
    assert view.power.scope == "all" and view.all_parts


@pytest.mark.parametrize(
    ("parts", "code"),
    [
        ([], "no_parts"),
        ([""], "no_parts"),
        (["diary"], "unknown_part"),
        (["notes", "x"], "unknown_part"),
    ],
)
async def test_r_rep_1_the_scope_must_name_known_parts(
    session: AsyncSession, world: World, clock: FrozenClock, parts: list[str], code: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        await _register(session, world, clock, parts=parts)
    assert caught.value.error_code == code


async def test_r_rep_1_holder_who_turns_18_today_may_hold_one(
    session: AsyncSession, world: World, clock: FrozenClock
) -> None:
    number = make_synthetic_identity_number(date(2008, 11, 23), serial=5)
    view = await _register(session, world, clock, number=number)
    assert view.holder.display_name == "Ny Person"
    assert view.holder.birth_date == date(2008, 11, 23)


async def test_r_rep_1_holder_who_turns_18_tomorrow_is_refused(
    session: AsyncSession, world: World, clock: FrozenClock
) -> None:
    number = make_synthetic_identity_number(date(2008, 11, 24), serial=5)
    with pytest.raises(InvalidInput) as caught:
        await _register(session, world, clock, number=number)
    assert caught.value.error_code == "holder_too_young"
    assert "18" in caught.value.detail
    assert (await session.scalars(select(PowerOfAttorney))).all() == []


async def test_r_rep_1_a_known_holder_under_18_is_refused_by_their_registered_birth_date(
    session: AsyncSession, world: World, clock: FrozenClock
) -> None:
    young = await make_person(
        session, clock=clock, born=date(2009, 1, 1), serial=6, vault=world.vault
    )
    number = make_synthetic_identity_number(young.birth_date, serial=6)
    with pytest.raises(InvalidInput) as caught:
        await _register(session, world, clock, number=number)
    assert caught.value.error_code == "holder_too_young"


async def test_r_rep_1_granter_who_turns_16_today_may_give_one(
    session: AsyncSession, world: World, clock: FrozenClock
) -> None:
    granter = await _person_with_plan(session, world, clock, date(2010, 11, 23), serial=7)
    view = await _register(session, world, clock, granter=granter)
    assert view.status is PowerOfAttorneyStatus.AWAITING_VERIFICATION


async def test_r_rep_1_granter_who_turns_16_tomorrow_is_refused(
    session: AsyncSession, world: World, clock: FrozenClock
) -> None:
    granter = await _person_with_plan(session, world, clock, date(2010, 11, 24), serial=7)
    with pytest.raises(Forbidden) as caught:
        await _register(session, world, clock, granter=granter)
    assert caught.value.error_code == "granter_too_young"
    assert "16" in caught.value.detail


async def test_r_rep_1_nobody_can_give_a_power_of_attorney_to_themself(
    session: AsyncSession, world: World, clock: FrozenClock
) -> None:
    own_number = make_synthetic_identity_number(world.per.birth_date, serial=1)
    with pytest.raises(InvalidInput) as caught:
        await _register(session, world, clock, number=own_number)
    assert caught.value.error_code == "holder_is_granter"


async def test_r_rep_1_an_end_date_in_the_past_is_refused_and_today_is_fine(
    session: AsyncSession, world: World, clock: FrozenClock
) -> None:
    with pytest.raises(InvalidInput) as caught:
        await _register(session, world, clock, valid_until=TODAY - timedelta(days=1))
    assert caught.value.error_code == "end_date_in_past"
    view = await _register(session, world, clock, valid_until=TODAY)
    assert view.power.valid_until == TODAY


@pytest.mark.parametrize(
    ("content", "error", "code"),
    [
        (b"", InvalidInput, "empty_file"),
        (b"GIF89a", InvalidInput, "not_a_pdf"),
        (b"%PDF-1.7\n" + b"0" * (10 * 1024 * 1024) + b"%%EOF", TooLarge, "file_too_large"),
    ],
)
async def test_r_rep_1_the_signed_document_must_be_a_pdf_of_at_most_10_mb(
    session: AsyncSession,
    world: World,
    clock: FrozenClock,
    content: bytes,
    error: type[Exception],
    code: str,
) -> None:
    with pytest.raises(error) as caught:
        await _register(session, world, clock, content=content)
    assert getattr(caught.value, "error_code", None) == code
    assert (await session.scalars(select(Document))).all() == []


@pytest.mark.parametrize("number", ["12345678901", "1234", "abcdefghijk"])
async def test_r_id_3_a_bad_identity_number_is_refused_without_repeating_it(
    session: AsyncSession, world: World, clock: FrozenClock, number: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        await _register(session, world, clock, number=number)
    assert caught.value.error_code == "bad_identity_number"
    assert number not in caught.value.detail


async def test_synthetic_numbers_are_refused_where_the_deployment_says_so(
    session: AsyncSession, world: World, clock: FrozenClock
) -> None:
    with pytest.raises(InvalidInput) as caught:
        await powers.register(
            session,
            citizen(world.per),
            _data(world.liv_number),
            PDF,
            "f.pdf",
            vault=world.vault,
            allow_synthetic=False,
            clock=clock,
        )
    assert caught.value.error_code == "bad_identity_number"


async def test_a_granter_without_a_plan_is_told_to_contact_the_coordinating_unit(
    session: AsyncSession, world: World, clock: FrozenClock
) -> None:
    with pytest.raises(InvalidInput) as caught:
        await _register(session, world, clock, granter=world.liv, number=world.liv_number)
    assert caught.value.error_code == "no_plan"


@pytest.mark.parametrize("side", ["granter", "holder"])
async def test_r_rep_3_a_confidential_address_on_either_side_is_refused_without_saying_so(
    session: AsyncSession, world: World, clock: FrozenClock, side: str
) -> None:
    (world.per if side == "granter" else world.liv).confidential_address = True
    await session.flush()
    with pytest.raises(InvalidInput) as caught:
        await _register(session, world, clock)
    assert caught.value.error_code == "not_possible_in_portal"
    assert caught.value.detail == (
        "This power of attorney cannot be registered in the portal. Contact the coordinating unit."
    )
    assert "address" not in caught.value.detail


async def test_r_rep_3_representation_ends_when_an_address_becomes_confidential(
    session: AsyncSession, world: World, clock: FrozenClock
) -> None:
    view = await _register(session, world, clock)
    await powers.verify(session, employee(world.kari), view.power.id, clock=clock)
    assert await _may_act_for(session, world.liv, clock) == ["Per Mikkelsen"]
    world.per.confidential_address = True
    assert await _may_act_for(session, world.liv, clock) == []
    world.per.confidential_address = False
    world.liv.confidential_address = True
    assert await _may_act_for(session, world.liv, clock) == []


async def test_a_new_holder_needs_a_name_and_a_known_holder_keeps_theirs(
    session: AsyncSession, world: World, clock: FrozenClock
) -> None:
    number = make_synthetic_identity_number(date(1980, 1, 1), serial=8)
    with pytest.raises(InvalidInput) as caught:
        await _register(session, world, clock, number=number, holder_given_name=" ")
    assert caught.value.error_code == "holder_name_needed"
    view = await _register(
        session, world, clock, holder_given_name="Feil", holder_family_name="Navn"
    )
    assert view.holder.id == world.liv.id and view.holder.display_name == "Liv Mikkelsen"


async def test_the_same_holder_cannot_be_given_a_second_open_one(
    session: AsyncSession, world: World, clock: FrozenClock
) -> None:
    first = await _register(session, world, clock)
    with pytest.raises(Conflict):
        await _register(session, world, clock)
    await powers.end(session, citizen(world.per), first.power.id, clock=clock)
    second = await _register(session, world, clock)
    assert second.power.id != first.power.id


async def test_only_the_granter_in_person_registers(
    session: AsyncSession, world: World, clock: FrozenClock
) -> None:
    with pytest.raises(Forbidden) as caught:
        await powers.register(
            session,
            citizen(world.liv, acting_for=world.per),
            _data(world.liv_number),
            PDF,
            "f.pdf",
            vault=world.vault,
            allow_synthetic=True,
            clock=clock,
        )
    assert caught.value.error_code == "act_as_yourself"
    with pytest.raises(Forbidden):
        await powers.register(
            session,
            employee(world.kari),
            _data(world.liv_number),
            PDF,
            "f.pdf",
            vault=world.vault,
            allow_synthetic=True,
            clock=clock,
        )


async def test_each_side_lists_it_and_nobody_else_does(
    session: AsyncSession, world: World, clock: FrozenClock
) -> None:
    view = await _register(session, world, clock)
    given = await powers.list_for_person(session, citizen(world.per), clock=clock)
    held = await powers.list_for_person(session, citizen(world.liv), clock=clock)
    assert [(v.power.id, v.you_are) for v in given] == [(view.power.id, "granter")]
    assert [(v.power.id, v.you_are) for v in held] == [(view.power.id, "holder")]
    stranger = await make_person(session, clock=clock, serial=9, vault=world.vault)
    assert await powers.list_for_person(session, citizen(stranger), clock=clock) == []
    assert await powers.list_for_person(session, employee(world.kari), clock=clock) == []


@pytest.mark.parametrize("side", ["granter", "holder"])
async def test_r_rep_1_either_side_ends_it_at_once(
    session: AsyncSession, world: World, clock: FrozenClock, side: str
) -> None:
    view = await _register(session, world, clock)
    await powers.verify(session, employee(world.kari), view.power.id, clock=clock)
    assert await _may_act_for(session, world.liv, clock) == ["Per Mikkelsen"]
    party = world.per if side == "granter" else world.liv
    ended = await powers.end(session, citizen(party), view.power.id, clock=clock)
    assert ended.status is PowerOfAttorneyStatus.ENDED
    assert ended.power.ended_at == clock.now() and ended.power.ended_by_person_id == party.id
    assert await _may_act_for(session, world.liv, clock) == []
    with pytest.raises(Conflict):
        await powers.end(session, citizen(party), view.power.id, clock=clock)
    await audit.seal_pending(session)
    assert await session.scalar(
        select(AuditEvent.id).where(
            AuditEvent.action == "power_of_attorney.end", AuditEvent.actor_person_id == party.id
        )
    )


async def test_someone_who_is_neither_side_cannot_end_it_or_know_it_exists(
    session: AsyncSession, world: World, clock: FrozenClock
) -> None:
    view = await _register(session, world, clock)
    stranger = await make_person(session, clock=clock, serial=9, vault=world.vault)
    for actor in (citizen(stranger), employee(world.kari)):
        with pytest.raises(NotFound):
            await powers.end(session, actor, view.power.id, clock=clock)
    with pytest.raises(NotFound):
        await powers.end(session, citizen(world.per), uuid.uuid4(), clock=clock)
    await audit.seal_pending(session)
    denied = (
        await session.scalars(
            select(AuditEvent.outcome).where(AuditEvent.action == "power_of_attorney.party")
        )
    ).all()
    assert denied.count("not_found") == 3


async def test_r_rep_1_the_coordinating_unit_sees_pending_ones_of_its_own_municipality(
    session: AsyncSession, world: World, clock: FrozenClock
) -> None:
    view = await _register(session, world, clock)
    pending = await powers.pending_for_municipality(session, employee(world.kari), clock=clock)
    assert [v.power.id for v in pending] == [view.power.id]
    assert await powers.pending_for_municipality(session, employee(world.siv), clock=clock) == []
    for actor in (employee(world.ola), citizen(world.per)):
        with pytest.raises(Forbidden):
            await powers.pending_for_municipality(session, actor, clock=clock)


async def test_r_rep_1_verification_makes_it_take_effect(
    session: AsyncSession, world: World, clock: FrozenClock
) -> None:
    view = await _register(session, world, clock)
    verified = await powers.verify(session, employee(world.kari), view.power.id, clock=clock)
    assert verified.status is PowerOfAttorneyStatus.IN_FORCE
    assert verified.power.verified_by_id == world.kari.id
    assert verified.power.verified_at == clock.now()
    assert await _may_act_for(session, world.liv, clock) == ["Per Mikkelsen"]
    assert await powers.pending_for_municipality(session, employee(world.kari), clock=clock) == []
    with pytest.raises(Conflict):
        await powers.verify(session, employee(world.kari), view.power.id, clock=clock)


async def test_r_rep_1_a_rejected_one_never_takes_effect(
    session: AsyncSession, world: World, clock: FrozenClock
) -> None:
    view = await _register(session, world, clock)
    rejected = await powers.reject(session, employee(world.kari), view.power.id, clock=clock)
    assert rejected.status is PowerOfAttorneyStatus.REJECTED
    assert await _may_act_for(session, world.liv, clock) == []
    with pytest.raises(Conflict):
        await powers.verify(session, employee(world.kari), view.power.id, clock=clock)
    with pytest.raises(Conflict):
        await powers.end(session, citizen(world.per), view.power.id, clock=clock)


async def test_only_the_coordinating_unit_of_its_municipality_verifies_rejects_or_downloads(
    session: AsyncSession, world: World, clock: FrozenClock
) -> None:
    view = await _register(session, world, clock)
    for action in (powers.verify, powers.reject, powers.document):
        with pytest.raises(NotFound):  # another municipality: it does not exist for them
            await action(session, employee(world.siv), view.power.id, clock=clock)
        with pytest.raises(Forbidden):  # same municipality, not the coordinating unit
            await action(session, employee(world.ola), view.power.id, clock=clock)
        for person in (world.per, world.liv):
            with pytest.raises(Forbidden):
                await action(session, citizen(person), view.power.id, clock=clock)
    with pytest.raises(NotFound):
        await powers.verify(session, employee(world.kari), uuid.uuid4(), clock=clock)
    assert view.status is PowerOfAttorneyStatus.AWAITING_VERIFICATION


async def test_the_coordinating_unit_downloads_the_document_and_it_is_logged(
    session: AsyncSession, world: World, clock: FrozenClock
) -> None:
    view = await _register(session, world, clock, filename="Fullmakt Per.pdf")
    found, content = await powers.document(
        session, employee(world.kari), view.power.id, clock=clock
    )
    assert content == PDF and found.filename == "Fullmakt Per.pdf"
    await audit.seal_pending(session)
    row = await session.scalar(
        select(AuditEvent).where(AuditEvent.action == "power_of_attorney.document.download")
    )
    assert row is not None and row.actor_employee_id == world.kari.id
    assert row.item_id == view.power.id and row.municipality_id == world.municipality.id


async def test_r_rep_1_it_expires_after_its_end_date_without_any_job(
    session: AsyncSession, world: World, clock: FrozenClock
) -> None:
    view = await _register(session, world, clock, valid_until=TODAY + timedelta(days=1))
    await powers.verify(session, employee(world.kari), view.power.id, clock=clock)
    clock.advance(timedelta(days=1))
    assert await _may_act_for(session, world.liv, clock) == ["Per Mikkelsen"]
    clock.advance(timedelta(days=1))
    assert await _may_act_for(session, world.liv, clock) == []
    (mine,) = await powers.list_for_person(session, citizen(world.per), clock=clock)
    assert mine.status is PowerOfAttorneyStatus.EXPIRED
    assert today_in_oslo(clock) == TODAY + timedelta(days=2)


async def test_an_expired_unverified_one_leaves_the_pending_list(
    session: AsyncSession, world: World, clock: FrozenClock
) -> None:
    await _register(session, world, clock, valid_until=TODAY)
    clock.advance(timedelta(days=1))
    assert await powers.pending_for_municipality(session, employee(world.kari), clock=clock) == []
    (mine,) = await powers.list_for_person(session, citizen(world.per), clock=clock)
    assert mine.status is PowerOfAttorneyStatus.EXPIRED
    with pytest.raises(Conflict):
        await powers.verify(session, employee(world.kari), mine.power.id, clock=clock)
