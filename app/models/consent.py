"""Who takes part in a plan and what the owner consented to (R-CON-1..5, R-AGE-2, R-AGE-3).

Grants are never edited in place: narrowing, extending or ending one closes the row and, where
something remains, opens a new one that points back at it, so the history of every consent is
kept (R-CON-4).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, IdMixin, str_enum


class PlanPart(StrEnum):
    """The parts of a plan a grant can cover (R-CON-2)."""

    LIFE_SITUATION = "life_situation"
    GOALS_ACTIONS = "goals_actions"
    NOTES = "notes"
    MESSAGES = "messages"
    DOCUMENTS = "documents"
    MEETINGS = "meetings"


class GrantMode(StrEnum):
    READ = "read"
    WRITE = "write"  # write includes read


class ConsentMethod(StrEnum):
    ELECTRONIC = "electronic"  # given in the portal, logged in at level high
    PAPER = "paper"  # a signed form, uploaded by an employee and verified by another


class ParticipantKind(StrEnum):
    RELATIVE = "relative"
    SUPPORT_PERSON = "support_person"
    EMPLOYEE = "employee"


class Participant(IdMixin, Base):
    """A member of the responsibility group besides the owner, guardians, representatives and
    the coordinator, whose places follow from the register, the fullmakt and the appointment."""

    __tablename__ = "participant"

    plan_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("plan.id", ondelete="RESTRICT"), index=True
    )
    kind: Mapped[ParticipantKind] = mapped_column(str_enum(ParticipantKind, 20))
    person_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("person.id", ondelete="RESTRICT"), index=True
    )
    employee_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("employee.id", ondelete="RESTRICT"), index=True
    )
    # An employee takes part for a unit; leaving the unit ends the access at once.
    unit_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("unit.id", ondelete="RESTRICT"))
    # How the owner knows them, in the inviter's words ("aunt", "contact teacher").
    relation: Mapped[str] = mapped_column(String(100), default="")
    added_by_person_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("person.id", ondelete="RESTRICT")
    )
    added_by_employee_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("employee.id", ondelete="RESTRICT")
    )
    added_at: Mapped[datetime]
    left_at: Mapped[datetime | None]


class Grant(IdMixin, Base):
    """The owner's consent for one participant and one part of the plan (R-CON-2, R-CON-4)."""

    __tablename__ = "consent_grant"
    __table_args__ = (Index("ix_consent_grant_participant_part", "participant_id", "part"),)

    plan_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("plan.id", ondelete="RESTRICT"), index=True
    )
    participant_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("participant.id", ondelete="RESTRICT")
    )
    part: Mapped[PlanPart] = mapped_column(str_enum(PlanPart, 20))
    mode: Mapped[GrantMode] = mapped_column(str_enum(GrantMode, 10))
    valid_from: Mapped[date]
    valid_until: Mapped[date | None]  # stops at the end of this day, no job needed (R-CON-5)
    method: Mapped[ConsentMethod] = mapped_column(str_enum(ConsentMethod, 20))
    # Who consented: the owner, or whoever consents for them, and in whose name.
    granted_by_person_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("person.id", ondelete="RESTRICT")
    )
    granted_for_person_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("person.id", ondelete="RESTRICT")
    )
    # Paper consent: the employee who recorded the signed form, the form, and its verification.
    recorded_by_employee_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("employee.id", ondelete="RESTRICT")
    )
    document_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("document.id", ondelete="RESTRICT")
    )
    verified_by_employee_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("employee.id", ondelete="RESTRICT")
    )
    verified_at: Mapped[datetime | None]
    # R-AGE-4: a grant a guardian gave is confirmed (or changed) by the young person at 16.
    confirmed_by_owner_at: Mapped[datetime | None]
    replaces_grant_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("consent_grant.id", ondelete="RESTRICT")
    )
    ended_at: Mapped[datetime | None]
    ended_by_person_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("person.id", ondelete="RESTRICT")
    )
    ended_by_employee_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("employee.id", ondelete="RESTRICT")
    )
    created_at: Mapped[datetime]


class Invitation(IdMixin, Base):
    """A one-time link that lets a relative or support person join with the grants it names."""

    __tablename__ = "invitation"

    plan_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("plan.id", ondelete="RESTRICT"), index=True
    )
    token_hash: Mapped[bytes] = mapped_column(LargeBinary(32), unique=True)
    kind: Mapped[ParticipantKind] = mapped_column(str_enum(ParticipantKind, 20))
    relation: Mapped[str] = mapped_column(String(100), default="")
    # "part:mode" pairs, e.g. "goals_actions:read,meetings:read" (parsed by app/access/consent).
    grants: Mapped[str] = mapped_column(String(300))
    grants_until: Mapped[date | None]
    created_by_person_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("person.id", ondelete="RESTRICT")
    )
    created_for_person_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("person.id", ondelete="RESTRICT")
    )
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    accepted_at: Mapped[datetime | None]
    accepted_by_person_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("person.id", ondelete="RESTRICT")
    )
    revoked_at: Mapped[datetime | None]


class YouthAccess(IdMixin, Base):
    """A guardian's consent that a child from 13 may log in and read their plan (R-AGE-3)."""

    __tablename__ = "youth_access"

    plan_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("plan.id", ondelete="RESTRICT"), index=True
    )
    granted_by_person_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("person.id", ondelete="RESTRICT")
    )
    created_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
    ended_by_person_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("person.id", ondelete="RESTRICT")
    )


class ShieldedItem(IdMixin, Base):
    """An item a child of 12-15 keeps from their guardians (R-AGE-2)."""

    __tablename__ = "shielded_item"
    __table_args__ = (Index("ix_shielded_item_plan_item", "plan_id", "item_type", "item_id"),)

    plan_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("plan.id", ondelete="RESTRICT"))
    item_type: Mapped[str] = mapped_column(String(30))
    item_id: Mapped[uuid.UUID]
    shielded_by_person_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("person.id", ondelete="RESTRICT")
    )
    shielded_by_employee_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("employee.id", ondelete="RESTRICT")
    )
    created_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
