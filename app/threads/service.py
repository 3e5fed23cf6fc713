"""Conversations in a plan (capability 8): threads with a topic, for the whole group or chosen
members or units; closing and reopening; who is in them. Messages: app/messages/service.py.

Who may read a thread is decided by app/access with the thread's facts: whether the reader is
a member (named, or through their unit: the unit inbox), whether the thread is meant for the
owner (a 13-15-year-old reads only those), and whether it is shielded from a guardian.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app import access
from app.access import ActingBasis, Actor, ItemFacts, Permission, PlanAccess
from app.access.population_register import PopulationRegister
from app.clock import Clock
from app.errors import Conflict, Forbidden, InvalidInput, NotFound
from app.i18n import gettext_noop
from app.idempotency.service import actor_key
from app.models import (
    Audience,
    Employee,
    Participant,
    Person,
    Plan,
    Realm,
    Thread,
    ThreadMember,
    ThreadRead,
    UnitMembership,
)
from app.plan_items.names import load_names
from app.plan_items.writing import ensure_open
from app.timeline import service as timeline

THREAD_NOT_FOUND = gettext_noop("We could not find that conversation.")
THREAD_CLOSED = gettext_noop("This conversation is closed. Start a new one if you need to.")
ALREADY_CLOSED = gettext_noop("The conversation is already closed.")
ALREADY_MEMBER = gettext_noop("That one is already in the conversation.")
ALREADY_OPEN = gettext_noop("The conversation is already open.")
NOT_IN_GROUP = gettext_noop("Everyone you choose must take part in the plan.")


@dataclass(frozen=True)
class MemberChoice:
    """Someone a thread is for: a person, an employee, or a unit (the unit inbox)."""

    person_id: uuid.UUID | None = None
    employee_id: uuid.UUID | None = None
    unit_id: uuid.UUID | None = None


@dataclass
class ThreadAccess:
    thread: Thread
    members: list[ThreadMember]
    item: ItemFacts
    reads_from_seq: int


@dataclass
class ThreadSummary:
    thread: Thread
    unread: int
    can_post: bool


def _is_member(opened: PlanAccess, actor: Actor, members: Sequence[ThreadMember]) -> bool:
    for member in members:
        if member.removed_at is not None:
            continue
        if actor.person_id is not None and member.person_id == actor.person_id:
            return True
        if actor.employee_id is not None and member.employee_id == actor.employee_id:
            return True
        if member.unit_id is not None and member.unit_id in opened.facts.grant_units:
            return True
    return False


def _reads_from(opened: PlanAccess, actor: Actor, members: Sequence[ThreadMember]) -> int:
    """Members added later without the history read from when they came; others from 0."""
    starts = [
        m.reads_from_seq
        for m in members
        if m.removed_at is None
        and (
            (actor.person_id is not None and m.person_id == actor.person_id)
            or (actor.employee_id is not None and m.employee_id == actor.employee_id)
            or (m.unit_id is not None and m.unit_id in opened.facts.grant_units)
        )
    ]
    return min(starts) if starts else 0


def thread_facts(
    opened: PlanAccess, actor: Actor, thread: Thread, members: Sequence[ThreadMember]
) -> ItemFacts:
    everyone = thread.audience is Audience.GROUP
    owner_in = everyone or any(
        m.person_id == opened.plan.owner_id and m.removed_at is None for m in members
    )
    return ItemFacts(
        type="thread",
        id=thread.id,
        actor_is_member=everyone or _is_member(opened, actor, members),
        meant_for_owner=owner_in,
    )


async def _members(session: AsyncSession, thread_ids: Sequence[uuid.UUID]) -> list[ThreadMember]:
    if not thread_ids:
        return []
    rows = await session.scalars(select(ThreadMember).where(ThreadMember.thread_id.in_(thread_ids)))
    return list(rows.all())


async def open_thread(
    session: AsyncSession,
    actor: Actor,
    plan_id: uuid.UUID,
    thread_id: uuid.UUID,
    permission: Permission,
    *,
    clock: Clock,
) -> tuple[PlanAccess, ThreadAccess]:
    """The thread, if the actor may do `permission` in it (audited); NotFound otherwise."""
    opened = await access.open_plan(session, actor, plan_id, clock=clock, intent=permission)
    thread = await session.get(Thread, thread_id)
    if thread is None or thread.plan_id != plan_id:
        raise NotFound(THREAD_NOT_FOUND, code="thread_not_found")
    members = await _members(session, [thread.id])
    item = thread_facts(opened, actor, thread, members)
    # Who may not read the thread may not know it exists.
    if not opened.allows(Permission.READ_MESSAGES, item):
        with contextlib.suppress(Forbidden):  # audited as denied, answered as not found
            await access.check(
                session, actor, opened, Permission.READ_MESSAGES, item=item, clock=clock
            )
        raise NotFound(THREAD_NOT_FOUND, code="thread_not_found")
    await access.check(session, actor, opened, permission, item=item, clock=clock)
    return opened, ThreadAccess(thread, members, item, _reads_from(opened, actor, members))


async def check_members(
    session: AsyncSession, opened: PlanAccess, chosen: Sequence[MemberChoice]
) -> None:
    """Everyone chosen takes part in the plan: the owner, or a participant (person, employee,
    or a unit a participating employee takes part for)."""
    rows = (
        await session.execute(
            select(Participant.person_id, Participant.employee_id, Participant.unit_id).where(
                Participant.plan_id == opened.plan.id, Participant.left_at.is_(None)
            )
        )
    ).all()
    people = {p for p, _e, _u in rows if p} | {opened.plan.owner_id}
    employees = {e for _p, e, _u in rows if e}
    units = {u for _p, e, u in rows if e and u}
    for choice in chosen:
        known = (
            (choice.person_id in people if choice.person_id else False)
            or (choice.employee_id in employees if choice.employee_id else False)
            or (choice.unit_id in units if choice.unit_id else False)
        )
        named = (choice.person_id, choice.employee_id, choice.unit_id)
        if not known or sum(value is not None for value in named) != 1:
            raise InvalidInput(NOT_IN_GROUP, code="not_in_group", field="members")


async def set_closed(
    session: AsyncSession,
    actor: Actor,
    plan_id: uuid.UUID,
    thread_id: uuid.UUID,
    *,
    closed: bool,
    clock: Clock,
) -> Thread:
    opened, found = await open_thread(
        session, actor, plan_id, thread_id, Permission.CLOSE_THREAD, clock=clock
    )
    ensure_open(opened.plan)
    thread = found.thread
    if (thread.closed_at is not None) == closed:
        raise Conflict(ALREADY_CLOSED if closed else ALREADY_OPEN, code="thread_unchanged")
    thread.closed_at = clock.now() if closed else None
    await session.flush()
    await timeline.record(
        session,
        actor,
        opened.plan,
        kind="thread.closed" if closed else "thread.reopened",
        item_type="thread",
        item_id=thread.id,
        clock=clock,
    )
    return thread


async def add_member(
    session: AsyncSession,
    actor: Actor,
    plan_id: uuid.UUID,
    thread_id: uuid.UUID,
    choice: MemberChoice,
    *,
    clock: Clock,
) -> ThreadMember:
    """Add someone to a thread with chosen members. Whether they read what came before is the
    owner's choice for the thread (`new_members_see_history`)."""
    opened, found = await open_thread(
        session, actor, plan_id, thread_id, Permission.ADD_THREAD_MEMBER, clock=clock
    )
    ensure_open(opened.plan)
    await check_members(session, opened, [choice])
    thread = found.thread
    if choice in {
        MemberChoice(m.person_id, m.employee_id, m.unit_id)
        for m in found.members
        if m.removed_at is None
    }:
        raise Conflict(ALREADY_MEMBER, code="already_member")
    member = ThreadMember(
        thread_id=thread.id,
        person_id=choice.person_id,
        employee_id=choice.employee_id,
        unit_id=choice.unit_id,
        reads_from_seq=0 if thread.new_members_see_history else thread.last_seq,
        added_at=clock.now(),
    )
    session.add(member)
    await session.flush()
    return member


async def set_history_for_new_members(
    session: AsyncSession,
    actor: Actor,
    plan_id: uuid.UUID,
    thread_id: uuid.UUID,
    *,
    see_history: bool,
    clock: Clock,
) -> Thread:
    """The owner (or whoever consents for them) decides: a consent decision."""
    opened, found = await open_thread(
        session, actor, plan_id, thread_id, Permission.MANAGE_GRANTS, clock=clock
    )
    ensure_open(opened.plan)
    found.thread.new_members_see_history = see_history
    await session.flush()
    return found.thread


async def threads_of_plan(
    session: AsyncSession, actor: Actor, plan_id: uuid.UUID, *, clock: Clock
) -> tuple[PlanAccess, list[ThreadSummary]]:
    """The conversations the reader may see in one plan, newest first, with unread counts."""
    opened = await access.open_plan(session, actor, plan_id, clock=clock)
    await access.check(session, actor, opened, Permission.SEE_PLAN, clock=clock)
    threads = list(
        (
            await session.scalars(
                select(Thread)
                .where(Thread.plan_id == plan_id)
                .order_by(Thread.last_message_at.desc().nulls_last(), Thread.created_at.desc())
            )
        ).all()
    )
    return opened, await _summaries(session, actor, {opened.plan.id: opened}, threads)


async def _summaries(
    session: AsyncSession,
    actor: Actor,
    opened_by_plan: Mapping[uuid.UUID, PlanAccess],
    threads: Sequence[Thread],
) -> list[ThreadSummary]:
    """The threads the actor may read, with unread counts: three queries for any number of
    threads, in one plan or several."""
    members = await _members(session, [t.id for t in threads])
    by_thread: dict[uuid.UUID, list[ThreadMember]] = {}
    for member in members:
        by_thread.setdefault(member.thread_id, []).append(member)
    reads = (
        {
            read.thread_id: read.last_read_seq
            for read in await session.scalars(
                select(ThreadRead).where(
                    ThreadRead.thread_id.in_([t.id for t in threads]),
                    ThreadRead.reader == actor_key(actor),
                )
            )
        }
        if threads
        else {}
    )
    summaries = []
    for thread in threads:
        opened = opened_by_plan[thread.plan_id]
        mine = by_thread.get(thread.id, [])
        item = thread_facts(opened, actor, thread, mine)
        if not opened.allows(Permission.READ_MESSAGES, item):
            continue
        start = max(reads.get(thread.id, 0), _reads_from(opened, actor, mine))
        writable = thread.closed_at is None and opened.plan.status.value != "closed"
        summaries.append(
            ThreadSummary(
                thread=thread,
                unread=max(0, thread.last_seq - start),
                can_post=writable and opened.allows(Permission.POST_MESSAGE, item),
            )
        )
    return summaries


@dataclass
class InboxItem:
    plan_id: uuid.UUID
    owner_name: str
    thread: Thread
    unread: int


async def unit_inbox(session: AsyncSession, actor: Actor, *, clock: Clock) -> list[InboxItem]:
    """Conversations addressed to the units the employee works in, across the plans they may
    see, so nothing waits for one person who is away. Only those they may read."""
    if actor.employee_id is None:
        return []
    my_units = select(UnitMembership.unit_id).where(UnitMembership.employee_id == actor.employee_id)
    rows = (
        await session.execute(
            select(Thread, Plan, Person)
            .join(ThreadMember, ThreadMember.thread_id == Thread.id)
            .join(Plan, Plan.id == Thread.plan_id)
            .join(Person, Person.id == Plan.owner_id)
            .where(
                ThreadMember.unit_id.in_(my_units),
                ThreadMember.removed_at.is_(None),
                await access.visible_plans(session, actor, clock=clock),
            )
            .order_by(Thread.last_message_at.desc().nulls_last())
            .distinct()
        )
    ).all()
    plans = {plan.id: plan for _thread, plan, _owner in rows}
    owner_names = {thread.id: owner.display_name for thread, _plan, owner in rows}
    opened_by_plan = await access.open_plans(session, actor, list(plans.values()), clock=clock)
    readable = [thread for thread, plan, _owner in rows if plan.id in opened_by_plan]
    items: list[InboxItem] = []
    for summary in await _summaries(session, actor, opened_by_plan, readable):
        thread = summary.thread
        items.append(InboxItem(thread.plan_id, owner_names[thread.id], thread, summary.unread))
        await access.audit.record_done(
            session,
            actor,
            plans[thread.plan_id],
            "inbox.read",
            clock=clock,
            item_type="thread",
            item_id=thread.id,
        )
    items.sort(key=lambda item: item.thread.last_message_at or item.thread.created_at, reverse=True)
    return items


async def readers_to_tell(
    session: AsyncSession,
    thread_id: uuid.UUID,
    *,
    register: PopulationRegister,
    clock: Clock,
    besides: str,
) -> list[str]:
    """Who may read the thread (as recipient keys), apart from `besides` (the writer): told
    only that something is new (R-NOTE-1). Each candidate is asked about through access, as
    themself: the owner, their guardians, the coordinator and the participants."""
    thread = await session.get(Thread, thread_id)
    if thread is None:
        return []
    plan = await session.get(Plan, thread.plan_id)
    owner = await session.get(Person, plan.owner_id) if plan else None
    if plan is None or owner is None:
        return []
    candidates = [_as_person(owner)]
    candidates += [
        _as_person(g, acting_for=owner) for g in await register.guardians_of(session, owner)
    ]
    rows = (
        await session.execute(
            select(Participant.person_id, Participant.employee_id).where(
                Participant.plan_id == plan.id, Participant.left_at.is_(None)
            )
        )
    ).all()
    people = {p for p, _e in rows if p}
    employees = {e for _p, e in rows if e} | (
        {plan.coordinator_id} if plan.coordinator_id else set()
    )
    candidates += [_as_person_id(p) for p in people]
    staff = await session.scalars(select(Employee).where(Employee.id.in_(employees)))
    candidates += [_as_employee(member) for member in staff]
    members = await _members(session, [thread.id])
    told: list[str] = []
    for candidate in candidates:
        key = actor_key(candidate)
        if key == besides or key in told:
            continue
        # Asked by the system, not by them: nothing in their name in the audit log.
        opened = await access.peek_plan(session, candidate, plan, clock=clock)
        if opened is None:
            continue
        if opened.allows(
            Permission.READ_MESSAGES, thread_facts(opened, candidate, thread, members)
        ):
            told.append(key)
    return told


def _as_person(person: Person, *, acting_for: Person | None = None) -> Actor:
    return Actor(
        realm=Realm.CITIZEN,
        session_id=uuid.UUID(int=0),
        display_name=person.display_name,
        person_id=person.id,
        acting_for_person_id=acting_for.id if acting_for else None,
        acting_basis=ActingBasis.PARENTAL_RESPONSIBILITY if acting_for else None,
    )


def _as_person_id(person_id: uuid.UUID) -> Actor:
    return Actor(
        realm=Realm.CITIZEN, session_id=uuid.UUID(int=0), display_name="", person_id=person_id
    )


def _as_employee(member: Employee) -> Actor:
    return Actor(
        realm=Realm.EMPLOYEE,
        session_id=uuid.UUID(int=0),
        display_name=member.name,
        employee_id=member.id,
        municipality_id=member.municipality_id,
    )


def may_start(opened: PlanAccess) -> bool:
    """May the reader start a conversation in this plan (they are in every one they start)?"""
    return opened.plan.status.value != "closed" and opened.allows(
        Permission.POST_MESSAGE,
        ItemFacts(type="thread", actor_is_member=True, meant_for_owner=True),
    )


@dataclass(frozen=True)
class MemberOption:
    """Someone a conversation can be for, as a form offers them."""

    choice: MemberChoice
    name: str
    unit: str | None = None


async def member_choices(
    session: AsyncSession,
    actor: Actor,
    plan_id: uuid.UUID,
    *,
    clock: Clock,
    thread_id: uuid.UUID | None = None,
) -> list[MemberOption]:
    """Who a new conversation (or, with `thread_id`, an existing one) can be for: the owner,
    the participants, and the services participants work for. Offered to those who may post."""
    opened = await access.open_plan(
        session, actor, plan_id, clock=clock, intent=Permission.POST_MESSAGE
    )
    await access.check(
        session,
        actor,
        opened,
        Permission.POST_MESSAGE,
        item=ItemFacts(type="thread", actor_is_member=True, meant_for_owner=True),
        clock=clock,
    )
    rows = (
        await session.execute(
            select(Participant.person_id, Participant.employee_id, Participant.unit_id).where(
                Participant.plan_id == plan_id, Participant.left_at.is_(None)
            )
        )
    ).all()
    names = await load_names(
        session,
        people=[opened.plan.owner_id] + [p for p, _e, _u in rows],
        employees=[e for _p, e, _u in rows],
        units=[u for _p, _e, u in rows],
    )
    # Nobody is offered themself: they are in every conversation they start.
    taken: set[MemberChoice] = {
        MemberChoice(employee_id=actor.employee_id)
        if actor.employee_id is not None
        else MemberChoice(person_id=actor.person_id)
    }
    if thread_id is not None:
        _opened, found = await open_thread(
            session, actor, plan_id, thread_id, Permission.ADD_THREAD_MEMBER, clock=clock
        )
        taken |= {
            MemberChoice(m.person_id, m.employee_id, m.unit_id)
            for m in found.members
            if m.removed_at is None
        }
    owner = opened.plan.owner_id
    options = [MemberOption(MemberChoice(person_id=owner), names.person(owner) or "")]
    for person_id, employee_id, unit_id in rows:
        if person_id is not None:
            name = names.person(person_id) or ""
            options.append(MemberOption(MemberChoice(person_id=person_id), name))
        elif employee_id is not None:
            options.append(
                MemberOption(
                    MemberChoice(employee_id=employee_id),
                    names.employee(employee_id) or "",
                    names.unit(unit_id),
                )
            )
    units = sorted({u for _p, e, u in rows if e and u}, key=lambda u: names.unit(u) or "")
    options += [MemberOption(MemberChoice(unit_id=u), names.unit(u) or "") for u in units]
    seen: set[MemberChoice] = set()
    unique = []
    for option in options:
        if option.choice not in seen and option.choice not in taken:
            seen.add(option.choice)
            unique.append(option)
    return unique
