"""Who is asking: the actor every access decision is about (R-REP-4: never an impersonation)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from app.models import Realm


@dataclass(frozen=True)
class Actor:
    realm: Realm
    session_id: uuid.UUID
    display_name: str
    person_id: uuid.UUID | None = None
    employee_id: uuid.UUID | None = None
    municipality_id: uuid.UUID | None = None  # staff belong to one municipality
    # Chosen context: the person a guardian or representative acts for; None means "myself".
    acting_for_person_id: uuid.UUID | None = None
    acting_for_name: str | None = None

    @property
    def is_citizen(self) -> bool:
        return self.realm is Realm.CITIZEN

    def __repr__(self) -> str:
        return f"Actor({self.realm.value}, session={self.session_id})"
