from __future__ import annotations

import httpx
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncEngine

from app.api.deps import _engine
from app.db import make_engine


async def test_healthz_says_the_process_is_alive(client: httpx.AsyncClient) -> None:
    response = await client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_readyz_is_ready_when_the_database_answers_at_head(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    response = await client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ready", "database": True, "migrations_at_head": True}


async def test_readyz_is_not_ready_when_migrations_are_missing(
    app: FastAPI, client: httpx.AsyncClient, tmp_path: object
) -> None:
    unmigrated = make_engine(f"sqlite+aiosqlite:///{tmp_path}/empty.db")
    app.dependency_overrides[_engine] = lambda: unmigrated
    try:
        response = await client.get("/readyz")
    finally:
        await unmigrated.dispose()
    assert response.status_code == 503
    assert response.json()["migrations_at_head"] is False


async def test_readyz_is_not_ready_when_the_database_is_unreachable(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    unreachable = make_engine("postgresql+asyncpg://nobody@127.0.0.1:9/none")
    app.dependency_overrides[_engine] = lambda: unreachable
    try:
        response = await client.get("/readyz")
    finally:
        await unreachable.dispose()
    assert response.status_code == 503
    assert response.json() == {
        "status": "not_ready",
        "database": False,
        "migrations_at_head": False,
    }


async def test_meta_describes_the_service(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/meta")
    assert response.status_code == 200
    assert response.json()["languages"] == ["nb", "nn", "en"]
    assert response.json()["api_version"] == "v1"


async def test_openapi_schema_is_served_under_the_api(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/v1/meta" in paths and "/api/v1/municipalities" in paths
    assert not any(path in paths for path in ("/", "/about", "/language"))
