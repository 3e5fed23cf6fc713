"""The responsibility group as people see it: who can see a plan, and what each may see and do
("Who can see my plan"). Reads only; changes go through app/consents and its neighbours."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app import access
from app.access import Actor, Permission
from app.access.facts import active_youth_access, power_of_attorney_in_force
from app.access.population_register import PopulationRegister
from app.access.rules import GUARDIAN_UNTIL_AGE, YOUTH_ACCESS_FROM_AGE
from app.clock import Clock, today_in_oslo
from app.employees import service as employees
from app.models import (
    ConsentMethod,
    Employee,
    Grant,
    Invitation,
    Participant,
    Person,
    Plan,
    PowerOfAttorney,
    Unit,
)
from app.people.identity_numbers import age_or_zero


@dataclass(frozen=True)
class GrantView:
    grant: Grant
    in_force: bool
    awaiting_verification: bool
    needs_owner_confirmation: bool


@dataclass(frozen=True)
class ParticipantView:
    participant: Participant
    name: str
    unit: str | None
    grants: list[GrantView]


@dataclass(frozen=True)
class Overview:
    plan: Plan
    owner: Person
    owner_age: int
    coordinator: Employee | None
    guardians: Sequence[Person]
    representatives: Sequence[Person]
    youth_access: bool | None
    participants: list[ParticipantView]
    former_participants: list[ParticipantView]
    invitations: Sequence[Invitation]
    can: dict[str, bool] = field(default_factory=dict)
    # Services staff can bring into the group (for staff who may invite).
    staff: Sequence[tuple[Employee, Unit]] = ()


def view_of(grant: Grant, today: date, *, needs_owner_confirmation: bool = False) -> GrantView:
    """A grant with what people are told about it."""
    return GrantView(
        grant=grant,
        in_force=is_in_force(grant, today),
        awaiting_verification=grant.method is ConsentMethod.PAPER and grant.verified_at is None,
        needs_owner_confirmation=needs_owner_confirmation,
    )


def is_in_force(grant: Grant, today: date) -> bool:
    return (
        grant.ended_at is None
        and grant.valid_from <= today
        and (grant.valid_until is None or grant.valid_until >= today)
        and (grant.method is ConsentMethod.ELECTRONIC or grant.verified_at is not None)
    )


def group_permission(actor: Actor) -> Permission:
    """What lets someone see who has access: for citizens, what lets them read the access log;
    for staff, recording paper consent (the coordinator, the KE), which needs the group."""
    return Permission.READ_ACCESS_LOG if actor.is_citizen else Permission.RECORD_PAPER_CONSENT


async def overview(
    session: AsyncSession,
    actor: Actor,
    plan_id: uuid.UUID,
    *,
    register: PopulationRegister,
    clock: Clock,
) -> Overview:
    """ "Who can see my plan": everyone with access, and what each may see and do."""
    plan, can = await access.require_with_capabilities(
        session, actor, group_permission(actor), plan_id, clock=clock
    )
    today = today_in_oslo(clock)
    owner = await session.get(Person, plan.owner_id)
    assert owner is not None
    owner_age = age_or_zero(owner.birth_date, today)
    coordinator = await session.get(Employee, plan.coordinator_id) if plan.coordinator_id else None
    guardians: Sequence[Person] = []
    if owner_age < GUARDIAN_UNTIL_AGE:
        guardians = await register.guardians_of(session, owner)
    representatives = (
        await session.scalars(
            select(Person)
            .join(PowerOfAttorney, PowerOfAttorney.holder_id == Person.id)
            .where(PowerOfAttorney.granter_id == owner.id, power_of_attorney_in_force(clock))
            .order_by(Person.given_name)
        )
    ).all()
    youth_access: bool | None = None
    if YOUTH_ACCESS_FROM_AGE <= owner_age < GUARDIAN_UNTIL_AGE:
        youth_access = await active_youth_access(session, plan.id) is not None
    current, former = await _participants(session, plan, owner, today)
    invitations = (
        await session.scalars(
            select(Invitation)
            .where(
                Invitation.plan_id == plan.id,
                Invitation.accepted_at.is_(None),
                Invitation.revoked_at.is_(None),
                Invitation.expires_at > clock.now(),
            )
            .order_by(Invitation.created_at)
        )
    ).all()
    staff: Sequence[tuple[Employee, Unit]] = ()
    if not actor.is_citizen and can["invite_participant"]:
        staff = await employees.staff_by_unit(session, plan.municipality_id)
    return Overview(
        plan=plan,
        owner=owner,
        owner_age=owner_age,
        coordinator=coordinator,
        guardians=guardians,
        representatives=representatives,
        youth_access=youth_access,
        participants=current,
        former_participants=former,
        invitations=invitations,
        can=can,
        staff=staff,
    )


async def _participants(
    session: AsyncSession, plan: Plan, owner: Person, today: date
) -> tuple[list[ParticipantView], list[ParticipantView]]:
    rows = (
        await session.execute(
            select(Participant, Person, Employee, Unit)
            .outerjoin(Person, Person.id == Participant.person_id)
            .outerjoin(Employee, Employee.id == Participant.employee_id)
            .outerjoin(Unit, Unit.id == Participant.unit_id)
            .where(Participant.plan_id == plan.id)
            .order_by(Participant.added_at)
        )
    ).all()
    grants = (
        await session.scalars(
            select(Grant)
            .where(Grant.plan_id == plan.id, Grant.ended_at.is_(None))
            .order_by(Grant.part)
        )
    ).all()
    by_participant: dict[uuid.UUID, list[GrantView]] = {}
    owner_is_in_charge = age_or_zero(owner.birth_date, today) >= GUARDIAN_UNTIL_AGE
    for grant in grants:
        by_participant.setdefault(grant.participant_id, []).append(
            view_of(
                grant,
                today,
                needs_owner_confirmation=owner_is_in_charge
                and grant.granted_by_person_id not in (None, owner.id)
                and grant.confirmed_by_owner_at is None,
            )
        )
    current: list[ParticipantView] = []
    former: list[ParticipantView] = []
    for participant, person, employee, unit in rows:
        name = person.display_name if person else (employee.name if employee else "")
        view = ParticipantView(
            participant=participant,
            name=name,
            unit=unit.name if unit else None,
            grants=by_participant.get(participant.id, []),
        )
        (former if participant.left_at else current).append(view)
    return current, former
