from __future__ import annotations

import uuid

from pydantic import BaseModel

from app.models import Realm


class Me(BaseModel):
    """Who is logged in. Never the identity number (R-ID-3)."""

    kind: Realm
    name: str
    person_id: uuid.UUID | None
    employee_id: uuid.UUID | None
    municipality_id: uuid.UUID | None
    acting_for_person_id: uuid.UUID | None
