"""The websocket message protocol (docs/messaging.md): JSON text frames, one object each.

Client to server:
    {"type": "subscribe", "plan": "<uuid>", "thread": "<uuid>", "after": 12}
    {"type": "unsubscribe", "thread": "<uuid>"}
    {"type": "post", "plan": "<uuid>", "thread": "<uuid>", "text": "...", "client_id": "..."}
    {"type": "read", "plan": "<uuid>", "thread": "<uuid>", "seq": 14}
    {"type": "ping"}
    {"type": "follow", "plan": "<uuid>"}          new timeline entries of the plan, live
    {"type": "unfollow", "plan": "<uuid>"}
Server to client:
    {"type": "subscribed", "thread": ..., "last_seq": 14}
    {"type": "message", "thread": ..., "seq": 13, "id": ..., "author": ..., "unit": ...,
     "on_behalf_of": ..., "text": ..., "created_at": ..., "edited": false, "own": false}
    {"type": "posted", "thread": ..., "client_id": ..., "seq": 15}
    {"type": "revoked", "thread": ...}            access to the thread ended (R-CON-3)
    {"type": "error", "code": ..., "detail": ...} the frame was refused; the connection stays
    {"type": "pong"}
    {"type": "timeline", "plan": ..., "entries": [{"id", "kind", "at", "who", "unit",
     "on_behalf_of"}]}                           new entries the reader may see
Pages connect with ?format=html and get the same fragments the page renders instead (htmx's
websocket extension swaps them in); htmx sends its forms with the fields as JSON members.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError


class _Frame(BaseModel):
    # htmx adds the form's HEADERS and any other fields; they are ignored.
    model_config = ConfigDict(extra="ignore")


class Subscribe(_Frame):
    type: Literal["subscribe"]
    plan: uuid.UUID
    thread: uuid.UUID
    after: int = Field(default=0, ge=0)


class Unsubscribe(_Frame):
    type: Literal["unsubscribe"]
    thread: uuid.UUID


class Post(_Frame):
    type: Literal["post"]
    plan: uuid.UUID
    thread: uuid.UUID
    text: str = Field(max_length=20_000)
    client_id: str | None = Field(default=None, max_length=100)


class Read(_Frame):
    type: Literal["read"]
    plan: uuid.UUID
    thread: uuid.UUID
    seq: int = Field(ge=0)


class Ping(_Frame):
    type: Literal["ping"]


class Follow(_Frame):
    """New entries on a plan's timeline, as they happen (what the reader may see of them)."""

    type: Literal["follow"]
    plan: uuid.UUID


class Unfollow(_Frame):
    type: Literal["unfollow"]
    plan: uuid.UUID


ClientFrame = Annotated[
    Subscribe | Unsubscribe | Post | Read | Ping | Follow | Unfollow, Field(discriminator="type")
]
_client_frame: TypeAdapter[ClientFrame] = TypeAdapter(ClientFrame)

MAX_FRAME_BYTES = 32_768


class BadFrame(Exception):
    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code, self.detail = code, detail


def parse(raw: str) -> ClientFrame:
    """A client frame, or BadFrame with a reason the client can act on."""
    if len(raw.encode()) > MAX_FRAME_BYTES:
        raise BadFrame("frame_too_large", "The frame is larger than 32 KiB.")
    try:
        return _client_frame.validate_json(raw)
    except ValidationError as error:
        problem = error.errors()[0]
        where = ".".join(str(part) for part in problem.get("loc", ()))
        raise BadFrame(
            "bad_frame", f"{where or 'frame'}: {problem.get('msg', 'invalid')}"
        ) from None


def error(code: str, detail: str, **extra: Any) -> dict[str, Any]:
    return {"type": "error", "code": code, "detail": detail, **extra}
