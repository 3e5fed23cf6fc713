"""Who can see a plan: participants, grants, invitations, youth access, paper consent (R-CON)."""

from __future__ import annotations

import uuid
from datetime import date
from typing import TYPE_CHECKING, Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from pydantic import BaseModel

from app.api.deps import ClockDep, CurrentActor, DbSession, RegisterDep, SettingsDep, VaultDep
from app.clock import today_in_oslo
from app.consents import service as consents
from app.consents.schemas import (
    AccessOverviewOut,
    AddEmployee,
    ChangeGrant,
    GiveGrant,
    GrantOut,
    GrantSpec,
    InvitationOut,
    InviteByLink,
    InviteByNumber,
    ParticipantOut,
    PersonOut,
)
from app.invitations import service as invitations
from app.models import GrantMode, PlanPart
from app.paper_consents import service as paper_consents
from app.responsibility_group import service as group
from app.responsibility_group.service import GrantView
from app.young_people import service as young_people

if TYPE_CHECKING:  # for annotations only: adapters never query plan data (test_single_door)
    from app.models import Invitation, Participant

router = APIRouter(tags=["consent"])
PLAN = "/plans/{plan_id}"


class YouthAccessIn(BaseModel):
    on: bool


class AcceptInvitation(BaseModel):
    token: str


class Confirmed(BaseModel):
    confirmed: int


def grant_out(view: GrantView) -> GrantOut:
    grant = view.grant
    return GrantOut(
        id=grant.id,
        part=grant.part,
        mode=grant.mode,
        valid_from=grant.valid_from,
        valid_until=grant.valid_until,
        method=grant.method,
        in_force=view.in_force,
        awaiting_verification=view.awaiting_verification,
        needs_owner_confirmation=view.needs_owner_confirmation,
        ended_at=grant.ended_at,
    )


def invitation_out(invitation: Invitation, link: str | None = None) -> InvitationOut:
    return InvitationOut(
        id=invitation.id,
        kind=invitation.kind,
        relation=invitation.relation,
        grants=invitations.parse_grants(invitation.grants),
        expires_at=invitation.expires_at,
        link=link,
    )


@router.get(PLAN + "/access", response_model=AccessOverviewOut)
async def who_can_see(
    plan_id: uuid.UUID,
    session: DbSession,
    actor: CurrentActor,
    register: RegisterDep,
    clock: ClockDep,
) -> AccessOverviewOut:
    """Everyone who can see the plan, and what each may see and do."""
    found = await group.overview(session, actor, plan_id, register=register, clock=clock)
    return AccessOverviewOut(
        plan_id=found.plan.id,
        owner=PersonOut(id=found.owner.id, name=found.owner.display_name),
        coordinator=found.coordinator.name if found.coordinator else None,
        guardians=[PersonOut(id=p.id, name=p.display_name) for p in found.guardians],
        representatives=[PersonOut(id=p.id, name=p.display_name) for p in found.representatives],
        youth_access=found.youth_access,
        participants=[
            ParticipantOut(
                id=view.participant.id,
                kind=view.participant.kind,
                name=view.name,
                unit=view.unit,
                relation=view.participant.relation,
                grants=[grant_out(g) for g in view.grants],
            )
            for view in found.participants
        ],
        invitations=[invitation_out(invitation) for invitation in found.invitations],
        can_manage_grants=found.can.get("manage_grants", False),
    )


@router.post(PLAN + "/grants", response_model=GrantOut, status_code=201)
async def give_grant(
    plan_id: uuid.UUID, data: GiveGrant, session: DbSession, actor: CurrentActor, clock: ClockDep
) -> GrantOut:
    """Give a participant access to a part of the plan (replaces their grant for that part)."""
    spec = GrantSpec(part=data.part, mode=data.mode, valid_until=data.valid_until)
    grant = await consents.give_grant(
        session, actor, plan_id, data.participant_id, spec, clock=clock
    )
    return grant_out(group.view_of(grant, today_in_oslo(clock)))


@router.patch(PLAN + "/grants/{grant_id}", response_model=GrantOut)
async def change_grant(
    plan_id: uuid.UUID,
    grant_id: uuid.UUID,
    data: ChangeGrant,
    session: DbSession,
    actor: CurrentActor,
    clock: ClockDep,
) -> GrantOut:
    """Narrow or extend a grant; the answer is the new grant, the old one stays in history."""
    grant = await consents.change_grant(
        session, actor, plan_id, grant_id, mode=data.mode, valid_until=data.valid_until, clock=clock
    )
    return grant_out(group.view_of(grant, today_in_oslo(clock)))


@router.post(PLAN + "/grants/{grant_id}/withdraw", response_model=GrantOut)
async def withdraw_grant(
    plan_id: uuid.UUID,
    grant_id: uuid.UUID,
    session: DbSession,
    actor: CurrentActor,
    clock: ClockDep,
) -> GrantOut:
    """Withdraw a grant: the participant's next request is refused (R-CON-3)."""
    grant = await consents.end_grant(session, actor, plan_id, grant_id, clock=clock)
    return grant_out(group.view_of(grant, today_in_oslo(clock)))


@router.post(PLAN + "/grants/{grant_id}/verify", response_model=GrantOut)
async def verify_paper_consent(
    plan_id: uuid.UUID,
    grant_id: uuid.UUID,
    session: DbSession,
    actor: CurrentActor,
    clock: ClockDep,
) -> GrantOut:
    """Another employee (or the KE) verifies a recorded paper consent; it then takes effect."""
    grant = await paper_consents.verify_paper_consent(
        session, actor, plan_id, grant_id, clock=clock
    )
    return grant_out(group.view_of(grant, today_in_oslo(clock)))


@router.post(PLAN + "/grants/confirm", response_model=Confirmed)
async def confirm_grants(
    plan_id: uuid.UUID, session: DbSession, actor: CurrentActor, clock: ClockDep
) -> Confirmed:
    """At 16: keep the grants a guardian gave (R-AGE-4)."""
    count = await young_people.confirm_grants(session, actor, plan_id, clock=clock)
    return Confirmed(confirmed=count)


def participant_out(participant: Participant, name: str) -> ParticipantOut:
    return ParticipantOut(
        id=participant.id,
        kind=participant.kind,
        name=name,
        unit=None,
        relation=participant.relation,
        grants=[],
    )


@router.post(PLAN + "/paper-consents", response_model=list[GrantOut], status_code=201)
async def record_paper_consent(
    plan_id: uuid.UUID,
    participant_id: Annotated[uuid.UUID, Form()],
    parts: Annotated[list[PlanPart], Form(min_length=1)],
    mode: Annotated[GrantMode, Form()],
    form: Annotated[UploadFile, File(description="The signed consent form, as a PDF")],
    session: DbSession,
    actor: CurrentActor,
    clock: ClockDep,
    valid_until: Annotated[date | None, Form()] = None,
) -> list[GrantOut]:
    """Record a consent the owner signed on paper; it takes effect once another employee
    verifies it (R-CON-4)."""
    specs = [GrantSpec(part=part, mode=mode, valid_until=valid_until) for part in parts]
    grants = await paper_consents.record_paper_consent(
        session,
        actor,
        plan_id,
        participant_id,
        specs,
        filename=form.filename or "",
        content=await form.read(),
        clock=clock,
    )
    today = today_in_oslo(clock)
    return [grant_out(group.view_of(grant, today)) for grant in grants]


@router.post(PLAN + "/participants", response_model=ParticipantOut, status_code=201)
async def invite_by_number(
    plan_id: uuid.UUID,
    data: InviteByNumber,
    session: DbSession,
    actor: CurrentActor,
    vault: VaultDep,
    settings: SettingsDep,
    clock: ClockDep,
) -> ParticipantOut:
    """Add a relative or support person by identity number (never shown back)."""
    participant = await consents.invite_by_number(
        session,
        actor,
        plan_id,
        data,
        vault=vault,
        allow_synthetic=not settings.is_production,
        clock=clock,
    )
    name = f"{data.given_name.strip()} {data.family_name.strip()}"
    return participant_out(participant, name)


@router.post(PLAN + "/participants/employees", response_model=ParticipantOut, status_code=201)
async def add_employee(
    plan_id: uuid.UUID, data: AddEmployee, session: DbSession, actor: CurrentActor, clock: ClockDep
) -> ParticipantOut:
    """Bring an employee into the group for one of their units; grants follow by consent."""
    participant = await consents.add_employee(
        session, actor, plan_id, data.employee_id, data.unit_id, clock=clock
    )
    return participant_out(participant, "")


@router.post(PLAN + "/participants/{participant_id}/remove", status_code=204)
async def remove_participant(
    plan_id: uuid.UUID,
    participant_id: uuid.UUID,
    session: DbSession,
    actor: CurrentActor,
    clock: ClockDep,
) -> None:
    """Take someone out of the group; all their grants end at once."""
    await consents.remove_participant(session, actor, plan_id, participant_id, clock=clock)


@router.post(PLAN + "/invitations", response_model=InvitationOut, status_code=201)
async def create_invitation(
    request: Request,
    plan_id: uuid.UUID,
    data: InviteByLink,
    session: DbSession,
    actor: CurrentActor,
    clock: ClockDep,
) -> InvitationOut:
    """A one-time invitation link; the link is in this answer only."""
    invitation, token = await invitations.create_invitation(
        session, actor, plan_id, data, clock=clock
    )
    link = str(request.url_for("invitation", token=token))
    return invitation_out(invitation, link)


@router.post(PLAN + "/invitations/{invitation_id}/revoke", status_code=204)
async def revoke_invitation(
    plan_id: uuid.UUID,
    invitation_id: uuid.UUID,
    session: DbSession,
    actor: CurrentActor,
    clock: ClockDep,
) -> None:
    """Withdraw an invitation link that has not been used; it stops working at once."""
    await invitations.revoke_invitation(session, actor, plan_id, invitation_id, clock=clock)


@router.post("/invitations/accept", response_model=ParticipantOut, status_code=201)
async def accept_invitation(
    data: AcceptInvitation, session: DbSession, actor: CurrentActor, clock: ClockDep
) -> ParticipantOut:
    """Join a plan with the grants an invitation names, as yourself."""
    participant = await invitations.accept_invitation(session, actor, data.token, clock=clock)
    return participant_out(participant, actor.display_name)


@router.put(PLAN + "/youth-access", status_code=204)
async def set_youth_access(
    plan_id: uuid.UUID,
    data: YouthAccessIn,
    session: DbSession,
    actor: CurrentActor,
    clock: ClockDep,
) -> None:
    """A guardian lets a child of 13-15 read their plan, or stops it (R-AGE-3)."""
    await young_people.set_youth_access(session, actor, plan_id, on=data.on, clock=clock)
