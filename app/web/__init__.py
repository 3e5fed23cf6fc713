"""The pages and htmx fragments: thin adapters over the same services as the API."""

from fastapi import APIRouter, Depends

from app.web import language, pages
from app.web.csrf import verify_csrf

# Every page route checks CSRF on unsafe methods: one line here instead of one per route.
router = APIRouter(include_in_schema=False, dependencies=[Depends(verify_csrf)])
router.include_router(pages.router)
router.include_router(language.router)
