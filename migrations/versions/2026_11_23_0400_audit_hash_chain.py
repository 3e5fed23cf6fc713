"""Audit hash chain: plan and item columns, one hash chain per municipality, append-only triggers.

Existing rows are chained here in (occurred_at, id) order per chain, so the verifier passes right
after the upgrade. The hash format is copied below, not imported, so that this migration keeps
writing exactly what the verifier of this revision expects (docs/audit-log.md).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 04:00:00.000000+00:00
"""

import hashlib
import json
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

import app.db

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

GENESIS = bytes(32)
NATIONAL = "national"
BATCH = 1000

_CONTENT = (
    "id",
    "occurred_at",
    "municipality_id",
    "actor_person_id",
    "actor_employee_id",
    "on_behalf_of_person_id",
    "plan_id",
    "item_type",
    "item_id",
    "actor_role",
    "actor_unit_id",
    "action",
    "outcome",
    "reason",
    "correlation_id",
)

_audit_event = sa.table(
    "audit_event",
    sa.column("id", sa.Uuid()),
    sa.column("occurred_at", app.db.UtcDateTime()),
    sa.column("municipality_id", sa.Uuid()),
    sa.column("actor_person_id", sa.Uuid()),
    sa.column("actor_employee_id", sa.Uuid()),
    sa.column("on_behalf_of_person_id", sa.Uuid()),
    sa.column("plan_id", sa.Uuid()),
    sa.column("item_type", sa.String()),
    sa.column("item_id", sa.Uuid()),
    sa.column("actor_role", sa.String()),
    sa.column("actor_unit_id", sa.Uuid()),
    sa.column("action", sa.String()),
    sa.column("outcome", sa.String()),
    sa.column("reason", sa.String()),
    sa.column("correlation_id", sa.String()),
    sa.column("chain", sa.String()),
    sa.column("seq", sa.BigInteger()),
    sa.column("prev_hash", sa.LargeBinary()),
    sa.column("row_hash", sa.LargeBinary()),
)
_head = sa.table(
    "audit_chain_head",
    sa.column("chain", sa.String()),
    sa.column("last_seq", sa.BigInteger()),
    sa.column("last_hash", sa.LargeBinary()),
    sa.column("updated_at", app.db.UtcDateTime()),
)

_APPEND_ONLY_FUNCTION = """
CREATE FUNCTION audit_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_event is append-only' USING ERRCODE = 'insufficient_privilege';
END
$$
"""
_APPEND_ONLY_TRIGGER = """
CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_event
FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()
"""

# SQLite has no functions, but the same refusal as a pair of triggers. A later batch migration
# that rebuilds audit_event on SQLite must create them again.
_SQLITE_TRIGGERS = [
    f"""
CREATE TRIGGER audit_event_append_only_{change.lower()} BEFORE {change} ON audit_event
BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END
"""
    for change in ("UPDATE", "DELETE")
]


def _encode(value: Any) -> Any:
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return value


def _row_hash(prev_hash: bytes, payload: dict[str, Any]) -> bytes:
    canonical = json.dumps(
        {key: _encode(value) for key, value in payload.items()},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=True,
    )
    return hashlib.sha256(prev_hash + canonical.encode("ascii")).digest()


def _backfill(connection: sa.Connection) -> None:
    now = datetime.now(UTC)
    municipalities = connection.execute(
        sa.select(_audit_event.c.municipality_id).distinct()
    ).scalars()
    for municipality_id in list(municipalities):
        chain = NATIONAL if municipality_id is None else str(municipality_id)
        where = (
            _audit_event.c.municipality_id.is_(None)
            if municipality_id is None
            else _audit_event.c.municipality_id == municipality_id
        )
        seq, prev_hash = 0, GENESIS
        after: tuple[datetime, uuid.UUID] | None = None
        while True:
            query = sa.select(*(_audit_event.c[name] for name in _CONTENT)).where(where)
            if after is not None:
                query = query.where(
                    sa.tuple_(_audit_event.c.occurred_at, _audit_event.c.id) > sa.tuple_(*after)
                )
            rows = connection.execute(
                query.order_by(_audit_event.c.occurred_at, _audit_event.c.id).limit(BATCH)
            ).all()
            if not rows:
                break
            for row in rows:
                seq += 1
                payload = {**row._asdict(), "chain": chain, "seq": seq}
                row_hash = _row_hash(prev_hash, payload)
                connection.execute(
                    _audit_event.update()
                    .where(_audit_event.c.id == row.id)
                    .values(chain=chain, seq=seq, prev_hash=prev_hash, row_hash=row_hash)
                )
                prev_hash = row_hash
            after = (rows[-1].occurred_at, rows[-1].id)
        connection.execute(
            _head.insert().values(chain=chain, last_seq=seq, last_hash=prev_hash, updated_at=now)
        )


def upgrade() -> None:
    op.create_table(
        "audit_chain_head",
        sa.Column("chain", sa.String(length=40), nullable=False),
        sa.Column("last_seq", sa.BigInteger(), nullable=False),
        sa.Column("last_hash", sa.LargeBinary(length=32), nullable=False),
        sa.Column("updated_at", app.db.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("chain", name=op.f("pk_audit_chain_head")),
    )
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.add_column(sa.Column("plan_id", sa.Uuid(), nullable=True))
        batch_op.add_column(sa.Column("item_type", sa.String(length=30), nullable=True))
        batch_op.add_column(sa.Column("item_id", sa.Uuid(), nullable=True))
        batch_op.add_column(sa.Column("actor_role", sa.String(length=30), nullable=True))
        batch_op.add_column(sa.Column("actor_unit_id", sa.Uuid(), nullable=True))
        batch_op.add_column(sa.Column("chain", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("seq", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("prev_hash", sa.LargeBinary(length=32), nullable=True))
        batch_op.add_column(sa.Column("row_hash", sa.LargeBinary(length=32), nullable=True))

    _backfill(op.get_bind())

    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.alter_column("chain", existing_type=sa.String(length=40), nullable=False)
        batch_op.alter_column("seq", existing_type=sa.BigInteger(), nullable=False)
        batch_op.alter_column("prev_hash", existing_type=sa.LargeBinary(length=32), nullable=False)
        batch_op.alter_column("row_hash", existing_type=sa.LargeBinary(length=32), nullable=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_audit_event_plan_id_plan"),
            "plan",
            ["plan_id"],
            ["id"],
            ondelete="RESTRICT",
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_audit_event_actor_unit_id_unit"),
            "unit",
            ["actor_unit_id"],
            ["id"],
            ondelete="RESTRICT",
        )
        batch_op.create_unique_constraint(batch_op.f("uq_audit_event_chain_seq"), ["chain", "seq"])
        batch_op.create_index(
            "ix_audit_event_plan_time", ["plan_id", "occurred_at", "id"], unique=False
        )

    if op.get_bind().dialect.name == "postgresql":
        op.execute(_APPEND_ONLY_FUNCTION)
        op.execute(_APPEND_ONLY_TRIGGER)
    else:
        for trigger in _SQLITE_TRIGGERS:
            op.execute(trigger)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_event_append_only ON audit_event")
        op.execute("DROP FUNCTION IF EXISTS audit_event_append_only()")
    else:
        op.execute("DROP TRIGGER IF EXISTS audit_event_append_only_update")
        op.execute("DROP TRIGGER IF EXISTS audit_event_append_only_delete")

    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_event_plan_time")
        batch_op.drop_constraint(batch_op.f("uq_audit_event_chain_seq"), type_="unique")
        batch_op.drop_constraint(
            batch_op.f("fk_audit_event_actor_unit_id_unit"), type_="foreignkey"
        )
        batch_op.drop_constraint(batch_op.f("fk_audit_event_plan_id_plan"), type_="foreignkey")
        batch_op.drop_column("row_hash")
        batch_op.drop_column("prev_hash")
        batch_op.drop_column("seq")
        batch_op.drop_column("chain")
        batch_op.drop_column("actor_unit_id")
        batch_op.drop_column("actor_role")
        batch_op.drop_column("item_id")
        batch_op.drop_column("item_type")
        batch_op.drop_column("plan_id")

    op.drop_table("audit_chain_head")
