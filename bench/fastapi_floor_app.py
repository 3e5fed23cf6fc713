"""Reference F0: the FastAPI version Samplan uses, one JSON route and nothing else.

It shows in the same run how much of P1's cost is the framework's own floor and how much is
Samplan's (middleware, error handling, settings), so a missed bar points at the right layer.
"""

from __future__ import annotations

from fastapi import FastAPI

app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)


@app.get("/")
async def hello() -> dict[str, str]:
    return {"status": "ok"}
