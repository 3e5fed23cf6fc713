"""Inputs and outputs of fullmakt work, shared by the JSON API and the pages.

Outputs name people by opaque id and display name, never by identity number (R-ID-3).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, Field

from app.models import PlanPart

ALL_PARTS = "all"


class PowerOfAttorneyStatus(StrEnum):
    AWAITING_VERIFICATION = "awaiting_verification"
    IN_FORCE = "in_force"
    REJECTED = "rejected"
    ENDED = "ended"
    EXPIRED = "expired"


class PowerOfAttorneyCreate(BaseModel):
    """A fullmakt the granter gives; the signed document comes alongside as a PDF."""

    # Typed by the granter; never echoed back, logged or shown (R-ID-3).
    holder_identity_number: str = Field(min_length=1, max_length=20, repr=False)
    # Used only when Samplan does not know the holder yet.
    holder_given_name: str = Field(default="", max_length=200)
    holder_family_name: str = Field(default="", max_length=200)
    # "all", or plan parts (life_situation, goals_actions, notes, messages, documents, meetings).
    parts: list[str] = Field(default_factory=list, max_length=12)
    # False: the holder may read only; True: the holder may also act for the granter.
    acts: bool = False
    manages_consent: bool = False
    valid_until: date | None = None


class PersonRef(BaseModel):
    id: uuid.UUID
    name: str


class DocumentRef(BaseModel):
    filename: str
    size: int


class PowerOfAttorneyOut(BaseModel):
    id: uuid.UUID
    status: PowerOfAttorneyStatus
    granter: PersonRef
    holder: PersonRef
    all_parts: bool
    parts: list[PlanPart]
    acts: bool
    manages_consent: bool
    valid_from: date
    valid_until: date | None
    created_at: datetime
    verified_at: datetime | None
    rejected_at: datetime | None
    ended_at: datetime | None
    document: DocumentRef | None
    # For the logged-in person: "granter" or "holder"; None on the coordinating unit's lists.
    you_are: Literal["granter", "holder"] | None = None
