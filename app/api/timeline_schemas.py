"""Outputs of the plan's timeline in the API (issue #6), and its filter choices."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel

# The timeline's filter choices: the keys of app.timeline.service.FILTERS (a test holds them
# equal, so a new kind of change can be filtered through the API as on the page).
TimelineKind = Literal["goals", "actions", "notes", "own_words", "frame", "people", "messages"]


class TimelineEntryOut(BaseModel):
    id: uuid.UUID
    at: datetime
    kind: str
    part: str
    item_type: str
    item_id: uuid.UUID | None
    item_version: int | None
    parent_type: str | None
    parent_id: uuid.UUID | None
    changes: dict[str, Any]  # {field: [before, after]}
    who: str
    unit: str | None
    on_behalf_of: str | None


class TimelinePersonOut(BaseModel):
    key: str  # the value for ?person=
    name: str


class TimelineOut(BaseModel):
    entries: list[TimelineEntryOut]
    next: str | None  # the cursor for ?before=, or null on the last page
    people: list[TimelinePersonOut]
    hidden_shielded: bool  # some changes are shielded from you by the young person (R-AGE-2)
