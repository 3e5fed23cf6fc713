"""Who is asking: the actor every access decision is about (R-REP-4: never an impersonation)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from enum import StrEnum

from app.models import Realm


class ActingBasis(StrEnum):
    PARENTAL_RESPONSIBILITY = "parental_responsibility"
    POWER_OF_ATTORNEY = "power_of_attorney"


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
    # Why the actor may act for them, confirmed against the register and the clock for
    # every request (app/access/representation.py: confirm_context).
    acting_basis: ActingBasis | None = None
    power_of_attorney_id: uuid.UUID | None = None
    # The name of someone the actor acted for until this request (a 16th birthday, an ended
    # fullmakt), so the page can say why the context changed.
    context_ended_for: str | None = None
    # The assurance level of the login (ID-porten's acr); consent needs the highest.
    login_level: str | None = None

    @property
    def is_citizen(self) -> bool:
        return self.realm is Realm.CITIZEN

    @property
    def subject_person_id(self) -> uuid.UUID | None:
        """Whose plan a citizen is looking at: the person acted for, else themself."""
        return self.acting_for_person_id or self.person_id

    def __repr__(self) -> str:
        return f"Actor({self.realm.value}, session={self.session_id})"
