"""Frames for a live connection: JSON for API clients, or the htmx fragments a page swaps in."""

from __future__ import annotations

import json
import uuid
from typing import Any

from fastapi import FastAPI
from sqlalchemy import inspect

from app.i18n import Language
from app.messaging.connection import Connection
from app.models import Message


def tell(app: FastAPI, connection: Connection, payload: dict[str, Any]) -> None:
    """A frame about the connection's own doing (subscribed, posted, error, revoked): JSON,
    or for a page the fragments that show it (a status line; a fresh composer after a post,
    so the text is cleared and the next post gets a new client id)."""
    if not connection.html:
        connection.send(json.dumps(payload))
        return
    thread_id = payload.get("thread")
    if payload["type"] in ("subscribed", "pong") or not thread_id:
        return
    renderer = app.state.renderer
    parts = [
        renderer.render_fragment(
            app,
            connection.language,
            "threads/_live_notice.html",
            {
                "kind": payload["type"],
                "detail": payload.get("detail"),
                "thread_id": thread_id,
            },
        )
    ]
    if payload["type"] == "posted" and payload.get("plan"):
        parts.append(
            renderer.render_fragment(
                app,
                connection.language,
                "threads/_composer.html",
                {
                    "thread_id": thread_id,
                    "plan_id": payload["plan"],
                    "client_id": uuid.uuid4(),
                    "oob": True,
                },
            )
        )
    connection.send("".join(parts))


def _loaded(message: Message, name: str) -> list[Any]:
    """What the delivery read with the message (app/messages/service.py), or nothing: a
    frame has no session to read more."""
    if name in inspect(message).unloaded:
        return []
    return list(getattr(message, name))


# Frames already built in one delivery round, by message and by the reader's side of it: in a
# thread with fifty open pages, fifty readers get one of two or three frames, not fifty builds.
FrameCache = dict[tuple[uuid.UUID, int, Language | None, bool], str]


def send_message(
    app: FastAPI,
    connection: Connection,
    message: Message,
    author: str,
    unit: str | None,
    on_behalf_of: str | None,
    built: FrameCache | None = None,
) -> None:
    """A message as a frame: the rendered fragment for a page, JSON otherwise."""
    own = message.author_key == connection.key
    language = connection.language if connection.html else None  # None: JSON
    key = (message.id, message.version, language, own)
    frame = built.get(key) if built is not None else None
    if frame is None:
        frame = _message_frame(app, language, message, author, unit, on_behalf_of, own)
        if built is not None:
            built[key] = frame
    connection.send(frame)


def _message_frame(
    app: FastAPI,
    language: Language | None,
    message: Message,
    author: str,
    unit: str | None,
    on_behalf_of: str | None,
    own: bool,
) -> str:
    if language is not None:
        renderer = app.state.renderer
        fragment: str = renderer.render_fragment(
            app,
            language,
            "threads/_live_message.html",
            {
                "m": message,
                "author": author,
                "unit": unit,
                "on_behalf_of": on_behalf_of,
                "own": own,
                "thread_id": message.thread_id,
                "files": _loaded(message, "attachments"),
                "revisions": _loaded(message, "revisions"),
                # Only the author sees the link; the edit form and the service decide again.
                "can_edit": own,
            },
        )
        return fragment
    return json.dumps(
        {
            "type": "message",
            "thread": str(message.thread_id),
            "seq": message.seq,
            "id": str(message.id),
            "author": author,
            "unit": unit,
            "on_behalf_of": on_behalf_of,
            "text": message.text,
            "created_at": message.created_at.isoformat(),
            "edited": message.edited_at is not None,
            "own": own,
            "version": message.version,
            # As the API's MessageOut; downloads at /api/v1/plans/{plan}/attachments/{id}.
            "attachments": [
                {
                    "id": str(a.id),
                    "filename": a.filename,
                    "content_type": a.content_type,
                    "size": a.size,
                }
                for a in _loaded(message, "attachments")
            ],
        }
    )
