from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, IdMixin


class RegisteredGuardianship(IdMixin, Base):
    """Parental responsibility (foreldreansvar) as the development population register knows it.

    Production reads Folkeregisteret instead (app/access/population_register.py); this table is
    only the embedded run's stand-in, seeded with synthetic families.
    """

    __tablename__ = "registered_guardianship"
    __table_args__ = (UniqueConstraint("guardian_id", "child_id"),)

    guardian_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("person.id", ondelete="CASCADE"), index=True
    )
    child_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    created_at: Mapped[datetime]


class PowerOfAttorney(IdMixin, Base):
    """A written power of attorney (fullmakt) from an adult to a representative (R-REP-1).

    It takes effect only once staff of the coordinating unit have verified the document, and
    either side can end it at once.
    """

    __tablename__ = "power_of_attorney"

    municipality_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("municipality.id", ondelete="RESTRICT"), index=True
    )
    granter_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("person.id", ondelete="RESTRICT"), index=True
    )
    holder_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("person.id", ondelete="RESTRICT"), index=True
    )
    # Which parts of the plan it covers: "all", or PlanPart values separated by commas.
    scope: Mapped[str] = mapped_column(String(200), default="all")
    # False: the holder may only read; True: the holder may also act (write, propose, apply).
    acts: Mapped[bool] = mapped_column(default=True)
    # Whether the holder may give, narrow or withdraw grants (access.md: "if the fullmakt says so").
    manages_consent: Mapped[bool] = mapped_column(default=False)
    document_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("document.id", ondelete="RESTRICT")
    )
    registered_by_person_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("person.id", ondelete="RESTRICT")
    )
    valid_from: Mapped[date]
    valid_until: Mapped[date | None]
    verified_at: Mapped[datetime | None]
    verified_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("employee.id", ondelete="RESTRICT")
    )
    rejected_at: Mapped[datetime | None]  # the KE found the document wanting
    ended_at: Mapped[datetime | None]
    ended_by_person_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("person.id", ondelete="RESTRICT")
    )
    created_at: Mapped[datetime]
