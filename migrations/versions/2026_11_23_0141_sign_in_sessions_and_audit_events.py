"""Sign-in: login attempts, server-side sessions and the audit event table.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 01:41:55.461249+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.db

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "login_attempt",
        sa.Column("state_hash", sa.LargeBinary(length=32), nullable=False),
        sa.Column("browser_hash", sa.LargeBinary(length=32), nullable=False),
        sa.Column(
            "realm",
            sa.Enum("citizen", "employee", name="realm", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("nonce", sa.String(length=100), nullable=False),
        sa.Column("code_verifier", sa.String(length=128), nullable=False),
        sa.Column("return_to", sa.String(length=2000), nullable=False),
        sa.Column("created_at", app.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_attempt")),
        sa.UniqueConstraint("state_hash", name=op.f("uq_login_attempt_state_hash")),
    )
    with op.batch_alter_table("login_attempt", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_login_attempt_created_at"), ["created_at"], unique=False
        )

    op.create_table(
        "audit_event",
        sa.Column("occurred_at", app.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("municipality_id", sa.Uuid(), nullable=True),
        sa.Column("actor_person_id", sa.Uuid(), nullable=True),
        sa.Column("actor_employee_id", sa.Uuid(), nullable=True),
        sa.Column("on_behalf_of_person_id", sa.Uuid(), nullable=True),
        sa.Column("action", sa.String(length=60), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.String(length=60), nullable=True),
        sa.Column("correlation_id", sa.String(length=32), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_employee_id"],
            ["employee.id"],
            name=op.f("fk_audit_event_actor_employee_id_employee"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["actor_person_id"],
            ["person.id"],
            name=op.f("fk_audit_event_actor_person_id_person"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipality.id"],
            name=op.f("fk_audit_event_municipality_id_municipality"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["on_behalf_of_person_id"],
            ["person.id"],
            name=op.f("fk_audit_event_on_behalf_of_person_id_person"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_event")),
    )
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_audit_event_actor_employee_id"), ["actor_employee_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_audit_event_actor_person_id"), ["actor_person_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_audit_event_municipality_id"), ["municipality_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_audit_event_occurred_at"), ["occurred_at"], unique=False
        )

    op.create_table(
        "user_session",
        sa.Column("token_hash", sa.LargeBinary(length=32), nullable=False),
        sa.Column(
            "realm",
            sa.Enum("citizen", "employee", name="realm", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("person_id", sa.Uuid(), nullable=True),
        sa.Column("employee_id", sa.Uuid(), nullable=True),
        sa.Column("acting_for_person_id", sa.Uuid(), nullable=True),
        sa.Column("provider_issuer", sa.String(length=300), nullable=False),
        sa.Column("provider_sid", sa.String(length=200), nullable=True),
        sa.Column("acr", sa.String(length=100), nullable=True),
        sa.Column("user_agent", sa.String(length=200), nullable=False),
        sa.Column("created_at", app.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", app.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", app.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["acting_for_person_id"],
            ["person.id"],
            name=op.f("fk_user_session_acting_for_person_id_person"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["employee_id"],
            ["employee.id"],
            name=op.f("fk_user_session_employee_id_employee"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_user_session_person_id_person"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_session")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_user_session_token_hash")),
    )
    with op.batch_alter_table("user_session", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_user_session_employee_id"), ["employee_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_user_session_expires_at"), ["expires_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_user_session_person_id"), ["person_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_user_session_provider_sid"), ["provider_sid"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("user_session", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_user_session_provider_sid"))
        batch_op.drop_index(batch_op.f("ix_user_session_person_id"))
        batch_op.drop_index(batch_op.f("ix_user_session_expires_at"))
        batch_op.drop_index(batch_op.f("ix_user_session_employee_id"))

    op.drop_table("user_session")
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_event_occurred_at"))
        batch_op.drop_index(batch_op.f("ix_audit_event_municipality_id"))
        batch_op.drop_index(batch_op.f("ix_audit_event_actor_person_id"))
        batch_op.drop_index(batch_op.f("ix_audit_event_actor_employee_id"))

    op.drop_table("audit_event")
    with op.batch_alter_table("login_attempt", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_login_attempt_created_at"))

    op.drop_table("login_attempt")
