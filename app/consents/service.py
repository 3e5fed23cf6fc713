"""Consent: who takes part in a plan and what each may see and do (R-CON-1..5, R-AGE-3, R-AGE-4).

Every function asks app/access first. Grants are never edited in place: a change ends the old
row and opens a new one that points back at it, so the history is kept (R-CON-4).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app import access
from app.access import Actor, Permission, audit
from app.clock import Clock, today_in_oslo
from app.consents.events import ConsentChanged, announce
from app.consents.schemas import GrantSpec, InviteByNumber
from app.errors import Conflict, InvalidInput, NotFound
from app.i18n import gettext_noop
from app.models import (
    ConsentMethod,
    Employee,
    Grant,
    GrantMode,
    Participant,
    ParticipantKind,
    Person,
    Plan,
    Unit,
    UnitMembership,
)
from app.people import service as people
from app.people.identity_numbers import InvalidIdentityNumber, parse_identity_number
from app.people.pid_vault import PidVault
from app.timeline import service as timeline

NOT_IN_GROUP = gettext_noop("That person is not in the responsibility group of this plan.")
END_IN_PAST = gettext_noop("The end date has passed. Choose today or a later date.")
BAD_IDENTITY_NUMBER = gettext_noop(
    "That identity number is not valid. Check the 11 digits and try again."
)
OWNER_IS_NOT_A_GUEST = gettext_noop("The plan owner is already part of the plan.")
ALREADY_IN_GROUP = gettext_noop("That person is already in the responsibility group.")
GRANT_NOT_FOUND = gettext_noop("We could not find that consent.")
GRANT_ENDED = gettext_noop("That consent has already ended.")
EMPLOYEE_NOT_IN_UNIT = gettext_noop("That employee does not work in that unit.")
NO_GRANTS = gettext_noop("Choose at least one part of the plan.")
DUPLICATE_PART = gettext_noop("Each part of the plan can be chosen only once.")


def check_specs(specs: Sequence[GrantSpec], today: date) -> None:
    parts = [spec.part for spec in specs]
    if len(parts) != len(set(parts)):
        raise InvalidInput(DUPLICATE_PART, code="duplicate_part")
    for spec in specs:
        if spec.valid_until is not None and spec.valid_until < today:
            raise InvalidInput(END_IN_PAST, code="end_in_past")


async def give_grant(
    session: AsyncSession,
    actor: Actor,
    plan_id: uuid.UUID,
    participant_id: uuid.UUID,
    spec: GrantSpec,
    *,
    clock: Clock,
) -> Grant:
    """Give a participant access to a part; an existing grant for that part is replaced."""
    plan = await access.require(session, actor, Permission.MANAGE_GRANTS, plan_id, clock=clock)
    check_specs([spec], today_in_oslo(clock))
    participant = await current_participant(session, plan, participant_id)
    replaced = await session.scalar(
        select(Grant).where(
            Grant.participant_id == participant.id,
            Grant.part == spec.part,
            Grant.ended_at.is_(None),
        )
    )
    if replaced is not None:
        end_row(replaced, actor, clock)
    grant = new_grant(plan, participant, spec, actor, clock, replaces=replaced)
    session.add(grant)
    await session.flush()
    change = "given" if replaced is None else _direction(replaced, grant)
    await announce_change(session, actor, plan, participant, grant, f"grant.{change}", clock)
    return grant


async def change_grant(
    session: AsyncSession,
    actor: Actor,
    plan_id: uuid.UUID,
    grant_id: uuid.UUID,
    *,
    mode: GrantMode,
    valid_until: date | None,
    clock: Clock,
) -> Grant:
    """Narrow or extend a grant (read/write, end date); the old row stays in the history."""
    plan = await access.require(session, actor, Permission.MANAGE_GRANTS, plan_id, clock=clock)
    old = await open_grant(session, plan, grant_id)
    spec = GrantSpec(part=old.part, mode=mode, valid_until=valid_until)
    check_specs([spec], today_in_oslo(clock))
    participant = await current_participant(session, plan, old.participant_id)
    end_row(old, actor, clock)
    grant = new_grant(plan, participant, spec, actor, clock, replaces=old)
    session.add(grant)
    await session.flush()
    change = _direction(old, grant)
    await announce_change(session, actor, plan, participant, grant, f"grant.{change}", clock)
    return grant


async def end_grant(
    session: AsyncSession, actor: Actor, plan_id: uuid.UUID, grant_id: uuid.UUID, *, clock: Clock
) -> Grant:
    """Withdraw a grant. It takes effect at once: the next request is refused (R-CON-3)."""
    plan = await access.require(session, actor, Permission.MANAGE_GRANTS, plan_id, clock=clock)
    grant = await open_grant(session, plan, grant_id)
    participant = await session.get(Participant, grant.participant_id)
    assert participant is not None
    end_row(grant, actor, clock)
    await session.flush()
    await announce_change(session, actor, plan, participant, grant, "grant.withdrawn", clock)
    return grant


async def remove_participant(
    session: AsyncSession,
    actor: Actor,
    plan_id: uuid.UUID,
    participant_id: uuid.UUID,
    *,
    clock: Clock,
) -> Participant:
    """Take someone out of the group: every grant they hold ends with it."""
    plan = await access.require(session, actor, Permission.MANAGE_GRANTS, plan_id, clock=clock)
    participant = await current_participant(session, plan, participant_id)
    participant.left_at = clock.now()
    for grant in await session.scalars(
        select(Grant).where(Grant.participant_id == participant.id, Grant.ended_at.is_(None))
    ):
        end_row(grant, actor, clock)
    await session.flush()
    await announce_change(session, actor, plan, participant, None, "participant.left", clock)
    return participant


async def invite_by_number(
    session: AsyncSession,
    actor: Actor,
    plan_id: uuid.UUID,
    data: InviteByNumber,
    *,
    vault: PidVault,
    allow_synthetic: bool,
    clock: Clock,
) -> Participant:
    """Add a relative or support person by identity number, with the grants chosen now.

    Whoever may invite but not consent (the coordinator) adds the person without grants; the
    owner's consent then comes electronically or on paper.
    """
    plan = await access.require(session, actor, Permission.INVITE_PARTICIPANT, plan_id, clock=clock)
    today = today_in_oslo(clock)
    check_specs(data.grants, today)
    try:
        number = parse_identity_number(data.identity_number, allow_synthetic=allow_synthetic)
    except InvalidIdentityNumber:
        raise InvalidInput(BAD_IDENTITY_NUMBER, code="bad_identity_number") from None
    person = await people.ensure_person(
        session,
        number,
        given_name=data.given_name.strip(),
        family_name=data.family_name.strip(),
        vault=vault,
        clock=clock,
    )
    participant = await join_group(session, actor, plan, person, data.kind, data.relation, clock)
    if data.grants:
        await access.require(session, actor, Permission.MANAGE_GRANTS, plan.id, clock=clock)
        for spec in data.grants:
            session.add(new_grant(plan, participant, spec, actor, clock))
        await session.flush()
    await announce_change(session, actor, plan, participant, None, "participant.invited", clock)
    return participant


async def add_employee(
    session: AsyncSession,
    actor: Actor,
    plan_id: uuid.UUID,
    employee_id: uuid.UUID,
    unit_id: uuid.UUID,
    *,
    clock: Clock,
) -> Participant:
    """The coordinator (or the owner) brings a service into the group, for one unit."""
    plan = await access.require(session, actor, Permission.INVITE_PARTICIPANT, plan_id, clock=clock)
    works_there = await session.scalar(
        select(UnitMembership.id)
        .join(Unit, Unit.id == UnitMembership.unit_id)
        .join(Employee, Employee.id == UnitMembership.employee_id)
        .where(
            UnitMembership.employee_id == employee_id,
            UnitMembership.unit_id == unit_id,
            Unit.municipality_id == plan.municipality_id,
            Employee.municipality_id == plan.municipality_id,
        )
    )
    if works_there is None:
        raise InvalidInput(EMPLOYEE_NOT_IN_UNIT, code="employee_not_in_unit")
    existing = await session.scalar(
        select(Participant.id).where(
            Participant.plan_id == plan.id,
            Participant.employee_id == employee_id,
            Participant.unit_id == unit_id,
            Participant.left_at.is_(None),
        )
    )
    if existing is not None:
        raise Conflict(ALREADY_IN_GROUP, code="already_in_group")
    participant = Participant(
        plan_id=plan.id,
        kind=ParticipantKind.EMPLOYEE,
        employee_id=employee_id,
        unit_id=unit_id,
        added_by_person_id=actor.person_id,
        added_by_employee_id=actor.employee_id,
        added_at=clock.now(),
    )
    session.add(participant)
    await session.flush()
    await announce_change(session, actor, plan, participant, None, "participant.added", clock)
    return participant


async def join_group(
    session: AsyncSession,
    actor: Actor,
    plan: Plan,
    person: Person,
    kind: ParticipantKind,
    relation: str,
    clock: Clock,
) -> Participant:
    if person.id == plan.owner_id:
        raise InvalidInput(OWNER_IS_NOT_A_GUEST, code="owner_is_not_a_guest")
    existing = await session.scalar(
        select(Participant.id).where(
            Participant.plan_id == plan.id,
            Participant.person_id == person.id,
            Participant.left_at.is_(None),
        )
    )
    if existing is not None:
        raise Conflict(ALREADY_IN_GROUP, code="already_in_group")
    participant = Participant(
        plan_id=plan.id,
        kind=kind if kind is not ParticipantKind.EMPLOYEE else ParticipantKind.RELATIVE,
        person_id=person.id,
        relation=relation.strip(),
        added_by_person_id=actor.person_id,
        added_by_employee_id=actor.employee_id,
        added_at=clock.now(),
    )
    session.add(participant)
    await session.flush()
    return participant


async def current_participant(
    session: AsyncSession, plan: Plan, participant_id: uuid.UUID
) -> Participant:
    participant = await session.scalar(
        select(Participant).where(
            Participant.id == participant_id,
            Participant.plan_id == plan.id,
            Participant.left_at.is_(None),
        )
    )
    if participant is None:
        raise InvalidInput(NOT_IN_GROUP, code="not_in_group")
    return participant


async def open_grant(session: AsyncSession, plan: Plan, grant_id: uuid.UUID) -> Grant:
    grant = await session.scalar(
        select(Grant).where(Grant.id == grant_id, Grant.plan_id == plan.id)
    )
    if grant is None:
        raise NotFound(GRANT_NOT_FOUND, code="grant_not_found")
    if grant.ended_at is not None:
        raise Conflict(GRANT_ENDED, code="grant_ended")
    return grant


def new_grant(
    plan: Plan,
    participant: Participant,
    spec: GrantSpec,
    actor: Actor,
    clock: Clock,
    *,
    replaces: Grant | None = None,
) -> Grant:
    return Grant(
        plan_id=plan.id,
        participant_id=participant.id,
        part=spec.part,
        mode=spec.mode,
        valid_from=today_in_oslo(clock),
        valid_until=spec.valid_until,
        method=ConsentMethod.ELECTRONIC,
        granted_by_person_id=actor.person_id,
        granted_for_person_id=plan.owner_id,
        # The owner's own consent needs no confirmation at 16 (R-AGE-4).
        confirmed_by_owner_at=clock.now() if actor.person_id == plan.owner_id else None,
        replaces_grant_id=replaces.id if replaces else None,
        created_at=clock.now(),
    )


def end_row(grant: Grant, actor: Actor, clock: Clock) -> None:
    grant.ended_at = clock.now()
    grant.ended_by_person_id = actor.person_id
    grant.ended_by_employee_id = actor.employee_id


def _direction(old: Grant, new: Grant) -> str:
    narrower_mode = old.mode is GrantMode.WRITE and new.mode is GrantMode.READ
    wider_mode = old.mode is GrantMode.READ and new.mode is GrantMode.WRITE
    old_end = old.valid_until or date.max
    new_end = new.valid_until or date.max
    if narrower_mode or (not wider_mode and new_end < old_end):
        return "narrowed"
    return "extended"


async def announce_change(
    session: AsyncSession,
    actor: Actor,
    plan: Plan,
    participant: Participant,
    grant: Grant | None,
    action: str,
    clock: Clock,
) -> None:
    """R-CON-4 on the record, and R-CON-3 to whoever holds a live view of the plan."""
    await audit.record_done(
        session,
        actor,
        plan,
        action,
        clock=clock,
        item_type="grant" if grant else "participant",
        item_id=grant.id if grant else participant.id,
    )
    await timeline.record(
        session,
        actor,
        plan,
        kind=action,
        item_type="grant" if grant else "participant",
        item_id=grant.id if grant else participant.id,
        changes=await _what_changed(session, participant, grant),
        clock=clock,
    )
    await announce(
        session,
        ConsentChanged(
            plan.id, participant.person_id, participant.employee_id, action.split(".")[-1]
        ),
    )


async def _what_changed(
    session: AsyncSession, participant: Participant, grant: Grant | None
) -> dict[str, list[object]]:
    """For the timeline: whose access, and to what (R-CON-4: its history is kept)."""
    who = None
    if participant.person_id is not None:
        person = await session.get(Person, participant.person_id)
        who = person.display_name if person else None
    elif participant.employee_id is not None:
        employee = await session.get(Employee, participant.employee_id)
        unit = await session.get(Unit, participant.unit_id) if participant.unit_id else None
        names = (employee.name if employee else None, unit.name if unit else None)
        who = ", ".join(name for name in names if name)
    changes: dict[str, list[object]] = {"participant": [None, who]}
    if grant is not None:
        ended = grant.ended_at is not None
        changes["part"] = [None, grant.part.value]
        changes["mode"] = [grant.mode.value, None] if ended else [None, grant.mode.value]
        if grant.valid_until is not None and not ended:
            changes["valid_until"] = [None, grant.valid_until.isoformat()]
    return changes
