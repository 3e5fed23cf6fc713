"""ConsentChanged reaches listeners after commit, never after rollback (R-CON-3)."""

from __future__ import annotations

import uuid

from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession

from app.consents.events import PUBLISHER_KEY, ConsentChanged, ConsentEvents, announce


async def test_every_session_of_the_app_carries_its_publisher(app: FastAPI) -> None:
    async with app.state.sessionmaker() as session:
        assert session.info[PUBLISHER_KEY] is app.state.consent_events


async def test_r_con_3_listeners_hear_of_a_change_after_commit_and_not_after_rollback(
    session: AsyncSession,
) -> None:
    publisher = ConsentEvents()
    heard: list[ConsentChanged] = []
    stop = publisher.subscribe(heard.append)
    broken: list[ConsentChanged] = []

    def failing(changed: ConsentChanged) -> None:
        broken.append(changed)
        raise RuntimeError("a listener that breaks must not hide the change from others")

    publisher.subscribe(failing)
    session.info[PUBLISHER_KEY] = publisher
    try:
        withdrawn = ConsentChanged(uuid.uuid4(), uuid.uuid4(), None, "withdrawn")
        await announce(session, withdrawn)
        await session.rollback()
        await session.commit()
        assert heard == []  # a rolled-back change is never announced
        await announce(session, withdrawn)
        assert heard == []
        await session.commit()
        assert heard == [withdrawn] and broken == [withdrawn]
        stop()
        await announce(session, withdrawn)
        await session.commit()
        assert heard == [withdrawn]
    finally:
        del session.info[PUBLISHER_KEY]
