"""The plan page: the owner's own words first, goals with their actions, the frame. Editing
happens in place: a form posts, the page comes back (htmx swaps only the part that changed, and
without JavaScript the whole page reloads at the same spot). Errors, conflicts and drafts are
shown next to the form they belong to, with what was typed kept (R-SAFE-1, R-SAFE-2).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from sqlalchemy.orm.exc import StaleDataError
from starlette.responses import HTMLResponse, RedirectResponse, Response

from app.access import Actor
from app.api.deps import ClockDep, CurrentActor, DbSession
from app.clock import Clock
from app.drafts import service as drafts
from app.errors import Conflict, Forbidden, InvalidInput, NotFound, StaleVersion
from app.i18n import gettext_noop
from app.idempotency import service as idempotency
from app.models import ActionStatus, GoalStatus, ReviewAssessment, SubPlanKind
from app.plan_items import texts
from app.plan_items.versions import STALE
from app.plan_view import service as plan_views
from app.web.deps import RendererDep
from app.web.htmx import mark_varies
from app.web.templating import Renderer

router = APIRouter()
PAGE = "/plans/{plan_id}"
# Errors the person can fix on the page; anything else goes to the error page.
FIXABLE = (InvalidInput, Conflict, Forbidden, NotFound)
NOTICES = {
    "saved": gettext_noop("Saved."),
    "proposed": gettext_noop(
        "Your proposal is saved. The plan owner decides whether to accept it."
    ),
    "closed": gettext_noop(
        "The plan is closed. It can be read, printed and downloaded, not changed."
    ),
    "close_requested": gettext_noop("The coordinating unit has been asked to close the plan."),
    "withdrawn": gettext_noop("Withdrawn. It is still on the timeline."),
    "draft_discarded": gettext_noop("The draft is thrown away."),
}


ANCHOR = re.compile(r"[a-z][a-z0-9_-]{0,80}")  # an element id on the page, nothing else


@dataclass(frozen=True)
class Problem:
    """What went wrong with which form, and what the person had typed."""

    form: str
    message: str
    field: str | None
    kept: dict[str, Any]
    conflict: bool = False


class PlanPage:
    """Everything a route of the plan page needs, resolved once by FastAPI."""

    def __init__(
        self,
        request: Request,
        plan_id: uuid.UUID,
        session: DbSession,
        actor: CurrentActor,
        clock: ClockDep,
        renderer: RendererDep,
    ) -> None:
        self.request, self.plan_id, self.session, self.actor = request, plan_id, session, actor
        self.clock: Clock = clock
        self.renderer: Renderer = renderer

    @property
    def who(self) -> tuple[Any, Actor, uuid.UUID]:
        return self.session, self.actor, self.plan_id

    async def render(
        self,
        *,
        edit: str | None = None,
        notice: str | None = None,
        problem: Problem | None = None,
        saved_at: str | None = None,
    ) -> HTMLResponse:
        if problem is not None:
            await self.session.rollback()  # nothing half-done is kept; denials stay in the log
        view = await plan_views.plan_view(self.session, self.actor, self.plan_id, clock=self.clock)
        saved_drafts = await drafts.drafts_for(self.session, self.actor, self.plan_id)
        context = {
            "view": view,
            "view_plan": view,  # the name the item macros use (theirs is `view` too)
            "edit": problem.form if problem else edit,
            "notice": NOTICES.get(notice or ""),
            # Where focus goes after htmx swaps the page in (app/static/plan.js).
            "focus_after_swap": saved_at if saved_at and ANCHOR.fullmatch(saved_at) else None,
            "problem": problem,
            "drafts": {form: draft.fields for form, draft in saved_drafts.items()},
            "draft_times": {form: draft.saved_at for form, draft in saved_drafts.items()},
            "request_key": uuid.uuid4(),
            "goal_statuses": list(GoalStatus),
            "action_statuses": list(ActionStatus),
            "assessments": list(ReviewAssessment),
            "sub_plan_kinds": list(SubPlanKind),
            "limits": {
                "short": texts.SHORT,
                "goal": texts.GOAL,
                "extent": texts.EXTENT,
                "long": texts.LONG,
            },
        }
        status = 200
        if problem is not None:
            status = 409 if problem.conflict else 422
        response = self.renderer.render(self.request, "plan/page.html", context, status_code=status)
        mark_varies(response)
        return response

    async def attempt(
        self,
        work: Callable[[], Awaitable[str | None]],
        *,
        form: str,
        kept: dict[str, Any],
        anchor: str,
        notice: str = "saved",
        request_key: str | None = None,
    ) -> Response:
        """Run the service call once (a retried form is stored once: R-SAFE-3), then back to
        the page at the item; or the page with the error or conflict at the form. `work` may
        return the name of a notice that says better what happened."""
        target = str(self.request.url_for("plan_page", plan_id=self.plan_id))

        async def write() -> tuple[int, dict[str, Any]]:
            done = await work() or notice  # the work may have a better word for what happened
            await drafts.forget_saved(self.session, self.actor, self.plan_id, form)
            return 303, {"location": f"{target}?done={done}&at={anchor}#{anchor}"}

        try:
            outcome = await idempotency.once(
                self.session,
                self.actor,
                f"form:{request_key}" if request_key else None,
                f"POST {self.request.url.path}",
                write,
                clock=self.clock,
            )
        except StaleVersion as error:
            problem = Problem(form, error.detail, None, kept, conflict=True)
            return await self.render(problem=problem)
        except StaleDataError:  # the same version saved twice at the same moment
            return await self.render(problem=Problem(form, STALE, None, kept, conflict=True))
        except FIXABLE as error:
            return await self.render(problem=Problem(form, error.detail, error.field, kept))
        return RedirectResponse(str(outcome.result["location"]), status_code=303)


Page = Annotated[PlanPage, Depends()]


@router.get(PAGE, name="plan_page")
async def show(
    page: Page, edit: str | None = None, done: str | None = None, at: str | None = None
) -> HTMLResponse:
    return await page.render(edit=edit, notice=done, saved_at=at)
