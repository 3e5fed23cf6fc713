"""Refuse request bodies over the configured size, declared or streamed, with a clear 413.

The body is read up to the limit before the app sees it (the app would buffer it anyway for JSON
and forms) and replayed; raising from inside the app's own read would be turned into a 400 by
FastAPI's body parsing. An upload (five pictures of 10 MB with a message) is kept on disk past
the first megabyte while it waits, not in memory.
"""

from __future__ import annotations

import tempfile
from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

TooLargeResponder = Callable[[Request], Awaitable[Response]]
IN_MEMORY_BYTES = 1_048_576  # a body past this waits on disk
REPLAY_CHUNK_BYTES = 65_536


class BodyLimitMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        *,
        max_bytes: int,
        max_upload_bytes: int,
        on_too_large: TooLargeResponder,
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        # File uploads (signed PDFs) are multipart and may be larger than any other body.
        self.max_upload_bytes = max_upload_bytes
        self.on_too_large = on_too_large

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        is_upload = headers.get(b"content-type", b"").startswith(b"multipart/form-data")
        limit = self.max_upload_bytes if is_upload else self.max_bytes
        declared = headers.get(b"content-length", b"")
        if declared.isdigit() and int(declared) > limit:
            await self._refuse(scope, send)
            return
        with tempfile.SpooledTemporaryFile(max_size=IN_MEMORY_BYTES) as body:
            size = 0
            while True:
                message = await receive()
                if message["type"] != "http.request":  # the client went away
                    return
                chunk = message.get("body", b"")
                size += len(chunk)
                if size > limit:
                    await self._refuse(scope, send)
                    return
                body.write(chunk)
                if not message.get("more_body", False):
                    break
            body.seek(0)
            finished = False

            async def replay() -> Message:
                nonlocal finished
                if finished:
                    return await receive()
                chunk = body.read(REPLAY_CHUNK_BYTES)
                finished = body.tell() >= size
                return {"type": "http.request", "body": chunk, "more_body": not finished}

            await self.app(scope, replay, send)

    async def _refuse(self, scope: Scope, send: Send) -> None:
        request = Request(scope)
        response = await self.on_too_large(request)
        response.headers["Connection"] = "close"
        await response(scope, _empty_receive, send)


async def _empty_receive() -> Message:
    return {"type": "http.disconnect"}
