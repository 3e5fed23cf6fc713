"""Powers of attorney (fullmakt) as pages: the citizen's own at /powers-of-attorney, the
coordinating unit's queue at /municipality/powers-of-attorney. Thin over app/powers_of_attorney."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from pydantic import ValidationError
from starlette.responses import HTMLResponse, RedirectResponse, Response

from app.api.deps import ClockDep, CurrentActor, DbSession, SettingsDep, VaultDep
from app.documents import service as documents
from app.errors import Conflict, DomainError, InvalidInput, TooLarge
from app.i18n import gettext_noop
from app.models import PlanPart
from app.powers_of_attorney import service as powers
from app.powers_of_attorney.schemas import PowerOfAttorneyCreate
from app.web.deps import RendererDep

router = APIRouter()
MINE = "/powers-of-attorney"
DESK = "/municipality/powers-of-attorney"
FIXABLE = (InvalidInput, Conflict, TooLarge)
NOTICES = {
    "registered": gettext_noop(
        "The power of attorney is registered. It takes effect when the coordinating unit has "
        "checked the signed document."
    ),
    "ended": gettext_noop("The power of attorney has ended. It stopped at once."),
    "verified": gettext_noop("The power of attorney is verified and now in force."),
    "rejected": gettext_noop("The power of attorney is rejected. It will not take effect."),
}
BAD_DATE = gettext_noop("Write the end date as a date, for example 31.12.2027.")
TOO_LONG = gettext_noop("This is too long. Check what you wrote.")
NO_FILE = gettext_noop("Choose the signed power of attorney as a PDF file.")
EMPTY_FORM: dict[str, Any] = {
    "holder_given_name": "",
    "holder_family_name": "",
    "parts": [],
    "acts": "false",
    "manages_consent": False,
    "valid_until": "",
}
# Which form field each refusal is about, so the error summary can link to it.
FIELD_OF = {
    "bad_identity_number": "holder_identity_number",
    "holder_too_young": "holder_identity_number",
    "holder_is_granter": "holder_identity_number",
    "not_possible_in_portal": "holder_identity_number",
    "already_given": "holder_identity_number",
    "holder_name_needed": "holder_given_name",
    "name_too_long": "holder_given_name",
    "no_parts": "parts-all",
    "unknown_part": "parts-all",
    "consent_needs_acts": "manages_consent",
    "end_date_in_past": "valid_until",
    "bad_date": "valid_until",
    "no_file": "document",
    "empty_file": "document",
    "not_a_pdf": "document",
    "file_too_large": "document",
}


async def _render_mine(
    request: Request,
    session: DbSession,
    actor: CurrentActor,
    clock: ClockDep,
    renderer: RendererDep,
    *,
    notice: str | None = None,
    error: DomainError | None = None,
    kept: dict[str, Any] | None = None,
) -> HTMLResponse:
    if error is not None:
        await session.rollback()  # nothing half-done is kept; the denials' audit rows are
    views = await powers.list_for_person(session, actor, clock=clock)
    field = FIELD_OF.get(error.error_code) if error is not None else None
    context = {
        "given": [view for view in views if view.you_are == "granter"],
        "held": [view for view in views if view.you_are == "holder"],
        "parts": list(PlanPart),
        "notice": NOTICES.get(notice or ""),
        "error": error.detail if error is not None else None,
        "error_field": field,
        # Everything typed comes back except the identity number, which is never echoed.
        "kept": kept or EMPTY_FORM,
    }
    status = error.status if error is not None else 200
    return renderer.render(request, "powers_of_attorney/mine.html", context, status_code=status)


@router.get(MINE, name="powers_of_attorney")
async def mine(
    request: Request,
    session: DbSession,
    actor: CurrentActor,
    clock: ClockDep,
    renderer: RendererDep,
    done: str | None = None,
) -> HTMLResponse:
    return await _render_mine(request, session, actor, clock, renderer, notice=done)


@router.post(MINE, name="register_power_of_attorney")
async def register(
    request: Request,
    session: DbSession,
    actor: CurrentActor,
    vault: VaultDep,
    settings: SettingsDep,
    clock: ClockDep,
    renderer: RendererDep,
    document: Annotated[UploadFile | None, File()] = None,
    holder_identity_number: Annotated[str, Form()] = "",
    holder_given_name: Annotated[str, Form()] = "",
    holder_family_name: Annotated[str, Form()] = "",
    parts: Annotated[list[str] | None, Form()] = None,
    acts: Annotated[str, Form()] = "false",
    manages_consent: Annotated[str, Form()] = "",
    valid_until: Annotated[str, Form()] = "",
) -> Response:
    kept = {
        "holder_given_name": holder_given_name,
        "holder_family_name": holder_family_name,
        "parts": parts or [],
        "acts": "true" if acts == "true" else "false",
        "manages_consent": manages_consent == "true",
        "valid_until": valid_until,
    }
    filename = (document.filename if document is not None else None) or ""
    try:
        data = _parse(
            holder_identity_number,
            holder_given_name,
            holder_family_name,
            parts or [],
            acts=acts == "true",
            manages_consent=manages_consent == "true",
            valid_until=valid_until,
        )
        content = await document.read(documents.MAX_BYTES + 1) if document is not None else b""
        await powers.register(
            session,
            actor,
            data,
            content,
            filename,
            vault=vault,
            allow_synthetic=not settings.is_production,
            clock=clock,
        )
    except FIXABLE as error:
        if error.error_code == "empty_file" and not filename:
            error = InvalidInput(NO_FILE, code="no_file")  # no file chosen, rather than empty
        return await _render_mine(request, session, actor, clock, renderer, error=error, kept=kept)
    return _back(request, "powers_of_attorney", "registered")


def _parse(
    number: str,
    given_name: str,
    family_name: str,
    parts: list[str],
    *,
    acts: bool,
    manages_consent: bool,
    valid_until: str,
) -> PowerOfAttorneyCreate:
    """The form as the service's input; what the form cannot hold is refused as InvalidInput."""
    until = None
    if valid_until.strip():
        try:
            until = date.fromisoformat(valid_until.strip())
        except ValueError:
            raise InvalidInput(BAD_DATE, code="bad_date") from None
    try:
        return PowerOfAttorneyCreate(
            holder_identity_number=number,
            holder_given_name=given_name,
            holder_family_name=family_name,
            parts=parts,
            acts=acts,
            manages_consent=manages_consent,
            valid_until=until,
        )
    except ValidationError as error:
        where = str(error.errors()[0]["loc"][0])
        if where == "holder_identity_number":
            raise InvalidInput(powers.BAD_IDENTITY_NUMBER, code="bad_identity_number") from None
        raise InvalidInput(TOO_LONG, code="name_too_long") from None


@router.post(MINE + "/{power_id}/end", name="end_power_of_attorney")
async def end(
    request: Request,
    power_id: uuid.UUID,
    session: DbSession,
    actor: CurrentActor,
    clock: ClockDep,
    renderer: RendererDep,
) -> Response:
    try:
        await powers.end(session, actor, power_id, clock=clock)
    except Conflict as error:
        return await _render_mine(request, session, actor, clock, renderer, error=error)
    return _back(request, "powers_of_attorney", "ended")


async def _render_desk(
    request: Request,
    session: DbSession,
    actor: CurrentActor,
    clock: ClockDep,
    renderer: RendererDep,
    *,
    notice: str | None = None,
    error: DomainError | None = None,
) -> HTMLResponse:
    if error is not None:
        await session.rollback()
    pending = await powers.pending_for_municipality(session, actor, clock=clock)
    context = {
        "pending": pending,
        "notice": NOTICES.get(notice or ""),
        "error": error.detail if error is not None else None,
    }
    status = error.status if error is not None else 200
    return renderer.render(request, "powers_of_attorney/desk.html", context, status_code=status)


@router.get(DESK, name="ke_powers_of_attorney")
async def desk(
    request: Request,
    session: DbSession,
    actor: CurrentActor,
    clock: ClockDep,
    renderer: RendererDep,
    done: str | None = None,
) -> HTMLResponse:
    return await _render_desk(request, session, actor, clock, renderer, notice=done)


@router.post(DESK + "/{power_id}/verify", name="verify_power_of_attorney")
async def verify(
    request: Request,
    power_id: uuid.UUID,
    session: DbSession,
    actor: CurrentActor,
    clock: ClockDep,
    renderer: RendererDep,
) -> Response:
    try:
        await powers.verify(session, actor, power_id, clock=clock)
    except Conflict as error:
        return await _render_desk(request, session, actor, clock, renderer, error=error)
    return _back(request, "ke_powers_of_attorney", "verified")


@router.post(DESK + "/{power_id}/reject", name="reject_power_of_attorney")
async def reject(
    request: Request,
    power_id: uuid.UUID,
    session: DbSession,
    actor: CurrentActor,
    clock: ClockDep,
    renderer: RendererDep,
) -> Response:
    try:
        await powers.reject(session, actor, power_id, clock=clock)
    except Conflict as error:
        return await _render_desk(request, session, actor, clock, renderer, error=error)
    return _back(request, "ke_powers_of_attorney", "rejected")


@router.get(DESK + "/{power_id}/document", name="power_of_attorney_document")
async def download(
    power_id: uuid.UUID, session: DbSession, actor: CurrentActor, clock: ClockDep
) -> Response:
    found, content = await powers.document(session, actor, power_id, clock=clock)
    return Response(
        content,
        media_type=found.content_type,
        headers={
            "Content-Disposition": documents.content_disposition(found.filename),
            "Cache-Control": "no-store",
        },
    )


def _back(request: Request, page: str, notice: str) -> RedirectResponse:
    url = request.url_for(page).include_query_params(done=notice)
    return RedirectResponse(str(url), status_code=303)
