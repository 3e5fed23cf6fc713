"""The plan to print, and the same as a PDF (capability 13). Only what the reader may see;
items shielded from a guardian are left out. Downloading the PDF is written to the audit log."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import HTMLResponse, Response

from app.access import audit
from app.api.deps import ClockDep, CurrentActor, DbSession
from app.documents.service import content_disposition
from app.errors import DomainError
from app.i18n import gettext_noop, language_of, translations
from app.plan_view import service as plan_views
from app.printing.pdf import PdfUnavailable, render_pdf
from app.web.deps import RendererDep

router = APIRouter()
PDF_UNAVAILABLE = gettext_noop(
    "The PDF cannot be made on this installation just now. Use Print instead; your browser "
    "can save the page as PDF."
)


class PdfNotAvailable(DomainError):
    status = 503
    title = "Service unavailable"
    code = "pdf_unavailable"


async def _context(session: Any, actor: Any, plan_id: uuid.UUID, clock: Any) -> dict[str, Any]:
    view = await plan_views.plan_view(session, actor, plan_id, clock=clock, export=True)
    return {"view": view, "printed_at": clock.now()}


@router.get("/plans/{plan_id}/print", name="plan_print")
async def print_view(
    request: Request,
    plan_id: uuid.UUID,
    session: DbSession,
    actor: CurrentActor,
    clock: ClockDep,
    renderer: RendererDep,
) -> HTMLResponse:
    context = await _context(session, actor, plan_id, clock)
    return renderer.render(request, "plan/print.html", {**context, "as_pdf": False})


@router.get("/plans/{plan_id}/plan.pdf", name="plan_pdf")
async def pdf(
    request: Request,
    plan_id: uuid.UUID,
    session: DbSession,
    actor: CurrentActor,
    clock: ClockDep,
    renderer: RendererDep,
) -> Response:
    context = await _context(session, actor, plan_id, clock)
    view = context["view"]
    html = renderer.render(request, "plan/print.html", {**context, "as_pdf": True}).body
    gettext = translations(language_of(request)).gettext
    title = gettext("Individual plan for %(name)s") % {"name": view.owner_name}
    try:
        document = await render_pdf(
            bytes(html).decode(), base_url=str(request.base_url), title=title
        )
    except PdfUnavailable:
        raise PdfNotAvailable(PDF_UNAVAILABLE) from None
    await audit.record_done(session, actor, view.plan, "plan.pdf_downloaded", clock=clock)
    filename = gettext("individual-plan") + f"-{view.today.isoformat()}.pdf"
    return Response(
        document,
        media_type="application/pdf",
        headers={
            "Content-Disposition": content_disposition(filename),
            "Cache-Control": "no-store",
        },
    )
