"""Who can see my plan: the owner (or whoever consents for them) gives, narrows, extends and
withdraws access, invites people, and staff record paper consent. Thin over the services."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.responses import HTMLResponse, RedirectResponse, Response

from app.access import Actor
from app.access.population_register import PopulationRegister
from app.api.deps import ClockDep, CurrentActor, DbSession, RegisterDep, SettingsDep, VaultDep
from app.clock import Clock
from app.consents import service as consents
from app.consents.schemas import GrantSpec, InviteByLink, InviteByNumber
from app.errors import Conflict, InvalidInput, TooLarge
from app.i18n import gettext_noop
from app.invitations import service as invitations
from app.models import GrantMode, ParticipantKind, PlanPart
from app.paper_consents import service as paper_consents
from app.responsibility_group import service as group
from app.web.deps import RendererDep
from app.web.templating import Renderer
from app.young_people import service as young_people

router = APIRouter()
PAGE = "/plans/{plan_id}/access"
NOTICES = {
    "given": gettext_noop("Access given."),
    "changed": gettext_noop("Access changed."),
    "withdrawn": gettext_noop("Access withdrawn. It stopped at once."),
    "invited": gettext_noop("The person is now in the responsibility group."),
    "removed": gettext_noop("The person is no longer in the responsibility group."),
    "revoked": gettext_noop("The invitation link no longer works."),
    "youth_on": gettext_noop("The young person can now log in and read the plan."),
    "youth_off": gettext_noop("The young person can no longer log in to read the plan."),
    "recorded": gettext_noop("The paper consent is recorded. Another employee must verify it."),
    "verified": gettext_noop("The paper consent is verified and now in force."),
}
NAME_AND_NUMBER = gettext_noop("Write the person's identity number, first name and last name.")
CHOOSE_SERVICE = gettext_noop("Choose a service from the list.")
# Errors a person can fix on this page; anything else goes to the error page.
FIXABLE = (InvalidInput, Conflict, TooLarge)
Parts = Annotated[list[PlanPart] | None, Form()]


class AccessPage:
    """Everything a route of this page needs, resolved once by FastAPI."""

    def __init__(
        self,
        request: Request,
        plan_id: uuid.UUID,
        session: DbSession,
        actor: CurrentActor,
        register: RegisterDep,
        clock: ClockDep,
        renderer: RendererDep,
    ) -> None:
        self.request, self.plan_id, self.session, self.actor = request, plan_id, session, actor
        self.register: PopulationRegister = register
        self.clock: Clock = clock
        self.renderer: Renderer = renderer

    async def render(
        self,
        *,
        notice: str | None = None,
        error: Exception | None = None,
        form: str | None = None,
        kept: dict[str, Any] | None = None,
        new_link: str | None = None,
    ) -> HTMLResponse:
        if error is not None:
            await self.session.rollback()  # nothing half-done is kept; denials' audit rows are
        found = await group.overview(
            self.session, self.actor, self.plan_id, register=self.register, clock=self.clock
        )
        context = {
            "overview": found,
            "parts": list(PlanPart),
            "modes": list(GrantMode),
            "kinds": [ParticipantKind.RELATIVE, ParticipantKind.SUPPORT_PERSON],
            "notice": NOTICES.get(notice or ""),
            "error": getattr(error, "detail", None),
            "error_form": form,
            "kept": kept or {},
            "new_link": new_link,
        }
        status = getattr(error, "status", 200)
        return self.renderer.render(
            self.request, "consents/overview.html", context, status_code=status
        )

    async def attempt(
        self,
        work: Awaitable[Any],
        *,
        done: str,
        form: str | None = None,
        kept: dict[str, Any] | None = None,
    ) -> Response:
        """Run the service call; back to the page with a notice, or the page with the error
        next to its form (or at the top) and what was typed kept (R-SAFE-1)."""
        try:
            await work
        except FIXABLE as error:
            return await self.render(error=error, form=form, kept=kept)
        url = self.request.url_for("plan_access", plan_id=self.plan_id)
        return RedirectResponse(str(url.include_query_params(done=done)), status_code=303)

    @property
    def who(self) -> tuple[AsyncSession, Actor, uuid.UUID]:
        return self.session, self.actor, self.plan_id


Page = Annotated[AccessPage, Depends()]


@router.get(PAGE, name="plan_access")
async def show(page: Page, done: str | None = None) -> HTMLResponse:
    return await page.render(notice=done)


@router.post(PAGE + "/grants", name="give_grant_form")
async def give(
    page: Page,
    participant_id: Annotated[uuid.UUID, Form()],
    part: Annotated[PlanPart, Form()],
    mode: Annotated[GrantMode, Form()],
    valid_until: Annotated[date | None, Form()] = None,
) -> Response:
    spec = GrantSpec(part=part, mode=mode, valid_until=valid_until)
    kept = {"participant_id": participant_id, "part": part, "mode": mode, "until": valid_until}
    work = consents.give_grant(*page.who, participant_id, spec, clock=page.clock)
    return await page.attempt(work, done="given", form="give", kept=kept)


@router.post(PAGE + "/grants/{grant_id}", name="change_grant_form")
async def change(
    page: Page,
    grant_id: uuid.UUID,
    mode: Annotated[GrantMode, Form()],
    valid_until: Annotated[date | None, Form()] = None,
) -> Response:
    work = consents.change_grant(
        *page.who, grant_id, mode=mode, valid_until=valid_until, clock=page.clock
    )
    return await page.attempt(work, done="changed", form=f"grant-{grant_id}")


@router.post(PAGE + "/grants/{grant_id}/withdraw", name="withdraw_grant_form")
async def withdraw(page: Page, grant_id: uuid.UUID) -> Response:
    work = consents.end_grant(*page.who, grant_id, clock=page.clock)
    return await page.attempt(work, done="withdrawn")


@router.post(PAGE + "/grants/{grant_id}/verify", name="verify_grant_form")
async def verify(page: Page, grant_id: uuid.UUID) -> Response:
    work = paper_consents.verify_paper_consent(*page.who, grant_id, clock=page.clock)
    return await page.attempt(work, done="verified", form=f"grant-{grant_id}")


@router.post(PAGE + "/participants", name="invite_by_number_form")
async def invite_by_number(
    page: Page,
    vault: VaultDep,
    settings: SettingsDep,
    identity_number: Annotated[str, Form(max_length=20)] = "",
    given_name: Annotated[str, Form(max_length=200)] = "",
    family_name: Annotated[str, Form(max_length=200)] = "",
    relation: Annotated[str, Form(max_length=100)] = "",
    kind: Annotated[ParticipantKind, Form()] = ParticipantKind.RELATIVE,
    parts: Parts = None,
    mode: Annotated[GrantMode, Form()] = GrantMode.READ,
) -> Response:
    # The number is never shown back, even when something else was wrong (R-ID-3).
    kept = {
        "given_name": given_name,
        "family_name": family_name,
        "relation": relation,
        "kind": kind,
        "parts": parts or [],
        "mode": mode,
    }

    async def invite() -> None:
        if not (identity_number.strip() and given_name.strip() and family_name.strip()):
            raise InvalidInput(NAME_AND_NUMBER, code="name_and_number")
        data = InviteByNumber(
            identity_number=identity_number,
            given_name=given_name,
            family_name=family_name,
            kind=kind,
            relation=relation,
            grants=[GrantSpec(part=part, mode=mode) for part in parts or []],
        )
        await consents.invite_by_number(
            *page.who,
            data,
            vault=vault,
            allow_synthetic=not settings.is_production,
            clock=page.clock,
        )

    return await page.attempt(invite(), done="invited", form="invite", kept=kept)


@router.post(PAGE + "/employees", name="add_employee_form")
async def add_employee(page: Page, service: Annotated[str, Form(max_length=80)]) -> Response:
    async def add() -> None:
        employee_id, _, unit_id = service.partition(":")
        await consents.add_employee(*page.who, _uuid(employee_id), _uuid(unit_id), clock=page.clock)

    return await page.attempt(add(), done="invited", form="staff")


def _uuid(value: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError:
        raise InvalidInput(CHOOSE_SERVICE, code="choose_service") from None


@router.post(PAGE + "/participants/{participant_id}/remove", name="remove_participant_form")
async def remove(page: Page, participant_id: uuid.UUID) -> Response:
    work = consents.remove_participant(*page.who, participant_id, clock=page.clock)
    return await page.attempt(work, done="removed")


@router.post(PAGE + "/invitations", name="create_invitation_form")
async def create_link(
    page: Page,
    relation: Annotated[str, Form(max_length=100)] = "",
    kind: Annotated[ParticipantKind, Form()] = ParticipantKind.RELATIVE,
    parts: Parts = None,
    mode: Annotated[GrantMode, Form()] = GrantMode.READ,
) -> Response:
    kept = {"relation": relation, "kind": kind, "parts": parts or [], "mode": mode}
    # Unvalidated on purpose: the service explains an empty choice in the person's language.
    data = InviteByLink.model_construct(
        kind=kind, relation=relation, grants=[GrantSpec(part=p, mode=mode) for p in parts or []]
    )
    try:
        _invitation, token = await invitations.create_invitation(*page.who, data, clock=page.clock)
    except FIXABLE as error:
        return await page.render(error=error, form="link", kept=kept)
    # Shown once, on this answer; only its hash is stored.
    return await page.render(new_link=str(page.request.url_for("invitation", token=token)))


@router.post(PAGE + "/invitations/{invitation_id}/revoke", name="revoke_invitation_form")
async def revoke(page: Page, invitation_id: uuid.UUID) -> Response:
    work = invitations.revoke_invitation(*page.who, invitation_id, clock=page.clock)
    return await page.attempt(work, done="revoked")


@router.post(PAGE + "/youth-access", name="youth_access_form")
async def youth_access(page: Page, on: Annotated[bool, Form()]) -> Response:
    work = young_people.set_youth_access(*page.who, on=on, clock=page.clock)
    return await page.attempt(work, done="youth_on" if on else "youth_off", form="youth")


@router.post(PAGE + "/paper-consents", name="paper_consent_form")
async def paper_consent(
    page: Page,
    participant_id: Annotated[uuid.UUID, Form()],
    signed_form: Annotated[UploadFile, File()],
    parts: Parts = None,
    mode: Annotated[GrantMode, Form()] = GrantMode.READ,
    valid_until: Annotated[date | None, Form()] = None,
) -> Response:
    kept = {
        "participant_id": participant_id,
        "parts": parts or [],
        "mode": mode,
        "until": valid_until,
    }
    specs = [GrantSpec(part=part, mode=mode, valid_until=valid_until) for part in parts or []]
    work = paper_consents.record_paper_consent(
        *page.who,
        participant_id,
        specs,
        filename=signed_form.filename or "",
        content=await signed_form.read(),
        clock=page.clock,
    )
    return await page.attempt(work, done="recorded", form="paper", kept=kept)
