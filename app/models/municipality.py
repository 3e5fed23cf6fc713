from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, IdMixin, str_enum


class Municipality(IdMixin, Base):
    """A tenant and data controller: no actor ever sees another municipality's data."""

    __tablename__ = "municipality"

    # The four-digit number from Statistics Norway (kommunenummer), e.g. "4601" for Bergen.
    number: Mapped[str] = mapped_column(String(4), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime]


class UnitKind(StrEnum):
    COORDINATING_UNIT = "coordinating_unit"
    HOME_CARE = "home_care"
    PHYSIOTHERAPY = "physiotherapy"
    SCHOOL = "school"
    KINDERGARTEN = "kindergarten"
    NAV = "nav"
    GP = "gp"
    HOSPITAL = "hospital"
    HEALTH_STATION = "health_station"
    CHILD_WELFARE = "child_welfare"
    OTHER = "other"


class Unit(IdMixin, Base):
    """A providing unit (tjeneste/eining): home care, a school, a NAV office, or the KE itself."""

    __tablename__ = "unit"
    __table_args__ = (UniqueConstraint("municipality_id", "name"),)

    municipality_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("municipality.id", ondelete="RESTRICT"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[UnitKind] = mapped_column(str_enum(UnitKind))
    created_at: Mapped[datetime]
