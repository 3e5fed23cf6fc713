from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, IdMixin


class Employee(IdMixin, Base):
    """A staff member of one municipality, found at login by the IdP's issuer and subject."""

    __tablename__ = "employee"
    __table_args__ = (UniqueConstraint("idp_issuer", "idp_subject"),)

    municipality_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("municipality.id", ondelete="RESTRICT"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(200), default="")
    email: Mapped[str | None] = mapped_column(String(320))
    # HelseID carries the HPR number for health personnel; other staff have none.
    hpr_number: Mapped[str | None] = mapped_column(String(20))
    idp_issuer: Mapped[str | None] = mapped_column(String(300))
    idp_subject: Mapped[str | None] = mapped_column(String(300))
    trained_coordinator: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime]


class UnitMembership(IdMixin, Base):
    """An employee works in a unit; leaving the unit ends the access that came with it."""

    __tablename__ = "unit_membership"
    __table_args__ = (UniqueConstraint("employee_id", "unit_id"),)

    employee_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("employee.id", ondelete="CASCADE"), index=True
    )
    unit_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("unit.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime]
