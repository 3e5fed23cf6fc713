from __future__ import annotations

from functools import cache
from importlib.metadata import PackageNotFoundError, version

from fastapi import APIRouter

from app.api.schemas import Meta
from app.i18n import Language

router = APIRouter(tags=["meta"])


@cache
def _version() -> str:
    try:
        return version("samplan")
    except PackageNotFoundError:
        return "0+unknown"


@router.get("/meta", response_model=Meta)
async def get_meta() -> Meta:
    """What this service is: name, release, API version and interface languages."""
    return Meta(version=_version(), languages=[language.value for language in Language])
