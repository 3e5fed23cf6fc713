"""The plan's timeline: one row per change, with who did it, for whom, and what it was before.

The rows are also the items' version history (R-PLAN-5): `changes` holds each changed field as
[before, after], so every earlier version of an item can be shown from its entries.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, IdMixin


class TimelineEntry(IdMixin, Base):
    __tablename__ = "timeline_entry"
    __table_args__ = (
        # Keyset pagination, newest first: (plan, at, id).
        Index("ix_timeline_entry_plan_at_id", "plan_id", "at", "id"),
        Index("ix_timeline_entry_item", "item_type", "item_id"),
    )

    plan_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("plan.id", ondelete="RESTRICT"))
    at: Mapped[datetime]
    # What happened, e.g. "goal.proposed", "action.status_changed", "grant.given".
    kind: Mapped[str] = mapped_column(String(40))
    # The part of the plan it belongs to, so readers see only the parts they may read.
    part: Mapped[str] = mapped_column(String(30))
    item_type: Mapped[str] = mapped_column(String(30))
    item_id: Mapped[uuid.UUID | None]
    item_version: Mapped[int | None]
    # The item's goal or action, for a note or a review: shielding the parent hides it too.
    parent_type: Mapped[str | None] = mapped_column(String(30))
    parent_id: Mapped[uuid.UUID | None]
    changes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    actor_person_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("person.id", ondelete="RESTRICT"), index=True
    )
    actor_employee_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("employee.id", ondelete="RESTRICT"), index=True
    )
    on_behalf_of_person_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("person.id", ondelete="RESTRICT")
    )
    actor_unit_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("unit.id", ondelete="RESTRICT")
    )


class PlanVisit(Base):
    """When someone last opened a plan, for "what changed since my last visit"."""

    __tablename__ = "plan_visit"

    plan_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("plan.id", ondelete="CASCADE"), primary_key=True
    )
    # "person:<uuid>" or "employee:<uuid>": one visitor key for both kinds of login.
    visitor: Mapped[str] = mapped_column(String(50), primary_key=True)
    seen_at: Mapped[datetime]
