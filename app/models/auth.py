from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, ForeignKey, Index, LargeBinary, String, UniqueConstraint
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

    Rows form one hash chain per municipality ("national" when there is none): each row's
    `row_hash` covers the previous row's hash and every content column, so changing or
    deleting a row breaks the chain from there on (R-LOG-2, app/access/audit_verify.py).
    """

    __tablename__ = "audit_event"
    __table_args__ = (
        UniqueConstraint("chain", "seq"),
        # The owner's access log pages through one plan's events (R-LOG-3).
        Index("ix_audit_event_plan_time", "plan_id", "occurred_at", "id"),
    )

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
    plan_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("plan.id", ondelete="RESTRICT"))
    item_type: Mapped[str | None] = mapped_column(String(30))
    item_id: Mapped[uuid.UUID | None]
    # The role under which access was decided: owner, guardian, coordinator, provider, ke.
    actor_role: Mapped[str | None] = mapped_column(String(30))
    actor_unit_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("unit.id", ondelete="RESTRICT")
    )
    action: Mapped[str] = mapped_column(String(60))
    outcome: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str | None] = mapped_column(String(60))
    correlation_id: Mapped[str | None] = mapped_column(String(32))
    # The hash chain (R-LOG-2): str(municipality_id) or "national".
    chain: Mapped[str] = mapped_column(String(40))
    seq: Mapped[int] = mapped_column(BigInteger)
    prev_hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    row_hash: Mapped[bytes] = mapped_column(LargeBinary(32))


class AuditChainHead(Base):
    """The last sequence number and hash of each audit chain; locked while a chain grows."""

    __tablename__ = "audit_chain_head"

    chain: Mapped[str] = mapped_column(String(40), primary_key=True)
    last_seq: Mapped[int] = mapped_column(BigInteger)
    last_hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    updated_at: Mapped[datetime]
