from __future__ import annotations

from collections.abc import Sequence

from fastapi import APIRouter

from app.api.deps import DbSession
from app.models import Municipality
from app.municipalities import service as municipalities
from app.municipalities.schemas import MunicipalityOut

router = APIRouter(tags=["municipalities"])


@router.get("/municipalities", response_model=list[MunicipalityOut])
async def list_municipalities(session: DbSession) -> Sequence[Municipality]:
    """The municipalities that use this installation. Public: names and numbers only."""
    return await municipalities.list_municipalities(session)
