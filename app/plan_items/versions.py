"""Optimistic concurrency (R-SAFE-2) and the before/after record of every change (R-PLAN-5)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from enum import Enum
from typing import Any, Protocol
from uuid import UUID

from app.errors import StaleVersion
from app.i18n import gettext_noop

STALE = gettext_noop(
    "Someone else saved a change to this after you opened it. Nothing was overwritten: "
    "compare the two versions and save again."
)


class Versioned(Protocol):
    version: int


def expect(item: Versioned, seen: int | None, *, item_type: str) -> None:
    """Refuse a change made on top of a version that is no longer current."""
    if seen is not None and seen != item.version:
        raise StaleVersion(STALE, item_type=item_type, current_version=item.version)


def plain(value: Any) -> Any:
    """A JSON-friendly form of a field value, for the timeline."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, (list, tuple, set, frozenset)):
        return sorted(plain(v) for v in value)
    return value


def snapshot(item: object, fields: Iterable[str]) -> dict[str, Any]:
    return {name: plain(getattr(item, name)) for name in fields}


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """{field: [before, after]} for the fields that changed."""
    return {
        name: [before.get(name), value]
        for name, value in after.items()
        if before.get(name) != value
    }


def created(after: dict[str, Any]) -> dict[str, list[Any]]:
    return {name: [None, value] for name, value in after.items() if value not in (None, "", [])}


def expect_absent(seen: int | None, *, item_type: str) -> None:
    """The writer saw a version of something that no longer exists (or never did)."""
    if seen is not None:
        raise StaleVersion(STALE, item_type=item_type, current_version=0)
