"""Live timeline: connections that follow a plan get its new entries as they happen.

A change is announced after commit as PlanChanged (ids only), carried to every process by the
fan-out, and each following connection reads the new entries through the timeline service as
its own actor: it gets only what it may see, and a reader who lost access to the plan stops
following it. Pages get the same list items the timeline page renders.
"""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from typing import Any

from fastapi import FastAPI

from app.db import unit_of_work
from app.errors import DomainError
from app.messaging.connection import Connection
from app.messaging.fanout import Fanout
from app.messaging.hub import Hub
from app.timeline import service as timeline
from app.timeline.events import PlanChanged

logger = logging.getLogger(__name__)
PLAN_TOPIC = "plan"


class TimelineFollowers:
    def __init__(self, app: FastAPI, hub: Hub, fanout: Fanout) -> None:
        self.app, self.hub, self.fanout = app, hub, fanout
        self._unsubscribe: list[Any] = []
        self._tasks: set[asyncio.Task[None]] = set()

    def start(self) -> None:
        self._unsubscribe = [
            self.fanout.subscribe(self._on_fanout),
            self.app.state.plan_events.subscribe(self._on_local_change),
        ]

    def stop(self) -> None:
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        for task in list(self._tasks):
            task.cancel()

    async def follow(self, connection: Connection, plan_id: uuid.UUID) -> None:
        """Start following, if the actor may see the plan (NotFound otherwise)."""
        async with unit_of_work(self.app.state.sessionmaker) as session:
            await timeline.entries_after(
                session, connection.actor, plan_id, [], clock=self.app.state.clock
            )
        connection.following.add(plan_id)

    def _spawn(self, work: Any) -> None:
        task = asyncio.create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _on_local_change(self, changed: PlanChanged) -> None:
        self._spawn(self.fanout.publish(PLAN_TOPIC, f"{changed.plan_id}|{changed.entry_id}"))

    def _on_fanout(self, topic: str, payload: str) -> None:
        if topic != PLAN_TOPIC:
            return
        try:
            plan, entry = (uuid.UUID(part) for part in payload.split("|"))
        except ValueError:
            logger.warning("fan-out payload not understood", extra={"topic": topic})
            return
        followers = [c for c in self.hub.connections if plan in c.following]
        for connection in followers:
            self._spawn(self._deliver(connection, plan, entry))

    async def _deliver(self, connection: Connection, plan_id: uuid.UUID, entry: uuid.UUID) -> None:
        state = self.app.state
        try:
            async with unit_of_work(state.sessionmaker) as session:
                views = await timeline.entries_after(
                    session, connection.actor, plan_id, [entry], clock=state.clock
                )
        except DomainError:  # access to the plan ended: stop following it
            connection.following.discard(plan_id)
            self.hub.tell(connection, {"type": "unfollowed", "plan": str(plan_id)})
            return
        if not views:
            return  # an entry this reader may not see
        if connection.html:
            html = state.renderer.render_fragment(
                self.app,
                connection.language,
                "plan/_timeline_live.html",
                {"entries": views, "plan_id": plan_id},
            )
            connection.send(html)
            return
        connection.send(
            json.dumps(
                {
                    "type": "timeline",
                    "plan": str(plan_id),
                    "entries": [
                        {
                            "id": str(view.entry.id),
                            "kind": view.entry.kind,
                            "at": view.entry.at.isoformat(),
                            "who": view.who,
                            "unit": view.unit,
                            "on_behalf_of": view.on_behalf_of,
                        }
                        for view in views
                    ],
                }
            )
        )
