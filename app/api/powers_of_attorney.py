"""Powers of attorney (fullmakt): the citizen's own, and the coordinating unit's verification."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, File, Form, UploadFile
from starlette.responses import Response

from app.api.deps import ClockDep, CurrentActor, DbSession, SettingsDep, VaultDep
from app.documents import service as documents
from app.powers_of_attorney import service as powers
from app.powers_of_attorney.schemas import (
    DocumentRef,
    PersonRef,
    PowerOfAttorneyCreate,
    PowerOfAttorneyOut,
)

router = APIRouter(tags=["powers of attorney"])
ONE = "/powers-of-attorney/{power_id}"
PROBLEMS: dict[int | str, dict[str, str]] = {
    401: {"description": "Not logged in"},
    403: {"description": "Not allowed"},
    404: {"description": "No such power of attorney, or not yours to see"},
    409: {"description": "The power of attorney is not in a state that allows this"},
}


def power_out(view: powers.PowerOfAttorneyView) -> PowerOfAttorneyOut:
    power = view.power
    return PowerOfAttorneyOut(
        id=power.id,
        status=view.status,
        granter=PersonRef(id=view.granter.id, name=view.granter.display_name),
        holder=PersonRef(id=view.holder.id, name=view.holder.display_name),
        all_parts=view.all_parts,
        parts=view.parts,
        acts=power.acts,
        manages_consent=power.manages_consent,
        valid_from=power.valid_from,
        valid_until=power.valid_until,
        created_at=power.created_at,
        verified_at=power.verified_at,
        rejected_at=power.rejected_at,
        ended_at=power.ended_at,
        document=(
            DocumentRef(filename=view.document.filename, size=view.document.size)
            if view.document is not None
            else None
        ),
        you_are=view.you_are,
    )


@router.get("/powers-of-attorney", response_model=list[PowerOfAttorneyOut], responses=PROBLEMS)
async def mine(
    session: DbSession, actor: CurrentActor, clock: ClockDep
) -> list[PowerOfAttorneyOut]:
    """Powers of attorney you have given or hold, newest first, with their status."""
    views = await powers.list_for_person(session, actor, clock=clock)
    return [power_out(view) for view in views]


@router.post(
    "/powers-of-attorney",
    response_model=PowerOfAttorneyOut,
    status_code=201,
    responses={**PROBLEMS, 413: {"description": "The document is over 10 MB"}},
)
async def register(
    data: Annotated[PowerOfAttorneyCreate, Form()],
    document: Annotated[UploadFile, File(description="The signed power of attorney, as a PDF")],
    session: DbSession,
    actor: CurrentActor,
    vault: VaultDep,
    settings: SettingsDep,
    clock: ClockDep,
) -> PowerOfAttorneyOut:
    """Give someone of 18 or older a power of attorney (R-REP-1). It takes effect when the
    coordinating unit has verified the signed document. The identity number is never shown back.
    """
    content = await document.read(documents.MAX_BYTES + 1)
    view = await powers.register(
        session,
        actor,
        data,
        content,
        document.filename or "",
        vault=vault,
        allow_synthetic=not settings.is_production,
        clock=clock,
    )
    return power_out(view)


@router.post(ONE + "/end", response_model=PowerOfAttorneyOut, responses=PROBLEMS)
async def end(
    power_id: uuid.UUID, session: DbSession, actor: CurrentActor, clock: ClockDep
) -> PowerOfAttorneyOut:
    """End a power of attorney you gave or hold, at once."""
    return power_out(await powers.end(session, actor, power_id, clock=clock))


@router.get(
    "/municipality/powers-of-attorney/pending",
    response_model=list[PowerOfAttorneyOut],
    responses=PROBLEMS,
)
async def pending(
    session: DbSession, actor: CurrentActor, clock: ClockDep
) -> list[PowerOfAttorneyOut]:
    """For the coordinating unit: powers of attorney waiting for verification, oldest first."""
    views = await powers.pending_for_municipality(session, actor, clock=clock)
    return [power_out(view) for view in views]


@router.post(ONE + "/verify", response_model=PowerOfAttorneyOut, responses=PROBLEMS)
async def verify(
    power_id: uuid.UUID, session: DbSession, actor: CurrentActor, clock: ClockDep
) -> PowerOfAttorneyOut:
    """For the coordinating unit: the document is in order; the power of attorney takes effect."""
    return power_out(await powers.verify(session, actor, power_id, clock=clock))


@router.post(ONE + "/reject", response_model=PowerOfAttorneyOut, responses=PROBLEMS)
async def reject(
    power_id: uuid.UUID, session: DbSession, actor: CurrentActor, clock: ClockDep
) -> PowerOfAttorneyOut:
    """For the coordinating unit: the document is not in order; it never takes effect."""
    return power_out(await powers.reject(session, actor, power_id, clock=clock))


@router.get(
    ONE + "/document",
    response_class=Response,
    responses={
        **PROBLEMS,
        200: {"content": {"application/pdf": {}}, "description": "The signed document"},
    },
)
async def download(
    power_id: uuid.UUID, session: DbSession, actor: CurrentActor, clock: ClockDep
) -> Response:
    """For the coordinating unit: the signed document, as an attachment. The download is logged."""
    found, content = await powers.document(session, actor, power_id, clock=clock)
    return Response(
        content,
        media_type=found.content_type,
        headers={
            "Content-Disposition": documents.content_disposition(found.filename),
            "Cache-Control": "no-store",
        },
    )
