"""The pages and htmx fragments: thin adapters over the same services as the API."""

from fastapi import APIRouter, Depends

from app.api.deps import OptionalActor
from app.web import (
    access_log,
    acting_for,
    auth,
    consents,
    invitations,
    language,
    notification_settings,
    pages,
    plan_forms,
    plan_frame_forms,
    plan_page,
    plan_print,
    plan_timeline,
    plans,
    powers_of_attorney,
    threads,
    work_lists,
)
from app.web.csrf import verify_csrf


async def _who_is_here(actor: OptionalActor) -> None:
    """Resolve the session once, so every page shows who is logged in (and for whom)."""


# Every page route checks CSRF on unsafe methods and knows its actor: once here, not per route.
router = APIRouter(
    include_in_schema=False, dependencies=[Depends(verify_csrf), Depends(_who_is_here)]
)
router.include_router(pages.router)
router.include_router(language.router)
router.include_router(auth.router)
router.include_router(acting_for.router)
router.include_router(plans.router)
router.include_router(consents.router)
router.include_router(invitations.router)
router.include_router(access_log.router)
router.include_router(powers_of_attorney.router)
router.include_router(plan_page.router)
router.include_router(plan_forms.router)
router.include_router(plan_frame_forms.router)
router.include_router(plan_timeline.router)
router.include_router(plan_print.router)
router.include_router(work_lists.router)
router.include_router(threads.router)
router.include_router(notification_settings.router)
