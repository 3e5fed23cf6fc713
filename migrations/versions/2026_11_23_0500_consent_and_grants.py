"""Consent: participants, grants, invitations, youth access, shielded items, documents.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 03:18:14.103345+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.db

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "document",
        sa.Column("municipality_id", sa.Uuid(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "consent_form",
                "power_of_attorney",
                name="documentkind",
                native_enum=False,
                length=30,
            ),
            nullable=False,
        ),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.LargeBinary(length=32), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=True),
        sa.Column("uploaded_by_person_id", sa.Uuid(), nullable=True),
        sa.Column("uploaded_by_employee_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", app.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipality.id"],
            name=op.f("fk_document_municipality_id_municipality"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by_employee_id"],
            ["employee.id"],
            name=op.f("fk_document_uploaded_by_employee_id_employee"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by_person_id"],
            ["person.id"],
            name=op.f("fk_document_uploaded_by_person_id_person"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_document")),
    )
    with op.batch_alter_table("document", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_document_municipality_id"), ["municipality_id"], unique=False
        )

    op.create_table(
        "invitation",
        sa.Column("plan_id", sa.Uuid(), nullable=False),
        sa.Column("token_hash", sa.LargeBinary(length=32), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "relative",
                "support_person",
                "employee",
                name="participantkind",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("relation", sa.String(length=100), nullable=False),
        sa.Column("grants", sa.String(length=300), nullable=False),
        sa.Column("grants_until", sa.Date(), nullable=True),
        sa.Column("created_by_person_id", sa.Uuid(), nullable=False),
        sa.Column("created_for_person_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", app.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", app.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("accepted_at", app.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column("accepted_by_person_id", sa.Uuid(), nullable=True),
        sa.Column("revoked_at", app.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["accepted_by_person_id"],
            ["person.id"],
            name=op.f("fk_invitation_accepted_by_person_id_person"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_person_id"],
            ["person.id"],
            name=op.f("fk_invitation_created_by_person_id_person"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["created_for_person_id"],
            ["person.id"],
            name=op.f("fk_invitation_created_for_person_id_person"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"], ["plan.id"], name=op.f("fk_invitation_plan_id_plan"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invitation")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_invitation_token_hash")),
    )
    with op.batch_alter_table("invitation", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_invitation_plan_id"), ["plan_id"], unique=False)

    op.create_table(
        "participant",
        sa.Column("plan_id", sa.Uuid(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "relative",
                "support_person",
                "employee",
                name="participantkind",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("person_id", sa.Uuid(), nullable=True),
        sa.Column("employee_id", sa.Uuid(), nullable=True),
        sa.Column("unit_id", sa.Uuid(), nullable=True),
        sa.Column("relation", sa.String(length=100), nullable=False),
        sa.Column("added_by_person_id", sa.Uuid(), nullable=True),
        sa.Column("added_by_employee_id", sa.Uuid(), nullable=True),
        sa.Column("added_at", app.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("left_at", app.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["added_by_employee_id"],
            ["employee.id"],
            name=op.f("fk_participant_added_by_employee_id_employee"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["added_by_person_id"],
            ["person.id"],
            name=op.f("fk_participant_added_by_person_id_person"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["employee_id"],
            ["employee.id"],
            name=op.f("fk_participant_employee_id_employee"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_participant_person_id_person"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"], ["plan.id"], name=op.f("fk_participant_plan_id_plan"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["unit.id"], name=op.f("fk_participant_unit_id_unit"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_participant")),
    )
    with op.batch_alter_table("participant", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_participant_employee_id"), ["employee_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_participant_person_id"), ["person_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_participant_plan_id"), ["plan_id"], unique=False)

    op.create_table(
        "shielded_item",
        sa.Column("plan_id", sa.Uuid(), nullable=False),
        sa.Column("item_type", sa.String(length=30), nullable=False),
        sa.Column("item_id", sa.Uuid(), nullable=False),
        sa.Column("shielded_by_person_id", sa.Uuid(), nullable=True),
        sa.Column("shielded_by_employee_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", app.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("ended_at", app.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["plan.id"],
            name=op.f("fk_shielded_item_plan_id_plan"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["shielded_by_employee_id"],
            ["employee.id"],
            name=op.f("fk_shielded_item_shielded_by_employee_id_employee"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["shielded_by_person_id"],
            ["person.id"],
            name=op.f("fk_shielded_item_shielded_by_person_id_person"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shielded_item")),
    )
    with op.batch_alter_table("shielded_item", schema=None) as batch_op:
        batch_op.create_index(
            "ix_shielded_item_plan_item", ["plan_id", "item_type", "item_id"], unique=False
        )

    op.create_table(
        "youth_access",
        sa.Column("plan_id", sa.Uuid(), nullable=False),
        sa.Column("granted_by_person_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", app.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("ended_at", app.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column("ended_by_person_id", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["ended_by_person_id"],
            ["person.id"],
            name=op.f("fk_youth_access_ended_by_person_id_person"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["granted_by_person_id"],
            ["person.id"],
            name=op.f("fk_youth_access_granted_by_person_id_person"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"], ["plan.id"], name=op.f("fk_youth_access_plan_id_plan"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_youth_access")),
    )
    with op.batch_alter_table("youth_access", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_youth_access_plan_id"), ["plan_id"], unique=False)

    op.create_table(
        "consent_grant",
        sa.Column("plan_id", sa.Uuid(), nullable=False),
        sa.Column("participant_id", sa.Uuid(), nullable=False),
        sa.Column(
            "part",
            sa.Enum(
                "life_situation",
                "goals_actions",
                "notes",
                "messages",
                "documents",
                "meetings",
                name="planpart",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column(
            "mode",
            sa.Enum("read", "write", name="grantmode", native_enum=False, length=10),
            nullable=False,
        ),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.Column(
            "method",
            sa.Enum("electronic", "paper", name="consentmethod", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("granted_by_person_id", sa.Uuid(), nullable=True),
        sa.Column("granted_for_person_id", sa.Uuid(), nullable=False),
        sa.Column("recorded_by_employee_id", sa.Uuid(), nullable=True),
        sa.Column("document_id", sa.Uuid(), nullable=True),
        sa.Column("verified_by_employee_id", sa.Uuid(), nullable=True),
        sa.Column("verified_at", app.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column("confirmed_by_owner_at", app.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column("replaces_grant_id", sa.Uuid(), nullable=True),
        sa.Column("ended_at", app.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column("ended_by_person_id", sa.Uuid(), nullable=True),
        sa.Column("ended_by_employee_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", app.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["document.id"],
            name=op.f("fk_consent_grant_document_id_document"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["ended_by_employee_id"],
            ["employee.id"],
            name=op.f("fk_consent_grant_ended_by_employee_id_employee"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["ended_by_person_id"],
            ["person.id"],
            name=op.f("fk_consent_grant_ended_by_person_id_person"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["granted_by_person_id"],
            ["person.id"],
            name=op.f("fk_consent_grant_granted_by_person_id_person"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["granted_for_person_id"],
            ["person.id"],
            name=op.f("fk_consent_grant_granted_for_person_id_person"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participant.id"],
            name=op.f("fk_consent_grant_participant_id_participant"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["plan.id"],
            name=op.f("fk_consent_grant_plan_id_plan"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_employee_id"],
            ["employee.id"],
            name=op.f("fk_consent_grant_recorded_by_employee_id_employee"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["replaces_grant_id"],
            ["consent_grant.id"],
            name=op.f("fk_consent_grant_replaces_grant_id_consent_grant"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["verified_by_employee_id"],
            ["employee.id"],
            name=op.f("fk_consent_grant_verified_by_employee_id_employee"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consent_grant")),
    )
    with op.batch_alter_table("consent_grant", schema=None) as batch_op:
        batch_op.create_index(
            "ix_consent_grant_participant_part", ["participant_id", "part"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_consent_grant_plan_id"), ["plan_id"], unique=False)

    with op.batch_alter_table("power_of_attorney", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("acts", sa.Boolean(), nullable=False, server_default=sa.true())
        )
        batch_op.add_column(
            sa.Column("manages_consent", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(sa.Column("document_id", sa.Uuid(), nullable=True))
        batch_op.add_column(sa.Column("registered_by_person_id", sa.Uuid(), nullable=True))
        batch_op.add_column(
            sa.Column("rejected_at", app.db.UtcDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("ended_by_person_id", sa.Uuid(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_power_of_attorney_document_id_document"),
            "document",
            ["document_id"],
            ["id"],
            ondelete="RESTRICT",
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_power_of_attorney_registered_by_person_id_person"),
            "person",
            ["registered_by_person_id"],
            ["id"],
            ondelete="RESTRICT",
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_power_of_attorney_ended_by_person_id_person"),
            "person",
            ["ended_by_person_id"],
            ["id"],
            ondelete="RESTRICT",
        )


def downgrade() -> None:
    with op.batch_alter_table("power_of_attorney", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_power_of_attorney_ended_by_person_id_person"), type_="foreignkey"
        )
        batch_op.drop_constraint(
            batch_op.f("fk_power_of_attorney_registered_by_person_id_person"), type_="foreignkey"
        )
        batch_op.drop_constraint(
            batch_op.f("fk_power_of_attorney_document_id_document"), type_="foreignkey"
        )
        batch_op.drop_column("ended_by_person_id")
        batch_op.drop_column("rejected_at")
        batch_op.drop_column("registered_by_person_id")
        batch_op.drop_column("document_id")
        batch_op.drop_column("manages_consent")
        batch_op.drop_column("acts")

    with op.batch_alter_table("consent_grant", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_consent_grant_plan_id"))
        batch_op.drop_index("ix_consent_grant_participant_part")

    op.drop_table("consent_grant")
    with op.batch_alter_table("youth_access", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_youth_access_plan_id"))

    op.drop_table("youth_access")
    with op.batch_alter_table("shielded_item", schema=None) as batch_op:
        batch_op.drop_index("ix_shielded_item_plan_item")

    op.drop_table("shielded_item")
    with op.batch_alter_table("participant", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_participant_plan_id"))
        batch_op.drop_index(batch_op.f("ix_participant_person_id"))
        batch_op.drop_index(batch_op.f("ix_participant_employee_id"))

    op.drop_table("participant")
    with op.batch_alter_table("invitation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_invitation_plan_id"))

    op.drop_table("invitation")
    with op.batch_alter_table("document", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_document_municipality_id"))

    op.drop_table("document")
