from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, IdMixin, str_enum


class Realm(StrEnum):
    """Which identity provider: ID-porten for citizens, the employee IdP for staff."""

    CITIZEN = "citizen"
    EMPLOYEE = "employee"


class LoginAttempt(IdMixin, Base):
    """One started login: state, nonce and PKCE verifier kept server-side, used once."""

    __tablename__ = "login_attempt"

    state_hash: Mapped[bytes] = mapped_column(LargeBinary(32), unique=True)
    # Ties the callback to the browser that started the login (stops login CSRF).
    browser_hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    realm: Mapped[Realm] = mapped_column(str_enum(Realm, 20))
    nonce: Mapped[str] = mapped_column(String(100))
    code_verifier: Mapped[str] = mapped_column(String(128))
    return_to: Mapped[str] = mapped_column(String(2000))
    created_at: Mapped[datetime] = mapped_column(index=True)


class UserSession(IdMixin, Base):
    """A signed-in browser. The cookie holds a random token; only its hash is stored."""

    __tablename__ = "user_session"

    token_hash: Mapped[bytes] = mapped_column(LargeBinary(32), unique=True)
    realm: Mapped[Realm] = mapped_column(str_enum(Realm, 20))
    person_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("person.id", ondelete="CASCADE"), index=True
    )
    employee_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("employee.id", ondelete="CASCADE"), index=True
    )
    # Whom a guardian or representative acts for; None is "myself" (R-REP-4).
    acting_for_person_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("person.id", ondelete="SET NULL")
    )
    provider_issuer: Mapped[str] = mapped_column(String(300))
    # The provider's session id, so front-channel logout ends the right session.
    provider_sid: Mapped[str | None] = mapped_column(String(200), index=True)
    acr: Mapped[str | None] = mapped_column(String(100))
    # A summary such as "Firefox · Windows" (app/sessions/browsers.py), never the raw header.
    user_agent: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    expires_at: Mapped[datetime] = mapped_column(index=True)


class AuditEvent(IdMixin, Base):
    """Append-only record of who did what, on whose behalf, and how it ended (R-LOG-1).

    The access issue adds the hash chain and the owner's view; sign-in writes logins here.
    """

    __tablename__ = "audit_event"

    occurred_at: Mapped[datetime] = mapped_column(index=True)
    municipality_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("municipality.id", ondelete="RESTRICT"), index=True
    )
    actor_person_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("person.id", ondelete="RESTRICT"), index=True
    )
    actor_employee_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("employee.id", ondelete="RESTRICT"), index=True
    )
    on_behalf_of_person_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("person.id", ondelete="RESTRICT")
    )
    action: Mapped[str] = mapped_column(String(60))
    outcome: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str | None] = mapped_column(String(60))
    correlation_id: Mapped[str | None] = mapped_column(String(32))
