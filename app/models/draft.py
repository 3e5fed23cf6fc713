"""Text someone typed but has not saved yet, kept so a reload or a crash loses nothing."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base


class Draft(Base):
    __tablename__ = "draft"

    visitor: Mapped[str] = mapped_column(String(50), primary_key=True)
    plan_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("plan.id", ondelete="CASCADE"), primary_key=True
    )
    # Which form: "goal:new", "goal:<uuid>", "note:<action uuid>", "life_situation".
    form: Mapped[str] = mapped_column(String(80), primary_key=True)
    fields: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    saved_at: Mapped[datetime]
