"""/settings/notifications: how the logged-in person is told that something is new (R-NOTE-2).
Works without JavaScript; every problem is shown next to its field, with what was typed kept."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from app.api.deps import ClockDep, CurrentActor, DbSession, SettingsDep
from app.errors import InvalidInput
from app.i18n import gettext_noop
from app.models import Channel, Frequency
from app.notifications import service as notifications
from app.web.deps import RendererDep
from app.web.form_values import choice

router = APIRouter()
PAGE = "/settings/notifications"
SAVED = gettext_noop("Your choices are saved.")
# Where the error summary links to for each field: a group of radios links to its first one.
ANCHORS = {"channel": "channel-email", "frequency": "frequency-at_once"}


async def _render(
    request: Request,
    renderer: RendererDep,
    current: notifications.NotificationChoice,
    *,
    interval_minutes: int,
    sms_available: bool,
    kept: dict[str, str] | None = None,
    problems: tuple[InvalidInput, ...] = (),
    saved: bool = False,
) -> HTMLResponse:
    values = kept or {
        "channel": current.channel.value,
        "frequency": current.frequency.value,
        "email": current.email or "",
        "phone": current.phone or "",
    }
    errors: dict[str, str] = {}
    for problem in problems:
        errors.setdefault(problem.field or "channel", problem.detail)
    context = {
        "current": current,
        "values": values,
        "errors": errors,
        "anchors": {field: ANCHORS.get(field, field) for field in errors},
        "notice": SAVED if saved else None,
        "interval_minutes": interval_minutes,
        "channels": [c for c in Channel if sms_available or c is not Channel.SMS],
        "sms_available": sms_available,
        "frequencies": list(Frequency),
    }
    status = 422 if problems else 200
    return renderer.render(request, "notifications/settings.html", context, status_code=status)


@router.get(PAGE, name="notification_settings")
async def show(
    request: Request,
    session: DbSession,
    actor: CurrentActor,
    settings: SettingsDep,
    renderer: RendererDep,
    done: str | None = None,
) -> HTMLResponse:
    current = await notifications.get_settings(session, actor)
    return await _render(
        request,
        renderer,
        current,
        interval_minutes=settings.notify_min_interval_minutes,
        sms_available=settings.sms_available,
        saved=done == "saved",
    )


@router.post(PAGE, name="save_notification_settings")
async def save(
    request: Request,
    session: DbSession,
    actor: CurrentActor,
    settings: SettingsDep,
    clock: ClockDep,
    renderer: RendererDep,
    channel: Annotated[str, Form()] = "",
    frequency: Annotated[str, Form()] = "",
    email: Annotated[str, Form()] = "",
    phone: Annotated[str, Form()] = "",
) -> Response:
    kept = {"channel": channel, "frequency": frequency, "email": email, "phone": phone}
    problems: list[InvalidInput] = []
    chosen_channel = Channel.NONE
    chosen_frequency = Frequency.AT_ONCE
    try:
        chosen_channel = choice(Channel, channel, field="channel")
    except InvalidInput as problem:
        problems.append(problem)
    try:
        chosen_frequency = choice(Frequency, frequency, field="frequency")
    except InvalidInput as problem:
        problems.append(problem)
    problems.extend(
        notifications.check(
            chosen_channel, email, phone, sms_available=settings.sms_available
        ).problems
    )
    if problems:
        current = await notifications.get_settings(session, actor)
        return await _render(
            request,
            renderer,
            current,
            interval_minutes=settings.notify_min_interval_minutes,
            sms_available=settings.sms_available,
            kept=kept,
            problems=tuple(problems),
        )
    await notifications.save_settings(
        session,
        actor,
        chosen_channel,
        chosen_frequency,
        email,
        phone,
        clock=clock,
        sms_available=settings.sms_available,
    )
    url = request.url_for("notification_settings").include_query_params(done="saved")
    return RedirectResponse(str(url), status_code=303)
