from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, IdMixin, str_enum


class PlanStatus(StrEnum):
    DRAFT = "draft"
    ACTIVE = "active"
    CLOSED = "closed"


class Plan(IdMixin, Base):
    """An individual plan (individuell plan). One per person per municipality (R-PLAN-2)."""

    __tablename__ = "plan"
    __table_args__ = (UniqueConstraint("municipality_id", "owner_id"),)

    municipality_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("municipality.id", ondelete="RESTRICT"), index=True
    )
    owner_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("person.id", ondelete="RESTRICT"), index=True
    )
    coordinator_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("employee.id", ondelete="SET NULL"), index=True
    )
    status: Mapped[PlanStatus] = mapped_column(str_enum(PlanStatus, 20), default=PlanStatus.DRAFT)
    period_start: Mapped[date | None]
    period_end: Mapped[date | None]
    revision_date: Mapped[date | None] = mapped_column(index=True)
    # The owner's side asks the coordinating unit to close the plan; the KE closes it (R-PLAN-7).
    close_requested_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    # Optimistic concurrency: every write checks and bumps it (R-SAFE-2).
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}
