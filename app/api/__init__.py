"""The JSON API, /api/v1: thin adapters over the domain services."""

from fastapi import APIRouter

from app.api import me, meta, municipalities

API_PREFIX = "/api/v1"

router = APIRouter(prefix=API_PREFIX)
router.include_router(meta.router)
router.include_router(municipalities.router)
router.include_router(me.router)
