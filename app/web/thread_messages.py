"""One message on the thread page: the author changes it (the earlier text is kept), and its
files are downloaded. Thin adapters over app/messages/service.py and app/attachments/service.py;
the page itself is app/web/thread_page.py.
"""

from __future__ import annotations

import uuid

from fastapi import APIRouter
from sqlalchemy.orm.exc import StaleDataError
from starlette.responses import RedirectResponse, Response

from app.api.deps import ClockDep, CurrentActor, DbSession, SettingsDep
from app.attachments import service as attachments
from app.attachments.http import file_response
from app.errors import Conflict, InvalidInput
from app.messages import service as messages
from app.plan_items import versions
from app.web import thread_forms as forms
from app.web.plan_page import Problem
from app.web.thread_page import THREAD, View

router = APIRouter()


@router.post(THREAD + "/messages/{message_id}/edit", name="edit_message_form")
async def edit_message(view: View, message_id: uuid.UUID) -> Response:
    """The author's correction, checked against the version the form was opened at: a change
    saved meanwhile comes back as a conflict with both texts, nothing lost (R-SAFE-2). Someone
    else's message is refused by the service (403; 404 where the thread is not theirs to see)."""
    typed = forms.kept(await view.request.form())
    try:
        await messages.edit_message(
            *view.who,
            message_id,
            typed.get("text", ""),
            seen_version=forms.seen_version(typed.get("version")),
            clock=view.clock,
        )
    except StaleDataError:  # the same version saved twice at the same moment
        problem = Problem("edit", versions.STALE, None, typed, conflict=True)
        return await _again(view, message_id, problem)
    except (InvalidInput, Conflict) as error:
        return await _again(view, message_id, forms.problem_for("edit", error, typed))
    return RedirectResponse(view.url("message_changed", f"message-{message_id}"), status_code=303)


async def _again(view: View, message_id: uuid.UUID, problem: Problem) -> Response:
    editing = forms.Editing.after(message_id, messages.MESSAGE_LIMIT, problem)
    return await view.render(problem=problem, edit=editing)


@router.get("/plans/{plan_id}/attachments/{attachment_id}", name="download_attachment_page")
async def download(
    plan_id: uuid.UUID,
    attachment_id: uuid.UUID,
    session: DbSession,
    actor: CurrentActor,
    clock: ClockDep,
    settings: SettingsDep,
) -> Response:
    """The file, for someone who may read its conversation now; the download is in the audit
    log. Always a download (never shown inline), never cached."""
    attachment, content = await attachments.download(
        session, actor, plan_id, attachment_id, clock=clock, settings=settings
    )
    return file_response(attachment, content)
