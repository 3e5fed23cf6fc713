"""Write to the audit log in the same transaction as the work it records (R-LOG-1, R-LOG-2).

`record()` only notes an entry on the session. When the session commits, a `before_commit`
listener seals the entries: chain by chain, in sorted chain order, it locks the chain's head
row, gives each entry the next `seq`, links it to the previous row's hash and adds the rows. The
head lock is held only from the seal to the COMMIT, and every transaction takes head locks in the
same order, so two transactions never deadlock on them.

Entries roll back with the work, except those recorded with `keep_on_rollback=True` (denials):
`app.db.get_session` commits once more after a rollback to write those alone. The listener is
installed when this module is imported, which every caller of `record()` has done.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import Table, event, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session, SessionTransaction

from app.access.actors import Actor
from app.clock import Clock
from app.db import PENDING_AFTER_ROLLBACK, insert_on_conflict
from app.logging_setup import correlation_id
from app.models import AuditChainHead, AuditEvent, Plan

_AUDIT_EVENT = cast(Table, AuditEvent.__table__)

GENESIS_HASH = bytes(32)
NATIONAL_CHAIN = "national"
# Every content column, fixed: a new column joins the hash only with a new hash format.
HASHED_COLUMNS = (
    "id",
    "occurred_at",
    "municipality_id",
    "chain",
    "seq",
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

_PENDING = PENDING_AFTER_ROLLBACK  # entries not yet sealed
_SEALED = "audit_sealed"  # sealed in the open transaction; back to pending if it rolls back


@dataclass(frozen=True, slots=True)
class _Entry:
    chain: str
    values: dict[str, Any]
    keep_on_rollback: bool


def chain_for(municipality_id: uuid.UUID | None) -> str:
    return NATIONAL_CHAIN if municipality_id is None else str(municipality_id)


def canonical(values: Mapping[Any, Any]) -> bytes:
    """The hashed bytes of one row: sorted-key JSON of every content column."""
    return json.dumps(
        {name: _plain(values[name]) for name in HASHED_COLUMNS},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=True,
    ).encode("ascii")


def row_hash(prev_hash: bytes, values: Mapping[Any, Any]) -> bytes:
    return hashlib.sha256(prev_hash + canonical(values)).digest()


def _plain(value: Any) -> Any:
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return value


async def record(
    session: AsyncSession,
    *,
    action: str,
    outcome: str,
    clock: Clock,
    reason: str | None = None,
    municipality_id: uuid.UUID | None = None,
    actor_person_id: uuid.UUID | None = None,
    actor_employee_id: uuid.UUID | None = None,
    on_behalf_of_person_id: uuid.UUID | None = None,
    plan_id: uuid.UUID | None = None,
    item_type: str | None = None,
    item_id: uuid.UUID | None = None,
    actor_role: str | None = None,
    actor_unit_id: uuid.UUID | None = None,
    keep_on_rollback: bool = False,
) -> None:
    """Note an audit row; it is written when the session commits.

    `keep_on_rollback=True` is for denials: the row is written even when the request fails and
    its other writes roll back.
    """
    values = {
        "id": uuid.uuid4(),
        "occurred_at": clock.now(),
        "municipality_id": municipality_id,
        "actor_person_id": actor_person_id,
        "actor_employee_id": actor_employee_id,
        "on_behalf_of_person_id": on_behalf_of_person_id,
        "plan_id": plan_id,
        "item_type": item_type,
        "item_id": item_id,
        "actor_role": actor_role,
        "actor_unit_id": actor_unit_id,
        "action": action,
        "outcome": outcome,
        "reason": reason,
        "correlation_id": correlation_id.get(),
    }
    entry = _Entry(chain_for(municipality_id), values, keep_on_rollback)
    if not session.in_transaction():
        await session.begin()  # so that a rollback, even with no SQL yet, ends the entry
    session.info.setdefault(_PENDING, []).append(entry)


async def record_done(
    session: AsyncSession,
    actor: Actor,
    plan: Plan,
    action: str,
    *,
    clock: Clock,
    item_type: str | None = None,
    item_id: uuid.UUID | None = None,
) -> None:
    """What an actor did in a plan, after `require()` allowed it (R-LOG-1, R-CON-4)."""
    await record(
        session,
        action=action,
        outcome="allowed",
        clock=clock,
        municipality_id=plan.municipality_id,
        actor_person_id=actor.person_id,
        actor_employee_id=actor.employee_id,
        on_behalf_of_person_id=actor.acting_for_person_id,
        plan_id=plan.id,
        item_type=item_type,
        item_id=item_id,
    )


async def seal_pending(session: AsyncSession) -> None:
    """Write the noted rows now, for a caller that must read them before the commit."""
    await session.run_sync(_seal)


def _seal(session: Session) -> None:
    entries: list[_Entry] = session.info.get(_PENDING) or []
    if not entries:
        return
    session.info[_PENDING] = []
    session.info.setdefault(_SEALED, []).extend(entries)
    # The rows name plans, people and units the request may have added: those go in first.
    session.flush()
    by_chain: dict[str, list[_Entry]] = {}
    for entry in entries:
        by_chain.setdefault(entry.chain, []).append(entry)
    for chain in sorted(by_chain):
        _append(session, chain, by_chain[chain])


def _append(session: Session, chain: str, entries: list[_Entry]) -> None:
    seq, prev_hash = _take_numbers(session, chain, len(entries), entries[0].values["occurred_at"])
    rows = []
    for entry in entries:
        seq += 1
        values = {**entry.values, "chain": chain, "seq": seq}
        this_hash = row_hash(prev_hash, values)
        rows.append({**values, "prev_hash": prev_hash, "row_hash": this_hash})
        prev_hash = this_hash
    # Plain rows, not ORM objects: written once and never read back in the request, and the
    # unit of work's bookkeeping for them cost more than the INSERT (every request has one).
    session.execute(_AUDIT_EVENT.insert(), rows)
    session.execute(
        update(AuditChainHead)
        .where(AuditChainHead.chain == chain)
        .values(last_hash=prev_hash, updated_at=max(e.values["occurred_at"] for e in entries))
        .execution_options(synchronize_session=False)
    )


def _take_numbers(session: Session, chain: str, count: int, now: datetime) -> tuple[int, bytes]:
    """Take `count` sequence numbers from the chain's head, locking it until the commit (the
    UPDATE takes PostgreSQL's row lock, or SQLite's write lock, before it reads): the number
    before them and the hash they chain on. The head is made at the genesis if missing."""
    take = (
        update(AuditChainHead)
        .where(AuditChainHead.chain == chain)
        .values(last_seq=AuditChainHead.last_seq + count)
        .returning(AuditChainHead.last_seq, AuditChainHead.last_hash)
        .execution_options(synchronize_session=False)
    )
    head = session.execute(take).one_or_none()
    if head is None:
        # Two first writers may race here; the loser's insert does nothing and it waits below.
        session.execute(
            insert_on_conflict(session, AuditChainHead)
            .values(chain=chain, last_seq=0, last_hash=GENESIS_HASH, updated_at=now)
            .on_conflict_do_nothing(index_elements=["chain"])
        )
        head = session.execute(take).one()
    return head.last_seq - count, head.last_hash


@event.listens_for(Session, "before_commit")
def _seal_before_commit(session: Session) -> None:
    # A savepoint's commit fires this too; seal only when the real transaction commits.
    if not session.in_nested_transaction():
        _seal(session)


@event.listens_for(Session, "after_commit")
def _forget_sealed(session: Session) -> None:
    if not session.in_nested_transaction():
        session.info.pop(_SEALED, None)


@event.listens_for(Session, "after_transaction_end")
def _keep_denials(session: Session, transaction: SessionTransaction) -> None:
    # After a commit nothing is left here; after a rollback (or a close) only denials stay.
    if transaction.parent is not None:
        return  # a savepoint ended; the transaction and its entries go on
    noted: list[_Entry] = session.info.pop(_SEALED, []) + session.info.get(_PENDING, [])
    session.info[_PENDING] = [entry for entry in noted if entry.keep_on_rollback]
