"""The body limit replays what it read, whole and in order, from memory or from disk."""

from __future__ import annotations

import hashlib
import os

import httpx
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import Receive, Scope, Send

from app.middleware.body_limit import IN_MEMORY_BYTES, BodyLimitMiddleware


async def _digest_app(scope: Scope, receive: Receive, send: Send) -> None:
    body = await Request(scope, receive).body()
    answer = JSONResponse({"size": len(body), "sha256": hashlib.sha256(body).hexdigest()})
    await answer(scope, receive, send)


async def _refuse(_request: Request) -> Response:
    return Response(status_code=413)


async def test_bodies_small_and_spooled_to_disk_reach_the_app_unchanged() -> None:
    app = BodyLimitMiddleware(
        _digest_app, max_bytes=1024, max_upload_bytes=8 * IN_MEMORY_BYTES, on_too_large=_refuse
    )
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        for size in (0, 10, 3 * IN_MEMORY_BYTES + 17):
            content = os.urandom(size)
            answer = await client.post(
                "/",
                content=content,
                headers={"Content-Type": "multipart/form-data; boundary=x"},
            )
            assert answer.json() == {
                "size": size,
                "sha256": hashlib.sha256(content).hexdigest(),
            }
        over = await client.post(
            "/",
            content=b"x" * (8 * IN_MEMORY_BYTES + 1),
            headers={"Content-Type": "multipart/form-data; boundary=x"},
        )
        assert over.status_code == 413
