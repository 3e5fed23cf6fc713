"""Turn an unexpected exception into the app's own 500 response inside the middleware stack.

Starlette answers unhandled errors in its outermost middleware, past our security headers and
correlation id; catching them here keeps every 500 dressed like any other response.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

ErrorResponder = Callable[[Request, Exception], Awaitable[Response]]


class UnexpectedErrorMiddleware:
    def __init__(self, app: ASGIApp, *, respond: ErrorResponder) -> None:
        self.app = app
        self.respond = respond

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception as error:
            if started:  # too late for a clean answer; let the server close the connection
                raise
            response = await self.respond(Request(scope), error)
            await response(scope, receive, send)
