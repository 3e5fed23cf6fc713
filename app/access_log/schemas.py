"""The access log's inputs and outputs, shared by the JSON API and the page."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, Field


class Shown(StrEnum):
    """Which rows to show: what was done (the default), or the attempts that were refused."""

    ALLOWED = "allowed"
    DENIED = "denied"


WhoKind = Literal["you", "employee", "person", "system"]


class WhoOut(BaseModel):
    key: str | None = Field(
        description='The filter key of this actor: "p:<uuid>" for a person, "e:<uuid>" for '
        "an employee; null for Samplan itself."
    )
    kind: WhoKind
    name: str | None = Field(description="The person's or employee's name; null for yourself.")
    units: list[str] = Field(description="The employee's units; empty for citizens.")
    role: str | None = Field(description="How they stood to the plan, in plain words.")


class AccessLogEntryOut(BaseModel):
    id: uuid.UUID
    occurred_at: datetime
    who: WhoOut
    on_behalf_of: str | None = Field(description="Whom they acted for, if anyone, by name.")
    what: str = Field(description="What they did, in plain words.")
    outcome: Literal["allowed", "refused"]
    purpose: str | None = Field(description="Why the coordinating unit looked, if it did.")


class AccessLogPersonOut(BaseModel):
    key: str
    kind: WhoKind
    name: str | None
    units: list[str]


class AccessLogOut(BaseModel):
    entries: list[AccessLogEntryOut]
    next_cursor: str | None = Field(description="Pass as `cursor` for older entries.")
    newer_cursor: str | None = Field(description="Pass as `before` for newer entries.")
    people: list[AccessLogPersonOut] = Field(description="Everyone in this log, for the filter.")
    hidden_shielded: bool = Field(
        description="Some entries are not shown: they concern something the young person has "
        "kept from their guardians (R-AGE-2)."
    )
