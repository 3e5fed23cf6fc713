"""Messages in a conversation: starting one, posting (once, even when retried), correcting
with the earlier text kept, read state, and reading by sequence number: the page, the replay
after a reconnect and live delivery all read through here, with access checked each time."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.attributes import set_committed_value

from app import access
from app.access import Actor, ItemFacts, Permission, PlanAccess
from app.attachments import service as attachments
from app.clock import Clock
from app.errors import Conflict, InvalidInput, NotFound
from app.i18n import gettext_noop
from app.idempotency.service import actor_key
from app.models import (
    Attachment,
    Audience,
    Message,
    MessageRevision,
    Thread,
    ThreadMember,
    ThreadRead,
)
from app.plan_items import texts, versions
from app.plan_items.names import Names, load_names
from app.plan_items.writing import ensure_open
from app.threads.events import MessagePosted, announce, announce_changed
from app.threads.service import (
    THREAD_CLOSED,
    MemberChoice,
    ThreadAccess,
    check_members,
    open_thread,
)
from app.timeline import service as timeline

MESSAGE_LIMIT = texts.LONG
PAGE_SIZE = 50
MESSAGE_NOT_FOUND = gettext_noop("We could not find that message.")
NO_MEMBERS = gettext_noop("Choose who the conversation is for.")
BAD_CLIENT_ID = gettext_noop("The message id must be 1 to 100 visible characters.")


@dataclass
class MessageView:
    message: Message
    author: str
    unit: str | None
    on_behalf_of: str | None
    is_own: bool
    attachments: list[Attachment] = field(default_factory=list)
    revisions: list[MessageRevision] = field(default_factory=list)  # earlier texts, oldest first
    can_edit: bool = False  # the author, in a conversation open for writing


@dataclass
class ThreadPage:
    thread: Thread
    plan_access: PlanAccess
    messages: list[MessageView]
    members: list[str]
    can_post: bool
    can_close: bool
    can_add_members: bool
    last_read_seq: int
    older_than: int | None  # pass as `before` for the previous page
    names: Names = field(default_factory=Names)


def check_client_id(client_id: str | None) -> str | None:
    if client_id is None:
        return None
    if not 0 < len(client_id) <= 100 or not client_id.isprintable():
        raise InvalidInput(BAD_CLIENT_ID, code="bad_client_id", field="client_id")
    return client_id


async def post_message(
    session: AsyncSession,
    actor: Actor,
    plan_id: uuid.UUID,
    thread_id: uuid.UUID,
    text: str,
    *,
    clock: Clock,
    client_id: str | None = None,
) -> Message:
    """Add a message. With a `client_id`, a retry (double click, reconnect) returns the message
    already stored instead of a second one (R-SAFE-3)."""
    opened, found = await open_thread(
        session, actor, plan_id, thread_id, Permission.POST_MESSAGE, clock=clock
    )
    check_client_id(client_id)
    if client_id is not None:
        existing = await _by_client_id(session, thread_id, actor, client_id)
        if existing is not None:
            return existing
    ensure_open(opened.plan)
    if found.thread.closed_at is not None:
        raise Conflict(THREAD_CLOSED, code="thread_closed")
    return await _append(session, actor, opened, found.thread, text, client_id, clock)


async def _by_client_id(
    session: AsyncSession, thread_id: uuid.UUID, actor: Actor, client_id: str
) -> Message | None:
    return await session.scalar(
        select(Message).where(
            Message.thread_id == thread_id,
            Message.author_key == actor_key(actor),
            Message.client_id == client_id,
        )
    )


async def _append(
    session: AsyncSession,
    actor: Actor,
    opened: PlanAccess,
    thread: Thread,
    text: str,
    client_id: str | None,
    clock: Clock,
) -> Message:
    cleaned = texts.clean(text, field="text", limit=MESSAGE_LIMIT)
    now = clock.now()
    try:
        async with session.begin_nested():
            # The next number, taken under the row's lock: two posts never share one.
            seq = await session.scalar(
                update(Thread)
                .where(Thread.id == thread.id)
                .values(last_seq=Thread.last_seq + 1, last_message_at=now)
                .returning(Thread.last_seq)
                .execution_options(synchronize_session=False)
            )
            assert seq is not None
            message = Message(
                id=uuid.uuid4(),
                thread_id=thread.id,
                plan_id=thread.plan_id,
                seq=seq,
                author_person_id=actor.person_id,
                author_employee_id=actor.employee_id,
                author_key=actor_key(actor),
                on_behalf_of_person_id=actor.acting_for_person_id,
                author_unit_id=opened.unit_id if actor.employee_id else None,
                client_id=client_id,
                text=cleaned,
                created_at=now,
            )
            session.add(message)
    except IntegrityError:
        # The same client id at the same moment: the other one was stored; answer with it.
        assert client_id is not None
        existing = await _by_client_id(session, thread.id, actor, client_id)
        if existing is None:
            raise
        return existing
    # What the UPDATE wrote, told to the loaded thread without reading it back.
    set_committed_value(thread, "last_seq", seq)
    set_committed_value(thread, "last_message_at", now)
    await timeline.record(
        session,
        actor,
        opened.plan,
        kind="message.posted",
        item_type="message",
        item_id=message.id,
        parent=("thread", thread.id),
        unit_id=message.author_unit_id,
        clock=clock,
    )
    await _mark_read(session, actor, thread.id, message.seq, clock)
    await announce(
        session,
        MessagePosted(thread.plan_id, thread.id, message.seq, message.id, message.author_key),
    )
    return message


async def edit_message(
    session: AsyncSession,
    actor: Actor,
    plan_id: uuid.UUID,
    thread_id: uuid.UUID,
    message_id: uuid.UUID,
    text: str,
    *,
    seen_version: int | None,
    clock: Clock,
) -> Message:
    """The author corrects a message; the earlier text is kept and the message is marked as
    edited (no silent edits)."""
    opened, found = await open_thread(
        session, actor, plan_id, thread_id, Permission.READ_MESSAGES, clock=clock
    )
    message = await session.get(Message, message_id)
    if message is None or message.thread_id != thread_id:
        raise NotFound(MESSAGE_NOT_FOUND, code="message_not_found")
    item = ItemFacts(
        type="thread",
        id=thread_id,
        actor_is_member=found.item.actor_is_member,
        meant_for_owner=found.item.meant_for_owner,
        written_by_actor=message.author_key == actor_key(actor),
    )
    await access.check(session, actor, opened, Permission.POST_MESSAGE, item=item, clock=clock)
    ensure_open(opened.plan)
    if found.thread.closed_at is not None:
        raise Conflict(THREAD_CLOSED, code="thread_closed")
    versions.expect(message, seen_version, item_type="message")
    cleaned = texts.clean(text, field="text", limit=MESSAGE_LIMIT)
    if cleaned == message.text:
        return message
    session.add(MessageRevision(message_id=message.id, text=message.text, replaced_at=clock.now()))
    message.text, message.edited_at = cleaned, clock.now()
    await session.flush()
    await timeline.record(
        session,
        actor,
        opened.plan,
        kind="message.edited",
        item_type="message",
        item_id=message.id,
        item_version=message.version,
        parent=("thread", thread_id),
        clock=clock,
    )
    await announce_changed(session, plan_id, message)
    return message


async def _mark_read(
    session: AsyncSession, actor: Actor, thread_id: uuid.UUID, seq: int, clock: Clock
) -> None:
    reader = actor_key(actor)
    # The usual case, someone who has read before: one statement.
    moved = await session.execute(
        update(ThreadRead)
        .where(
            ThreadRead.thread_id == thread_id,
            ThreadRead.reader == reader,
            ThreadRead.last_read_seq < seq,
        )
        .values(last_read_seq=seq, read_at=clock.now())
        .execution_options(synchronize_session="evaluate")
    )
    if getattr(moved, "rowcount", 0):
        return
    current = await session.get(ThreadRead, (thread_id, reader))
    if current is None:
        try:
            async with session.begin_nested():
                session.add(
                    ThreadRead(
                        thread_id=thread_id, reader=reader, last_read_seq=seq, read_at=clock.now()
                    )
                )
        except IntegrityError:
            current = await session.get(ThreadRead, (thread_id, reader))
    if current is not None and current.last_read_seq < seq:
        current.last_read_seq, current.read_at = seq, clock.now()
        await session.flush()


async def mark_read(
    session: AsyncSession,
    actor: Actor,
    plan_id: uuid.UUID,
    thread_id: uuid.UUID,
    seq: int,
    *,
    clock: Clock,
) -> None:
    _opened, found = await open_thread(
        session, actor, plan_id, thread_id, Permission.READ_MESSAGES, clock=clock
    )
    await _mark_read(session, actor, thread_id, min(seq, found.thread.last_seq), clock)


async def messages_after(
    session: AsyncSession,
    actor: Actor,
    plan_id: uuid.UUID,
    thread_id: uuid.UUID,
    after_seq: int,
    *,
    clock: Clock,
    limit: int = 200,
) -> tuple[ThreadAccess, list[MessageView]]:
    """Messages after `after_seq`, oldest first: the replay after a reconnect (quality.md R2)
    and the live delivery both read here, with the reader's access checked each time."""
    opened, found = await open_thread(
        session, actor, plan_id, thread_id, Permission.READ_MESSAGES, clock=clock
    )
    start = max(after_seq, found.reads_from_seq)
    rows = list(
        (
            await session.scalars(
                select(Message)
                .where(Message.thread_id == thread_id, Message.seq > start)
                .order_by(Message.seq)
                .limit(limit)
            )
        ).all()
    )
    return found, await _views(session, actor, rows)


async def thread_page(
    session: AsyncSession,
    actor: Actor,
    plan_id: uuid.UUID,
    thread_id: uuid.UUID,
    *,
    clock: Clock,
    before: int | None = None,
    limit: int = PAGE_SIZE,
) -> ThreadPage:
    """The newest messages (or those before `before`), oldest first on the page; keyset on the
    sequence number, so page 1,000 costs what page 1 costs (quality.md P7)."""
    opened, found = await open_thread(
        session, actor, plan_id, thread_id, Permission.READ_MESSAGES, clock=clock
    )
    thread = found.thread
    conditions = [Message.thread_id == thread_id, Message.seq > found.reads_from_seq]
    if before is not None:
        conditions.append(Message.seq < before)
    rows = list(
        (
            await session.scalars(
                select(Message).where(*conditions).order_by(Message.seq.desc()).limit(limit + 1)
            )
        ).all()
    )
    more = len(rows) > limit
    rows = list(reversed(rows[:limit]))
    read = await session.get(ThreadRead, (thread_id, actor_key(actor)))
    last_read = read.last_read_seq if read else 0
    if rows and rows[-1].seq > last_read and before is None:
        await _mark_read(session, actor, thread_id, rows[-1].seq, clock)
    views = await _views(session, actor, rows)
    open_for_writing = thread.closed_at is None and opened.plan.status.value != "closed"
    can_post = open_for_writing and opened.allows(Permission.POST_MESSAGE, found.item)
    for view in views:
        view.can_edit = can_post and view.is_own
    names = await load_names(
        session,
        people=[m.person_id for m in found.members],
        employees=[m.employee_id for m in found.members],
        units=[m.unit_id for m in found.members],
    )
    member_names = [
        names.person(m.person_id) or names.employee(m.employee_id) or names.unit(m.unit_id) or ""
        for m in found.members
        if m.removed_at is None
    ]
    return ThreadPage(
        thread=thread,
        plan_access=opened,
        messages=views,
        members=member_names,
        can_post=can_post,
        can_close=opened.plan.status.value != "closed"
        and opened.allows(Permission.CLOSE_THREAD, found.item),
        can_add_members=thread.audience is Audience.CHOSEN
        and open_for_writing
        and opened.allows(Permission.ADD_THREAD_MEMBER, found.item),
        last_read_seq=last_read,
        older_than=rows[0].seq if more and rows else None,
    )


async def view_of(session: AsyncSession, actor: Actor, message: Message) -> MessageView:
    """The view of a message the actor has just written or changed (access already checked
    by the write): names and attachments, without reading the message again."""
    return (await _views(session, actor, [message]))[0]


async def _views(
    session: AsyncSession,
    actor: Actor,
    rows: Sequence[Message],
) -> list[MessageView]:
    names = await load_names(
        session,
        people=[m.author_person_id for m in rows] + [m.on_behalf_of_person_id for m in rows],
        employees=[m.author_employee_id for m in rows],
        units=[m.author_unit_id for m in rows],
    )
    files = await attachments.of_messages(session, [m.id for m in rows])
    earlier = await revisions_of(session, [m.id for m in rows if m.edited_at is not None])
    for m in rows:  # so that a fragment rendered from the message alone shows them too
        set_committed_value(m, "attachments", files.get(m.id, []))
        set_committed_value(m, "revisions", earlier.get(m.id, []))
    me = actor_key(actor)
    return [
        MessageView(
            message=m,
            author=names.author(m.author_person_id, m.author_employee_id),
            unit=names.unit(m.author_unit_id),
            on_behalf_of=names.person(m.on_behalf_of_person_id),
            is_own=m.author_key == me,
            attachments=files.get(m.id, []),
            revisions=earlier.get(m.id, []),
        )
        for m in rows
    ]


async def revisions_of(
    session: AsyncSession, message_ids: list[uuid.UUID]
) -> dict[uuid.UUID, list[MessageRevision]]:
    """The earlier texts of messages the caller has already read through access."""
    found: dict[uuid.UUID, list[MessageRevision]] = {}
    if not message_ids:
        return found
    rows = await session.scalars(
        select(MessageRevision)
        .where(MessageRevision.message_id.in_(message_ids))
        .order_by(MessageRevision.replaced_at, MessageRevision.id)
    )
    for revision in rows:
        found.setdefault(revision.message_id, []).append(revision)
    return found


async def start_thread(
    session: AsyncSession,
    actor: Actor,
    plan_id: uuid.UUID,
    *,
    topic: str,
    members: Sequence[MemberChoice] | None,
    first_message: str,
    clock: Clock,
    client_id: str | None = None,
) -> tuple[Thread, Message]:
    """A new conversation: for the whole group (`members` None) or the chosen ones; the one who
    starts it is always in it."""
    opened = await access.open_plan(
        session, actor, plan_id, clock=clock, intent=Permission.POST_MESSAGE
    )
    cleaned_topic = texts.clean(topic, field="topic", limit=texts.SHORT)
    texts.clean(first_message, field="text", limit=MESSAGE_LIMIT)
    chosen = list(members or [])
    if members is not None and not chosen:
        raise InvalidInput(NO_MEMBERS, code="no_members", field="members")
    owner_in = members is None or any(c.person_id == opened.plan.owner_id for c in chosen)
    await access.check(
        session,
        actor,
        opened,
        Permission.POST_MESSAGE,
        item=ItemFacts(type="thread", actor_is_member=True, meant_for_owner=owner_in),
        clock=clock,
    )
    ensure_open(opened.plan)
    if chosen:
        await check_members(session, opened, chosen)
        # The one who starts a conversation is in it.
        mine = (
            MemberChoice(employee_id=actor.employee_id)
            if actor.employee_id is not None
            else MemberChoice(person_id=actor.person_id)
        )
        if mine not in chosen:
            chosen.append(mine)
    now = clock.now()
    thread = Thread(
        id=uuid.uuid4(),
        plan_id=plan_id,
        topic=cleaned_topic,
        audience=Audience.GROUP if members is None else Audience.CHOSEN,
        created_by_person_id=actor.person_id,
        created_by_employee_id=actor.employee_id,
        on_behalf_of_person_id=actor.acting_for_person_id,
        created_at=now,
    )
    session.add(thread)
    await session.flush()
    session.add_all(
        ThreadMember(
            thread_id=thread.id,
            person_id=c.person_id,
            employee_id=c.employee_id,
            unit_id=c.unit_id,
            added_at=now,
        )
        for c in chosen
    )
    await timeline.record(
        session,
        actor,
        opened.plan,
        kind="thread.started",
        item_type="thread",
        item_id=thread.id,
        changes={"topic": [None, cleaned_topic]},
        unit_id=opened.unit_id if actor.employee_id else None,
        clock=clock,
    )
    message = await _append(session, actor, opened, thread, first_message, client_id, clock)
    return thread, message


@dataclass
class Delivery:
    """Messages for the live connections of one thread, with the names to show."""

    messages: list[Message]
    names: Names


async def for_delivery(
    session: AsyncSession,
    thread_id: uuid.UUID,
    *,
    after: int | None = None,
    seq: int | None = None,
    limit: int = 500,
) -> Delivery:
    """For app/messaging only: connections whose access to the thread was checked when they
    subscribed, and is checked again whenever it may have changed. `after` reads on from a
    sequence number; `seq` reads one message again (after an edit)."""
    query = (
        select(Message)
        .where(Message.thread_id == thread_id)
        .options(selectinload(Message.attachments), selectinload(Message.revisions))
    )
    if seq is not None:
        query = query.where(Message.seq == seq)
    else:
        query = query.where(Message.seq > (after or 0)).order_by(Message.seq).limit(limit)
    rows = list((await session.scalars(query)).all())
    names = await load_names(
        session,
        people=[m.author_person_id for m in rows] + [m.on_behalf_of_person_id for m in rows],
        employees=[m.author_employee_id for m in rows],
        units=[m.author_unit_id for m in rows],
    )
    return Delivery(rows, names)
