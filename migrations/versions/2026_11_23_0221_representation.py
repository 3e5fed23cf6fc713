"""Representation: the development population register of guardianships, powers of attorney.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 02:21:54.278427+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.db

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "registered_guardianship",
        sa.Column("guardian_id", sa.Uuid(), nullable=False),
        sa.Column("child_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", app.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["child_id"],
            ["person.id"],
            name=op.f("fk_registered_guardianship_child_id_person"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["guardian_id"],
            ["person.id"],
            name=op.f("fk_registered_guardianship_guardian_id_person"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_registered_guardianship")),
        sa.UniqueConstraint(
            "guardian_id", "child_id", name=op.f("uq_registered_guardianship_guardian_id_child_id")
        ),
    )
    with op.batch_alter_table("registered_guardianship", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_registered_guardianship_guardian_id"), ["guardian_id"], unique=False
        )

    op.create_table(
        "power_of_attorney",
        sa.Column("municipality_id", sa.Uuid(), nullable=False),
        sa.Column("granter_id", sa.Uuid(), nullable=False),
        sa.Column("holder_id", sa.Uuid(), nullable=False),
        sa.Column("scope", sa.String(length=200), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.Column("verified_at", app.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column("verified_by_id", sa.Uuid(), nullable=True),
        sa.Column("ended_at", app.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column("created_at", app.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["granter_id"],
            ["person.id"],
            name=op.f("fk_power_of_attorney_granter_id_person"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["holder_id"],
            ["person.id"],
            name=op.f("fk_power_of_attorney_holder_id_person"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipality.id"],
            name=op.f("fk_power_of_attorney_municipality_id_municipality"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["verified_by_id"],
            ["employee.id"],
            name=op.f("fk_power_of_attorney_verified_by_id_employee"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_power_of_attorney")),
    )
    with op.batch_alter_table("power_of_attorney", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_power_of_attorney_granter_id"), ["granter_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_power_of_attorney_holder_id"), ["holder_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_power_of_attorney_municipality_id"), ["municipality_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("power_of_attorney", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_power_of_attorney_municipality_id"))
        batch_op.drop_index(batch_op.f("ix_power_of_attorney_holder_id"))
        batch_op.drop_index(batch_op.f("ix_power_of_attorney_granter_id"))

    op.drop_table("power_of_attorney")
    with op.batch_alter_table("registered_guardianship", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_registered_guardianship_guardian_id"))

    op.drop_table("registered_guardianship")
