"""Writes retried with the same key are stored once (R-SAFE-3, quality.md R3)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, IdMixin


class IdempotentWrite(IdMixin, Base):
    __tablename__ = "idempotent_write"
    __table_args__ = (UniqueConstraint("actor", "key"),)

    actor: Mapped[str] = mapped_column(String(50))  # "person:<uuid>" / "employee:<uuid>"
    key: Mapped[str] = mapped_column(String(100))
    # What the key was used for (method and path); the same key for something else is refused.
    request: Mapped[str] = mapped_column(String(300))
    status: Mapped[int]
    result: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(index=True)
