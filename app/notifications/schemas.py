"""Notification settings in and out of the JSON API."""

from __future__ import annotations

from pydantic import BaseModel, Field

from app.models import Channel, Frequency


class NotificationSettingsIn(BaseModel):
    channel: Channel = Field(description="email, sms or none")
    frequency: Frequency = Field(
        description="at_once (at most one notice per interval) or daily (at 07:00, Oslo time)"
    )
    email: str | None = Field(default=None, max_length=400, description="Needed for email")
    phone: str | None = Field(
        default=None,
        max_length=40,
        description="A Norwegian mobile number, 8 digits starting with 4 or 9; needed for sms",
    )


class NotificationSettingsOut(BaseModel):
    channel: Channel
    frequency: Frequency
    email: str | None
    phone: str | None = Field(description="As +47 and 8 digits")
    chosen: bool = Field(description="False: nothing saved yet; these are the defaults")
    min_interval_minutes: int = Field(description="At most one notice in this many minutes")
    sms_available: bool = Field(description="False: this service sends no text messages")
