"""One waiting notice per person: a partial unique index on the notification outbox.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-23 12:30:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

WAITING = "sent_at IS NULL AND given_up_at IS NULL"


def upgrade() -> None:
    # Two notices already waiting for one person say the same thing: keep the one due first.
    op.execute(
        sa.text(
            "DELETE FROM notification_outbox WHERE id IN ("
            " SELECT id FROM ("
            "  SELECT id, row_number() OVER (PARTITION BY recipient ORDER BY due_at, created_at)"
            "  AS n FROM notification_outbox WHERE " + WAITING + ") AS ranked"
            " WHERE n > 1)"
        )
    )
    op.create_index(
        "uq_notification_outbox_waiting",
        "notification_outbox",
        ["recipient"],
        unique=True,
        postgresql_where=sa.text(WAITING),
        sqlite_where=sa.text(WAITING),
    )


def downgrade() -> None:
    op.drop_index("uq_notification_outbox_waiting", table_name="notification_outbox")
