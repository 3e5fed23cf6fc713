"""Inputs and outputs of consent work, shared by the JSON API and the pages."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from app.models import ConsentMethod, GrantMode, ParticipantKind, PlanPart


class GrantSpec(BaseModel):
    part: PlanPart
    mode: GrantMode
    valid_until: date | None = None


class GiveGrant(GrantSpec):
    participant_id: uuid.UUID


class ChangeGrant(BaseModel):
    mode: GrantMode
    valid_until: date | None = None


class InviteByNumber(BaseModel):
    # Typed by the inviter; never echoed back, never logged (R-ID-3).
    identity_number: str = Field(min_length=1, max_length=20, repr=False)
    given_name: str = Field(min_length=1, max_length=200)
    family_name: str = Field(min_length=1, max_length=200)
    kind: ParticipantKind = ParticipantKind.RELATIVE
    relation: str = Field(default="", max_length=100)
    grants: list[GrantSpec] = Field(default_factory=list, max_length=12)


class InviteByLink(BaseModel):
    kind: ParticipantKind = ParticipantKind.RELATIVE
    relation: str = Field(default="", max_length=100)
    grants: list[GrantSpec] = Field(min_length=1, max_length=12)


class AddEmployee(BaseModel):
    employee_id: uuid.UUID
    unit_id: uuid.UUID


class ShieldRequest(BaseModel):
    item_type: str = Field(min_length=1, max_length=30)
    item_id: uuid.UUID


class PersonOut(BaseModel):
    id: uuid.UUID
    name: str


class GrantOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    part: PlanPart
    mode: GrantMode
    valid_from: date
    valid_until: date | None
    method: ConsentMethod
    in_force: bool
    awaiting_verification: bool
    needs_owner_confirmation: bool
    ended_at: datetime | None


class ParticipantOut(BaseModel):
    id: uuid.UUID
    kind: ParticipantKind
    name: str
    unit: str | None
    relation: str
    grants: list[GrantOut]


class InvitationOut(BaseModel):
    id: uuid.UUID
    kind: ParticipantKind
    relation: str
    grants: list[GrantSpec]
    expires_at: datetime
    # Present once, in the answer that created it; only its hash is stored.
    link: str | None = None


class AccessOverviewOut(BaseModel):
    plan_id: uuid.UUID
    owner: PersonOut
    coordinator: str | None
    guardians: list[PersonOut]
    representatives: list[PersonOut]
    youth_access: bool | None  # None when the owner is not 13-15
    participants: list[ParticipantOut]
    invitations: list[InvitationOut]
    can_manage_grants: bool
