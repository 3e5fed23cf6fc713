"""Create the foundation tables: municipality, unit, employee, unit membership, person, plan.

Revision ID: 0001
Revises:
Create Date: 2026-11-23 01:12:51.221790+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.db

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "municipality",
        sa.Column("number", sa.String(length=4), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("created_at", app.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_municipality")),
        sa.UniqueConstraint("number", name=op.f("uq_municipality_number")),
    )
    op.create_table(
        "person",
        sa.Column("pid_lookup", sa.LargeBinary(length=32), nullable=False),
        sa.Column("pid_encrypted", sa.LargeBinary(length=64), nullable=False),
        sa.Column("given_name", sa.String(length=200), nullable=False),
        sa.Column("family_name", sa.String(length=200), nullable=False),
        sa.Column("birth_date", sa.Date(), nullable=False),
        sa.Column("confidential_address", sa.Boolean(), nullable=False),
        sa.Column("created_at", app.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person")),
        sa.UniqueConstraint("pid_lookup", name=op.f("uq_person_pid_lookup")),
    )
    op.create_table(
        "employee",
        sa.Column("municipality_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column("hpr_number", sa.String(length=20), nullable=True),
        sa.Column("idp_issuer", sa.String(length=300), nullable=True),
        sa.Column("idp_subject", sa.String(length=300), nullable=True),
        sa.Column("trained_coordinator", sa.Boolean(), nullable=False),
        sa.Column("created_at", app.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipality.id"],
            name=op.f("fk_employee_municipality_id_municipality"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_employee")),
        sa.UniqueConstraint(
            "idp_issuer", "idp_subject", name=op.f("uq_employee_idp_issuer_idp_subject")
        ),
    )
    with op.batch_alter_table("employee", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_employee_municipality_id"), ["municipality_id"], unique=False
        )

    op.create_table(
        "unit",
        sa.Column("municipality_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "coordinating_unit",
                "home_care",
                "physiotherapy",
                "school",
                "kindergarten",
                "nav",
                "gp",
                "hospital",
                "health_station",
                "child_welfare",
                "other",
                name="unitkind",
                native_enum=False,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("created_at", app.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipality.id"],
            name=op.f("fk_unit_municipality_id_municipality"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unit")),
        sa.UniqueConstraint("municipality_id", "name", name=op.f("uq_unit_municipality_id_name")),
    )
    with op.batch_alter_table("unit", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_unit_municipality_id"), ["municipality_id"], unique=False
        )

    op.create_table(
        "plan",
        sa.Column("municipality_id", sa.Uuid(), nullable=False),
        sa.Column("owner_id", sa.Uuid(), nullable=False),
        sa.Column("coordinator_id", sa.Uuid(), nullable=True),
        sa.Column(
            "status",
            sa.Enum("draft", "active", "closed", name="planstatus", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("period_start", sa.Date(), nullable=True),
        sa.Column("period_end", sa.Date(), nullable=True),
        sa.Column("revision_date", sa.Date(), nullable=True),
        sa.Column("created_at", app.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", app.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["coordinator_id"],
            ["employee.id"],
            name=op.f("fk_plan_coordinator_id_employee"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipality.id"],
            name=op.f("fk_plan_municipality_id_municipality"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["person.id"], name=op.f("fk_plan_owner_id_person"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan")),
        sa.UniqueConstraint(
            "municipality_id", "owner_id", name=op.f("uq_plan_municipality_id_owner_id")
        ),
    )
    with op.batch_alter_table("plan", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_plan_coordinator_id"), ["coordinator_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_plan_municipality_id"), ["municipality_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_plan_owner_id"), ["owner_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_plan_revision_date"), ["revision_date"], unique=False)

    op.create_table(
        "unit_membership",
        sa.Column("employee_id", sa.Uuid(), nullable=False),
        sa.Column("unit_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", app.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["employee_id"],
            ["employee.id"],
            name=op.f("fk_unit_membership_employee_id_employee"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"],
            ["unit.id"],
            name=op.f("fk_unit_membership_unit_id_unit"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unit_membership")),
        sa.UniqueConstraint(
            "employee_id", "unit_id", name=op.f("uq_unit_membership_employee_id_unit_id")
        ),
    )
    with op.batch_alter_table("unit_membership", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_unit_membership_employee_id"), ["employee_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_unit_membership_unit_id"), ["unit_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("unit_membership", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_unit_membership_unit_id"))
        batch_op.drop_index(batch_op.f("ix_unit_membership_employee_id"))

    op.drop_table("unit_membership")
    with op.batch_alter_table("plan", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_plan_revision_date"))
        batch_op.drop_index(batch_op.f("ix_plan_owner_id"))
        batch_op.drop_index(batch_op.f("ix_plan_municipality_id"))
        batch_op.drop_index(batch_op.f("ix_plan_coordinator_id"))

    op.drop_table("plan")
    with op.batch_alter_table("unit", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_unit_municipality_id"))

    op.drop_table("unit")
    with op.batch_alter_table("employee", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_employee_municipality_id"))

    op.drop_table("employee")
    op.drop_table("person")
    op.drop_table("municipality")
