"""The JSON API, /api/v1: thin adapters over the domain services."""

from fastapi import APIRouter, Depends

from app.api import (
    access_log,
    consents,
    me,
    meta,
    municipalities,
    notification_settings,
    plan_content,
    plans,
    powers_of_attorney,
    shielding,
    threads,
    work_lists,
)
from app.api.origin import verify_same_origin

API_PREFIX = "/api/v1"

router = APIRouter(prefix=API_PREFIX, dependencies=[Depends(verify_same_origin)])
router.include_router(meta.router)
router.include_router(municipalities.router)
router.include_router(me.router)
router.include_router(plans.router)
router.include_router(consents.router)
router.include_router(shielding.router)
router.include_router(powers_of_attorney.router)
router.include_router(access_log.router)
router.include_router(plan_content.router)
router.include_router(work_lists.router)
router.include_router(notification_settings.router)
router.include_router(threads.router)
