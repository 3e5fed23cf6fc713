"""Limits on what people type, stated in the forms and enforced here (R-SAFE-1)."""

from __future__ import annotations

from datetime import date

from app.errors import InvalidInput
from app.i18n import gettext_noop

SHORT = 200  # titles, names
GOAL = 1000
EXTENT = 500
LONG = 4000  # own words, notes, reviews, descriptions

EMPTY = gettext_noop("Write something here.")
TOO_LONG_SHORT = gettext_noop("This is too long. Shorten it to at most 200 characters.")
TOO_LONG_GOAL = gettext_noop("This is too long. Shorten it to at most 1000 characters.")
TOO_LONG_EXTENT = gettext_noop("This is too long. Shorten it to at most 500 characters.")
TOO_LONG_LONG = gettext_noop("This is too long. Shorten it to at most 4000 characters.")
END_BEFORE_START = gettext_noop("The deadline cannot be before the start.")
PERIOD_END_BEFORE_START = gettext_noop("The plan period cannot end before it starts.")

_TOO_LONG = {
    SHORT: TOO_LONG_SHORT,
    GOAL: TOO_LONG_GOAL,
    EXTENT: TOO_LONG_EXTENT,
    LONG: TOO_LONG_LONG,
}


def clean(value: str | None, *, field: str, limit: int, required: bool = True) -> str:
    """The text with surrounding blanks removed; refused when empty (if required) or too long."""
    text = (value or "").strip().replace("\r\n", "\n")
    if required and not text:
        raise InvalidInput(EMPTY, code="empty", field=field)
    if len(text) > limit:
        raise InvalidInput(_TOO_LONG[limit], code="too_long", field=field)
    return text


def check_order(start: date | None, end: date | None, *, field: str, period: bool = False) -> None:
    if start is not None and end is not None and end < start:
        message = PERIOD_END_BEFORE_START if period else END_BEFORE_START
        raise InvalidInput(message, code="end_before_start", field=field)
