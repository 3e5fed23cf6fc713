"""The live side of conversations in one app process: open websocket connections, what each has
subscribed to, delivery of new messages, and cutting access at once (R-CON-3).

Every message has a per-thread sequence number and every subscription remembers the last one
it delivered. A wake-up (from this process or, through the fan-out, from another) only says
"thread T has news"; the hub then reads what came after each subscription's number from the
database. So a lost wake-up, a restarted listener or a reconnecting client costs a moment, never
a message, and nobody gets one twice (quality.md R2).

Flow control: a connection is given at most as many message frames as its queue has room for
(QUEUE_FRAMES, less a reserve for replies). What does not fit stays in the database; the
connection is marked as behind on that thread, and when its writer has sent the queue down to
a quarter it asks the hub (`made_room`) to read on from the connection's last sequence number.
So a burst, a long replay or a slow phone costs that client time, never a disconnect. A client
that takes nothing at all is cut off by its writer instead (app/messaging/websocket.py:
a send that has not gone out within SEND_SECONDS closes the socket with 1013).

Access is checked when a connection subscribes, and again for that person's connections
whenever consent changes for them, and for every connection at midnight (guardians at 16,
grants with an end date). Refused threads are dropped with a "revoked" frame; a connection left
with none is closed.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from datetime import datetime, time, timedelta
from typing import Any

from fastapi import FastAPI

from app.access import Permission
from app.clock import OSLO, Clock
from app.consents.events import ConsentChanged
from app.db import unit_of_work
from app.errors import DomainError
from app.messages import service as messages
from app.messaging import frames
from app.messaging.connection import (
    CLOSE_REVOKED,
    Connection,
    Subscription,
    position,
)
from app.messaging.fanout import Fanout
from app.models import Message
from app.plan_items.names import Names
from app.threads import service as threads
from app.threads.events import MessagePosted

logger = logging.getLogger(__name__)

BATCH = 500  # messages read per delivery
MESSAGE_TOPIC = "message"
CONSENT_TOPIC = "consent"


class Hub:
    def __init__(self, app: FastAPI, fanout: Fanout, clock: Clock) -> None:
        self.app, self.fanout, self.clock = app, fanout, clock
        self.connections: set[Connection] = set()
        self._by_thread: dict[uuid.UUID, set[Connection]] = {}
        self._busy: dict[uuid.UUID, asyncio.Task[None]] = {}
        self._again: set[uuid.UUID] = set()
        self._tasks: set[asyncio.Task[Any]] = set()
        self._unsubscribe: list[Any] = []
        self._midnight: asyncio.Task[None] | None = None

    # --- life cycle ------------------------------------------------------------------------

    async def start(self) -> None:
        self._unsubscribe = [
            self.fanout.subscribe(self._on_fanout),
            self.fanout.on_reconnect(self._on_reconnect),
            self.app.state.message_events.subscribe(self._on_local_message),
            self.app.state.consent_events.subscribe(self._on_local_consent),
        ]
        self._midnight = asyncio.create_task(self._recheck_at_midnight())

    async def stop(self) -> None:
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        if self._midnight is not None:
            self._midnight.cancel()
        for connection in list(self.connections):
            # 1012 "service restart": clients (htmx's extension too) reconnect and resume.
            connection.close(1012, "server restarting")
        for task in list(self._tasks) + list(self._busy.values()):
            task.cancel()

    def add(self, connection: Connection) -> None:
        self.connections.add(connection)

    def remove(self, connection: Connection) -> None:
        self.connections.discard(connection)
        for thread_id in list(connection.subscriptions):
            self._forget(connection, thread_id)

    def _forget(self, connection: Connection, thread_id: uuid.UUID) -> None:
        listeners = self._by_thread.get(thread_id)
        if listeners is not None:
            listeners.discard(connection)
            if not listeners:  # threads nobody follows any more are not kept
                del self._by_thread[thread_id]

    def _spawn(self, work: Any) -> None:
        task = asyncio.create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # --- events in -------------------------------------------------------------------------

    def _on_local_message(self, posted: MessagePosted) -> None:
        payload = f"{posted.plan_id}|{posted.thread_id}|{posted.seq}|{int(posted.edited)}"
        self._spawn(self.fanout.publish(MESSAGE_TOPIC, payload))

    def _on_local_consent(self, changed: ConsentChanged) -> None:
        payload = f"{changed.plan_id}|{changed.person_id or ''}|{changed.employee_id or ''}"
        self._spawn(self.fanout.publish(CONSENT_TOPIC, payload))

    def _on_fanout(self, topic: str, payload: str) -> None:
        try:
            if topic == MESSAGE_TOPIC:
                _plan, thread, seq, edited = payload.split("|")
                if edited == "1":
                    self._spawn(self._deliver_edit(uuid.UUID(thread), int(seq)))
                else:
                    self.wake(uuid.UUID(thread))
            elif topic == CONSENT_TOPIC:
                plan, person, employee = payload.split("|")
                self._spawn(
                    self.recheck(
                        uuid.UUID(plan),
                        person_id=uuid.UUID(person) if person else None,
                        employee_id=uuid.UUID(employee) if employee else None,
                    )
                )
        except ValueError:
            logger.warning("fan-out payload not understood", extra={"topic": topic})

    def _on_reconnect(self) -> None:
        # Wake-ups may have been missed while the listener was away: read every thread again.
        for thread_id in list(self._by_thread):
            self.wake(thread_id)

    # --- subscribing -----------------------------------------------------------------------

    async def subscribe(
        self, connection: Connection, plan_id: uuid.UUID, thread_id: uuid.UUID, after: int
    ) -> int:
        """Check access, replay what came after `after`, then deliver live. Raises the
        service's NotFound when the thread is not the actor's to read."""
        async with unit_of_work(self.app.state.sessionmaker) as session:
            found, views = await messages.messages_after(
                session, connection.actor, plan_id, thread_id, after, clock=self.clock
            )
        # No await from here to the wake: the replay and joining the thread's listeners are one
        # step, so no delivery running meanwhile can send this connection a message twice.
        subscription = Subscription(plan_id, thread_id, after, found.reads_from_seq)
        connection.subscriptions[thread_id] = subscription
        connection.behind.discard(thread_id)
        self._by_thread.setdefault(thread_id, set()).add(connection)
        for view in views:
            if connection.room <= 0:
                connection.behind.add(thread_id)
                break
            self._send_view(connection, view)
            subscription.last_seq = view.message.seq
        # Always read on: a message committed after the replay's read may have woken the
        # thread before this connection was listening, and a long replay is read in parts.
        self.wake(thread_id)
        return found.thread.last_seq

    def unsubscribe(self, connection: Connection, thread_id: uuid.UUID) -> None:
        connection.subscriptions.pop(thread_id, None)
        connection.behind.discard(thread_id)
        self._forget(connection, thread_id)

    def made_room(self, connection: Connection) -> None:
        """The connection's writer has sent its queue down: read on where it had no room."""
        waiting, connection.behind = connection.behind, set()
        for thread_id in waiting:
            if thread_id in connection.subscriptions:
                self.wake(thread_id)

    # --- delivering ------------------------------------------------------------------------

    def wake(self, thread_id: uuid.UUID) -> None:
        """Deliver what is new in the thread; one reader per thread at a time."""
        if not self._by_thread.get(thread_id):
            return
        if thread_id in self._busy:
            self._again.add(thread_id)
            return
        task = asyncio.create_task(self._deliver(thread_id))
        self._busy[thread_id] = task
        task.add_done_callback(lambda _t: self._done(thread_id))

    def _done(self, thread_id: uuid.UUID) -> None:
        self._busy.pop(thread_id, None)
        if thread_id in self._again:
            self._again.discard(thread_id)
            self.wake(thread_id)

    async def _deliver(self, thread_id: uuid.UUID) -> None:
        # Read for the connections that can take something now; the others are behind and
        # are read for again when their writers have made room.
        takers: list[Connection] = []
        for connection in self._by_thread.get(thread_id, ()):
            if thread_id not in connection.subscriptions or connection.close_code is not None:
                continue
            if connection.room > 0:
                takers.append(connection)
            else:
                connection.behind.add(thread_id)
        if not takers:
            return
        since = min(position(c.subscriptions[thread_id]) for c in takers)
        try:
            async with self.app.state.sessionmaker() as session:
                await session.connection(execution_options={"read_only": True})
                delivery = await messages.for_delivery(session, thread_id, after=since, limit=BATCH)
        except Exception:
            logger.exception("delivery read failed", extra={"thread_id": str(thread_id)})
            await asyncio.sleep(0.5)
            self._again.add(thread_id)  # the database may be back in a moment: read again
            return
        read_on = False
        built: frames.FrameCache = {}
        for connection in takers:
            subscription = connection.subscriptions.get(thread_id)
            if subscription is None or connection.close_code is not None:
                continue  # unsubscribed or closed while the database was read
            if self._send_new(connection, subscription, delivery, built):
                read_on = True
        # A full batch: there may be more for those who took all of this one. The one furthest
        # back always takes at least one message, so reading again always gets somewhere.
        if read_on and len(delivery.messages) == BATCH:
            self._again.add(thread_id)

    def _send_new(
        self,
        connection: Connection,
        subscription: Subscription,
        delivery: messages.Delivery,
        built: frames.FrameCache,
    ) -> bool:
        """Send what the connection has not had yet, as far as it has room; False when it
        ran out of room (it is then behind on the thread)."""
        for message in delivery.messages:
            if message.seq <= position(subscription):
                continue
            if connection.room <= 0:
                connection.behind.add(subscription.thread_id)
                return False
            self._send_message(connection, message, delivery.names, built)
            subscription.last_seq = message.seq
        return True

    async def _deliver_edit(self, thread_id: uuid.UUID, seq: int) -> None:
        listeners = [
            c
            for c in self._by_thread.get(thread_id, ())
            if thread_id in c.subscriptions and c.subscriptions[thread_id].last_seq >= seq
        ]
        if not listeners:
            return
        async with self.app.state.sessionmaker() as session:
            await session.connection(execution_options={"read_only": True})
            delivery = await messages.for_delivery(session, thread_id, seq=seq)
        built: frames.FrameCache = {}
        for connection in listeners:
            for message in delivery.messages:
                self._send_message(connection, message, delivery.names, built)

    def tell(self, connection: Connection, payload: dict[str, Any]) -> None:
        frames.tell(self.app, connection, payload)

    def _send_message(
        self, connection: Connection, message: Message, names: Names, built: frames.FrameCache
    ) -> None:
        frames.send_message(
            self.app,
            connection,
            message,
            names.author(message.author_person_id, message.author_employee_id),
            names.unit(message.author_unit_id),
            names.person(message.on_behalf_of_person_id),
            built,
        )

    def _send_view(self, connection: Connection, view: messages.MessageView) -> None:
        frames.send_message(
            self.app, connection, view.message, view.author, view.unit, view.on_behalf_of
        )

    # --- access that ends ------------------------------------------------------------------

    async def recheck(
        self,
        plan_id: uuid.UUID | None,
        *,
        person_id: uuid.UUID | None = None,
        employee_id: uuid.UUID | None = None,
    ) -> None:
        """Ask access again for the affected connections (all of them when nobody is named:
        a change to the plan as such, or midnight); drop what is refused (R-CON-3)."""
        for connection in list(self.connections):
            actor = connection.actor
            if person_id is not None and person_id not in (
                actor.person_id,
                actor.acting_for_person_id,
            ):
                continue
            if employee_id is not None and actor.employee_id != employee_id:
                continue
            affected = [
                s
                for s in connection.subscriptions.values()
                if plan_id is None or s.plan_id == plan_id
            ]
            for subscription in affected:
                if not await self._still_allowed(connection, subscription):
                    self.unsubscribe(connection, subscription.thread_id)
                    self.tell(
                        connection, {"type": "revoked", "thread": str(subscription.thread_id)}
                    )
            if affected and not connection.subscriptions:
                connection.close(CLOSE_REVOKED, "access ended")

    async def _still_allowed(self, connection: Connection, subscription: Subscription) -> bool:
        try:
            async with unit_of_work(self.app.state.sessionmaker) as session:
                await threads.open_thread(
                    session,
                    connection.actor,
                    subscription.plan_id,
                    subscription.thread_id,
                    Permission.READ_MESSAGES,
                    clock=self.clock,
                )
        except DomainError:
            return False
        return True

    async def _recheck_at_midnight(self) -> None:
        """Guardians lose access on the 16th birthday and grants end with their last day, at
        midnight in Oslo, with no event: ask again then."""
        while True:
            now = self.clock.now().astimezone(OSLO)
            midnight = datetime.combine(now.date() + timedelta(days=1), time(), OSLO)
            await asyncio.sleep(max(1.0, (midnight - now).total_seconds()))
            try:
                await self.recheck(None)
            except Exception:
                logger.exception("midnight access check failed")
