"""/healthz and /readyz for load balancers and orchestrators (outside /api/v1 by convention)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse, Response

from app.api.deps import EngineDep, SettingsDep
from app.api.schemas import Health
from app.health import service as health
from app.health.schemas import Readiness

router = APIRouter(tags=["health"])


_ALIVE = Health(status="ok").model_dump_json().encode()


@router.get("/healthz", response_model=Health)
async def healthz() -> Response:
    """The process is alive. Touches nothing else, so it stays cheap (probed every few seconds)."""
    return Response(_ALIVE, media_type="application/json")


@router.get("/readyz", response_model=Readiness, responses={503: {"model": Readiness}})
async def readyz(engine: EngineDep, settings: SettingsDep) -> JSONResponse:
    """Ready to serve: the database answers and its migrations are at head."""
    result = await health.readiness(engine, settings)
    return JSONResponse(result.model_dump(), status_code=200 if result.status == "ready" else 503)
