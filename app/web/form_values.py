"""Turning what a browser sent into values, with a clear message instead of a 422 page that
would lose what was typed (R-SAFE-1). Every form field arrives as text."""

from __future__ import annotations

import uuid
from datetime import date
from enum import StrEnum
from typing import TypeVar

from app.errors import InvalidInput
from app.i18n import gettext_noop

BAD_DATE = gettext_noop("Write the date as day, month and year, for example 31.12.2026.")
BAD_CHOICE = gettext_noop("Choose one of the options in the list.")
BAD_NUMBER = gettext_noop("The form was out of date. Open the page again and try once more.")

Choice = TypeVar("Choice", bound=StrEnum)


def optional_date(value: str | None, *, field: str) -> date | None:
    """ISO dates from date inputs, and the Norwegian 31.12.2026 typed by hand."""
    text = (value or "").strip()
    if not text:
        return None
    try:
        if "." in text:
            day, month, year = (int(part) for part in text.split("."))
            return date(year, month, day)
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(BAD_DATE, code="bad_date", field=field) from None


def optional_id(value: str | None, *, field: str) -> uuid.UUID | None:
    text = (value or "").strip()
    if not text:
        return None
    try:
        return uuid.UUID(text)
    except ValueError:
        raise InvalidInput(BAD_CHOICE, code="bad_choice", field=field) from None


def ids(values: list[str] | None, *, field: str) -> tuple[uuid.UUID, ...]:
    found = (optional_id(value, field=field) for value in values or [])
    return tuple(value for value in found if value is not None)


def choice(kind: type[Choice], value: str | None, *, field: str) -> Choice:
    try:
        return kind((value or "").strip())
    except ValueError:
        raise InvalidInput(BAD_CHOICE, code="bad_choice", field=field) from None


def version(value: str | None) -> int | None:
    """The version the person started from; empty means "nothing existed yet"."""
    text = (value or "").strip()
    if not text:
        return None
    if not text.isdigit():
        raise InvalidInput(BAD_NUMBER, code="bad_version")
    return int(text)
