from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, IdMixin


class Person(IdMixin, Base):
    """A citizen known to Samplan: a plan owner, guardian, representative or relative.

    A person is not owned by a municipality (people move, and a guardian may live elsewhere);
    everything *about* them in Samplan (plans, grants, messages) belongs to one municipality.
    The identity number is never stored in clear (R-ID-3): `pid_lookup` is a keyed hash for
    finding the person at login, `pid_encrypted` is AES-GCM for the rare lawful need to read it.
    """

    __tablename__ = "person"

    pid_lookup: Mapped[bytes] = mapped_column(LargeBinary(32), unique=True)
    pid_encrypted: Mapped[bytes] = mapped_column(LargeBinary(64))
    given_name: Mapped[str] = mapped_column(String(200))
    family_name: Mapped[str] = mapped_column(String(200))
    # From the population register in production; from the number only outside it (R-ID-4).
    birth_date: Mapped[date]
    # Sperra adresse: such a person can neither represent nor be represented (R-REP-3).
    confidential_address: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime]

    @property
    def display_name(self) -> str:
        return f"{self.given_name} {self.family_name}"

    def __repr__(self) -> str:
        return f"Person(id={self.id})"
