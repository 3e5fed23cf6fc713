"""Time is injected, never read ad hoc, so age rules and expiry can be tested on any date."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Protocol
from zoneinfo import ZoneInfo

OSLO = ZoneInfo("Europe/Oslo")


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, timezone-aware, in UTC."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


def today_in_oslo(clock: Clock) -> date:
    """The calendar date in Norway: ages and deadlines are counted in Europe/Oslo (R-AGE)."""
    return clock.now().astimezone(OSLO).date()
