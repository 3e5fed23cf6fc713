"""Your own notification settings (R-NOTE-2): channel, frequency and addresses."""

from __future__ import annotations

from fastapi import APIRouter

from app.api.deps import ClockDep, CurrentActor, DbSession, SettingsDep
from app.notifications import service as notifications
from app.notifications.schemas import NotificationSettingsIn, NotificationSettingsOut
from app.settings import Settings

router = APIRouter(tags=["notifications"])
PATH = "/me/notification-settings"


def settings_out(
    choice: notifications.NotificationChoice, settings: Settings
) -> NotificationSettingsOut:
    return NotificationSettingsOut(
        channel=choice.channel,
        frequency=choice.frequency,
        email=choice.email,
        phone=choice.phone,
        chosen=choice.chosen,
        min_interval_minutes=settings.notify_min_interval_minutes,
        sms_available=settings.sms_available,
    )


@router.get(
    PATH,
    response_model=NotificationSettingsOut,
    responses={401: {"description": "Not logged in"}},
)
async def read(
    session: DbSession, actor: CurrentActor, settings: SettingsDep
) -> NotificationSettingsOut:
    """How you are told that something is new. Until you choose: staff get e-mail at once to
    their work address; citizens get nothing."""
    return settings_out(await notifications.get_settings(session, actor), settings)


@router.put(
    PATH,
    response_model=NotificationSettingsOut,
    responses={
        401: {"description": "Not logged in"},
        422: {
            "description": "An address that cannot be one, a channel without its address, or "
            "sms where this service sends no text messages (sms_unavailable)"
        },
    },
)
async def save(
    data: NotificationSettingsIn,
    session: DbSession,
    actor: CurrentActor,
    settings: SettingsDep,
    clock: ClockDep,
) -> NotificationSettingsOut:
    """Choose how you are told that something is new. A notice never says what it is about."""
    choice = await notifications.save_settings(
        session,
        actor,
        data.channel,
        data.frequency,
        data.email,
        data.phone,
        clock=clock,
        sms_available=settings.sms_available,
    )
    return settings_out(choice, settings)
