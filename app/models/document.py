from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, deferred, mapped_column

from app.db import Base, IdMixin, str_enum


class DocumentKind(StrEnum):
    CONSENT_FORM = "consent_form"
    POWER_OF_ATTORNEY = "power_of_attorney"


class Document(IdMixin, Base):
    """An uploaded file (a signed consent form, a fullmakt). Content is loaded only on demand."""

    __tablename__ = "document"

    municipality_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("municipality.id", ondelete="RESTRICT"), index=True
    )
    kind: Mapped[DocumentKind] = mapped_column(str_enum(DocumentKind, 30))
    # The name shown to people; never derived from an identity number (R-ID-3).
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    sha256: Mapped[bytes] = mapped_column(LargeBinary(32))
    content: Mapped[bytes] = deferred(mapped_column(LargeBinary))
    uploaded_by_person_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("person.id", ondelete="RESTRICT")
    )
    uploaded_by_employee_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("employee.id", ondelete="RESTRICT")
    )
    created_at: Mapped[datetime]
