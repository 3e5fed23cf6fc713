"""The JSON API, /api/v1: thin adapters over the domain services."""

from fastapi import APIRouter

from app.api import meta, municipalities

API_PREFIX = "/api/v1"

router = APIRouter(prefix=API_PREFIX)
router.include_router(meta.router)
router.include_router(municipalities.router)
