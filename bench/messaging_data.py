"""The conversations behind the messaging rows of `make bench` (P3 to P7).

`python -m bench.messaging_data [--history-pages N]` runs with a server's SAMPLAN_* environment
after `samplan migrate` and `samplan seed-demo`. In Per Mikkelsen's demo plan (the plan of the
P2 rows) it starts, through the services and as Per, conversations for the whole
responsibility group:

- POST_THREADS threads P3 posts into (spread, so concurrent posts seldom wait for one thread's
  row lock), one for live delivery in one worker (P4), one the idle sockets subscribe to (P5),
  one for delivery across workers (P6);
- a history thread for P7 with N pages of 50 messages: the first two through the services (Per,
  then the plan's coordinator), the rest bulk-inserted with SQLAlchemy Core alternating between
  those two authors, with consecutive sequence numbers and the thread's `last_seq` set to the
  last, then VACUUM ANALYZE as autovacuum would have done.

The thread ids go to `<data dir>/messaging-threads.json` for the harness.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import uuid
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Table, insert, select, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from app.access import Actor
from app.clock import Clock, SystemClock
from app.db import make_engine, make_sessionmaker
from app.messages import service as messages
from app.models import Employee, Message, Person, Plan, Realm, Thread
from app.settings import Settings

THREADS_FILE = "messaging-threads.json"
OWNER = ("Per", "Mikkelsen")
POST_THREADS = 8
PAGE_SIZE = messages.PAGE_SIZE
HISTORY_PAGES = 1_000
INSERT_BATCH = 5_000


@dataclass(frozen=True)
class Threads:
    """What the harness reads from THREADS_FILE: ids as text, as they go into URLs."""

    plan: str
    post: list[str]
    live: str
    idle: str
    cross: str
    history: str
    history_messages: int

    def write(self, data_dir: Path) -> None:
        (data_dir / THREADS_FILE).write_text(json.dumps(asdict(self), indent=1) + "\n")

    @classmethod
    def read(cls, data_dir: Path) -> Threads:
        found: dict[str, Any] = json.loads((data_dir / THREADS_FILE).read_text())
        return cls(**found)


def _citizen(person: Person) -> Actor:
    return Actor(
        realm=Realm.CITIZEN,
        session_id=uuid.uuid4(),
        display_name=person.display_name,
        person_id=person.id,
    )


def _staff(member: Employee) -> Actor:
    return Actor(
        realm=Realm.EMPLOYEE,
        session_id=uuid.uuid4(),
        display_name=member.name,
        employee_id=member.id,
        municipality_id=member.municipality_id,
    )


async def _owner_and_coordinator(session: AsyncSession) -> tuple[Plan, Actor, Actor]:
    given, family = OWNER
    owner = await session.scalar(
        select(Person).where(Person.given_name == given, Person.family_name == family)
    )
    plan = await session.scalar(select(Plan).where(Plan.owner_id == owner.id)) if owner else None
    coordinator = (
        await session.get(Employee, plan.coordinator_id)
        if plan is not None and plan.coordinator_id is not None
        else None
    )
    if owner is None or plan is None or coordinator is None:
        raise SystemExit("bench.messaging_data: run `samplan seed-demo` first (no plan for Per)")
    return plan, _citizen(owner), _staff(coordinator)


async def _start(session: AsyncSession, owner: Actor, plan: Plan, topic: str, clock: Clock) -> str:
    thread, _first = await messages.start_thread(
        session,
        owner,
        plan.id,
        topic=topic,
        members=None,
        first_message=f"{topic}: the first message.",
        clock=clock,
    )
    return str(thread.id)


def _table(model: Any) -> Table:
    table: Table = model.__table__
    return table


def _history_rows(
    templates: tuple[Message, Message], first_seq: int, last_seq: int
) -> Iterator[dict[str, Any]]:
    """Messages first_seq..last_seq, authored in turn like the two templates."""
    for seq in range(first_seq, last_seq + 1):
        like = templates[seq % 2]
        yield {
            "id": uuid.uuid4(),
            "thread_id": like.thread_id,
            "plan_id": like.plan_id,
            "seq": seq,
            "author_person_id": like.author_person_id,
            "author_employee_id": like.author_employee_id,
            "author_key": like.author_key,
            "on_behalf_of_person_id": like.on_behalf_of_person_id,
            "author_unit_id": like.author_unit_id,
            "client_id": None,
            "text": f"History message {seq}: how the week went, and what we agreed to try next.",
            "created_at": like.created_at + timedelta(microseconds=seq),
            "edited_at": None,
            "version": 1,
        }


async def fill_history(engine: AsyncEngine, thread_id: uuid.UUID, messages_wanted: int) -> int:
    """Bulk-insert messages after the thread's first two until it has `messages_wanted`; the
    thread's last_seq follows. Returns the thread's last sequence number."""
    async with make_sessionmaker(engine)() as session:
        templates = list(
            await session.scalars(
                select(Message).where(Message.thread_id == thread_id).order_by(Message.seq)
            )
        )
    if len(templates) < 2:
        raise SystemExit("bench.messaging_data: the history thread needs its first two messages")
    first, second = templates[0], templates[1]
    start = templates[-1].seq + 1
    rows = _history_rows((second, first), start, messages_wanted)  # even seq: like the second
    table, threads = _table(Message), _table(Thread)
    async with engine.begin() as connection:
        batch: list[dict[str, Any]] = []
        for row in rows:
            batch.append(row)
            if len(batch) == INSERT_BATCH:
                await connection.execute(insert(table), batch)
                batch = []
        if batch:
            await connection.execute(insert(table), batch)
        last = max(messages_wanted, start - 1)
        await connection.execute(
            update(threads).where(threads.c.id == thread_id).values(last_seq=last)
        )
    return last


async def prepare(settings: Settings, *, history_pages: int, clock: Clock) -> Threads:
    """The conversations of the module's description, and THREADS_FILE."""
    engine = make_engine(settings.resolved_database_url)
    try:
        async with make_sessionmaker(engine).begin() as session:
            plan, owner, coordinator = await _owner_and_coordinator(session)
            post = [
                await _start(session, owner, plan, f"Benchmark posts {number + 1}", clock)
                for number in range(POST_THREADS)
            ]
            live = await _start(session, owner, plan, "Benchmark live delivery", clock)
            idle = await _start(session, owner, plan, "Benchmark idle sockets", clock)
            cross = await _start(session, owner, plan, "Benchmark across workers", clock)
            history = await _start(session, owner, plan, "Benchmark history", clock)
            await messages.post_message(
                session,
                coordinator,
                plan.id,
                uuid.UUID(history),
                "The coordinator's answer.",
                clock=clock,
            )
        last = await fill_history(engine, uuid.UUID(history), history_pages * PAGE_SIZE)
        async with engine.connect() as connection:
            autocommit = await connection.execution_options(isolation_level="AUTOCOMMIT")
            vacuum = "VACUUM ANALYZE" if engine.dialect.name == "postgresql" else "ANALYZE"
            await autocommit.exec_driver_sql(vacuum)
        threads = Threads(
            plan=str(plan.id),
            post=post,
            live=live,
            idle=idle,
            cross=cross,
            history=history,
            history_messages=last,
        )
        threads.write(settings.data_dir)
        return threads
    finally:
        await engine.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.messaging_data", description=__doc__)
    parser.add_argument(
        "--history-pages",
        type=int,
        default=HISTORY_PAGES,
        help=f"pages of {PAGE_SIZE} messages in the history thread (default {HISTORY_PAGES})",
    )
    args = parser.parse_args(argv)
    if args.history_pages < 1:
        parser.error("--history-pages must be at least 1")
    threads = asyncio.run(
        prepare(Settings(), history_pages=args.history_pages, clock=SystemClock())
    )
    sys.stderr.write(
        f"bench.messaging_data: {len(threads.post) + 4} threads, "
        f"{threads.history_messages:,} messages in the history thread\n"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
