"""Check the audit log's hash chains and find the first broken link in each (R-LOG-2).

Each chain is walked in `seq` order in keyset batches, so the table is never held in memory. A
chain is intact when its rows count 1, 2, 3 ... without gaps, each row's `prev_hash` is the row
before's `row_hash` (the first one's is the genesis hash), each `row_hash` matches the row's
content, and the head table ends where the rows end. The report names chains, sequence numbers
and row ids only: never a name or an identity number.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from sqlalchemy import RowMapping, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.access.audit import GENESIS_HASH, HASHED_COLUMNS, chain_for, row_hash
from app.db import make_engine
from app.models import AuditChainHead, AuditEvent

BATCH_SIZE = 1000

_COLUMNS = [getattr(AuditEvent, name) for name in HASHED_COLUMNS] + [
    AuditEvent.prev_hash,
    AuditEvent.row_hash,
]


@dataclass(frozen=True, slots=True)
class BrokenLink:
    """The first place a chain does not hold. `seq` and `row_id` are None for the head itself."""

    chain: str
    seq: int | None
    row_id: uuid.UUID | None
    problem: str


@dataclass(frozen=True, slots=True)
class ChainReport:
    chain: str
    rows: int
    # The head as stored: what an operator archives as the chain's checkpoint.
    head_seq: int | None
    head_hash: bytes | None
    broken: BrokenLink | None


@dataclass(slots=True)
class VerifyReport:
    chains: list[ChainReport] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        return all(chain.broken is None for chain in self.chains)

    @property
    def rows(self) -> int:
        return sum(chain.rows for chain in self.chains)

    @property
    def broken(self) -> list[BrokenLink]:
        return [chain.broken for chain in self.chains if chain.broken is not None]


async def verify_database(url: str) -> VerifyReport:
    """Verify the database at `url` in one read-only snapshot (`samplan audit verify`)."""
    engine = make_engine(url)
    if engine.dialect.name == "postgresql":
        engine = engine.execution_options(isolation_level="REPEATABLE READ")
    try:
        async with engine.connect() as connection, AsyncSession(bind=connection) as session:
            return await verify_chains(session)
    finally:
        await engine.dispose()


def describe(report: VerifyReport) -> str:
    """The verifier's text: the verdict, then each chain's head to archive as its checkpoint."""
    if report.intact:
        lines = [f"audit log intact: {len(report.chains)} chains, {report.rows} rows"]
    else:
        lines = [f"audit log BROKEN in {len(report.broken)} of {len(report.chains)} chains"]
        for link in report.broken:
            where = "head" if link.seq is None else f"seq {link.seq}, row {link.row_id}"
            lines.append(f"broken: chain {link.chain}, {where}: {link.problem}")
    for chain in report.chains:
        head = "none" if chain.head_hash is None else f"{chain.head_seq} {chain.head_hash.hex()}"
        lines.append(f"head: chain {chain.chain} {head}")
    return "\n".join(lines) + "\n"


async def verify_chains(session: AsyncSession) -> VerifyReport:
    """Walk every chain. Run it in one snapshot (REPEATABLE READ on PostgreSQL): a stable view."""
    heads = {
        head.chain: (head.last_seq, head.last_hash)
        for head in await session.execute(
            select(AuditChainHead.chain, AuditChainHead.last_seq, AuditChainHead.last_hash)
        )
    }
    chains = set(heads) | set(await session.scalars(select(AuditEvent.chain).distinct()))
    report = VerifyReport()
    for chain in sorted(chains):
        report.chains.append(await _verify_chain(session, chain, heads.get(chain)))
    return report


async def _verify_chain(
    session: AsyncSession, chain: str, head: tuple[int, bytes] | None
) -> ChainReport:
    rows, last_seq, last_hash = 0, 0, GENESIS_HASH
    broken: BrokenLink | None = None
    while broken is None:
        batch = (
            await session.execute(
                select(*_COLUMNS)
                .where(AuditEvent.chain == chain, AuditEvent.seq > last_seq)
                .order_by(AuditEvent.seq)
                .limit(BATCH_SIZE)
            )
        ).all()
        if not batch:
            break
        for row in batch:
            values = row._mapping
            problem = _row_problem(values, last_seq, last_hash)
            if problem is not None:
                broken = BrokenLink(chain, values["seq"], values["id"], problem)
                break
            rows, last_seq, last_hash = rows + 1, values["seq"], values["row_hash"]
    if broken is None:
        broken = _head_problem(chain, head, last_seq, last_hash)
    return ChainReport(
        chain=chain,
        rows=rows,
        head_seq=None if head is None else head[0],
        head_hash=None if head is None else head[1],
        broken=broken,
    )


def _row_problem(row: RowMapping, last_seq: int, last_hash: bytes) -> str | None:
    if row["seq"] != last_seq + 1:
        return f"seq {row['seq']} follows seq {last_seq}: rows are missing"
    if row["prev_hash"] != last_hash:
        return "prev_hash does not match the row before"
    if row["chain"] != chain_for(row["municipality_id"]):
        return "the row's municipality does not belong to this chain"
    if row["row_hash"] != row_hash(last_hash, row):
        return "row_hash does not match the row's content: the row was changed"
    return None


def _head_problem(
    chain: str, head: tuple[int, bytes] | None, last_seq: int, last_hash: bytes
) -> BrokenLink | None:
    if head is None:
        return BrokenLink(chain, None, None, "the chain has rows but no head")
    head_seq, head_hash = head
    if head_seq != last_seq:
        return BrokenLink(
            chain, None, None, f"the head says seq {head_seq}, the rows end at seq {last_seq}"
        )
    if head_hash != last_hash:
        return BrokenLink(chain, None, None, "the head hash does not match the last row")
    return None
