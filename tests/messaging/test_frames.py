"""Message frames in one delivery round (app/messaging/frames.py): built once per kind of reader
(JSON or page, language, author or not), and each reader still gets the frame meant for them."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import pytest

from app.access.actors import Actor
from app.i18n import Language
from app.idempotency.service import actor_key
from app.messaging import frames
from app.messaging.connection import Connection
from app.models import Message, Realm


def _citizen(name: str) -> Actor:
    return Actor(
        realm=Realm.CITIZEN, session_id=uuid.uuid4(), display_name=name, person_id=uuid.uuid4()
    )


def _connection(actor: Actor, *, html: bool = False, language: Language = Language.NB) -> Any:
    return Connection(websocket=None, actor=actor, language=language, html=html)  # type: ignore[arg-type]


class _Renderer:
    def render_fragment(self, _app: Any, language: Language, _name: str, ctx: Any) -> str:
        return f"<li lang={language.value} own={ctx['own']}>{ctx['m'].text}</li>"


async def test_one_build_per_kind_of_reader_and_each_reader_gets_its_own_kind(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    author, reader = _citizen("Per"), _citizen("Ola")
    message = Message(
        id=uuid.uuid4(),
        thread_id=uuid.uuid4(),
        plan_id=uuid.uuid4(),
        seq=7,
        author_person_id=author.person_id,
        author_key=actor_key(author),
        text="Kan vi møtes?",
        created_at=datetime(2026, 11, 23, 12, tzinfo=UTC),
        version=1,
    )
    app = SimpleNamespace(state=SimpleNamespace(renderer=_Renderer()))
    builds = 0
    build = frames._message_frame

    def counted(*args: Any) -> str:
        nonlocal builds
        builds += 1
        return build(*args)

    monkeypatch.setattr(frames, "_message_frame", counted)
    readers = [_connection(reader) for _ in range(40)] + [_connection(author)]
    pages = [_connection(reader, html=True, language=language) for language in Language] * 3
    built: frames.FrameCache = {}
    for connection in readers + pages:
        frames.send_message(app, connection, message, "Per", None, None, built)  # type: ignore[arg-type]

    assert builds == 2 + len(Language)  # JSON for others and for the author; a page per language
    sent = [connection.queue.get_nowait() for connection in readers + pages]
    assert [json.loads(frame)["own"] for frame in sent[:41]] == [False] * 40 + [True]
    for connection, frame in zip(pages, sent[41:], strict=True):
        assert frame == f"<li lang={connection.language.value} own=False>Kan vi møtes?</li>"

    message.version = 2  # an edit is sent again: built again, not taken from the round before
    frames.send_message(app, readers[0], message, "Per", None, None, built)  # type: ignore[arg-type]
    assert builds == 3 + len(Language)
