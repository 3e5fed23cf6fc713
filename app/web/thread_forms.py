"""What the conversation forms send, turned into values for the services (R-SAFE-1: a bad value
is a message next to its field, never a lost form). Shared by the list and the thread page."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from starlette.datastructures import FormData, UploadFile

from app.errors import Conflict, DomainError, Forbidden, InvalidInput, TooLarge
from app.plan_items import versions
from app.threads.service import MemberChoice, MemberOption
from app.web.form_values import BAD_CHOICE
from app.web.plan_page import Problem

# Errors the person can fix on the page; NotFound is left to the error page, so a thread the
# actor may not read is not shown as existing.
FIXABLE = (InvalidInput, Conflict, Forbidden)
# A file refused by the attachments service: told next to the file field, the text kept.
FIXABLE_WITH_FILES = (*FIXABLE, TooLarge)
MEMBER_KINDS = ("person", "employee", "unit")
LISTS = ("members",)  # fields that are checkboxes: kept as lists


def kept(form: FormData) -> dict[str, Any]:
    """What was typed, to show again."""
    found: dict[str, Any] = {}
    for name in form:
        if name in ("csrf_token", "request_key"):
            continue
        values = [v for v in form.getlist(name) if isinstance(v, str)]
        found[name] = values if name in LISTS else (values[0] if values else "")
    return found


def problem_for(form: str, error: DomainError, typed: dict[str, Any]) -> Problem:
    return Problem(form, error.detail, error.field, typed, conflict=isinstance(error, Conflict))


def status_of(problem: Problem) -> int:
    return 409 if problem.conflict else 422


def member_key(choice: MemberChoice) -> str:
    """The value of a member checkbox: "person:<uuid>", "employee:<uuid>" or "unit:<uuid>"."""
    for kind in MEMBER_KINDS:
        value = getattr(choice, f"{kind}_id")
        if value is not None:
            return f"{kind}:{value}"
    raise ValueError("a member choice names nobody")


def member_choice(value: str | None, *, field: str = "members") -> MemberChoice:
    kind, _, raw = (value or "").strip().partition(":")
    try:
        found = uuid.UUID(raw)
    except ValueError:
        raise InvalidInput(BAD_CHOICE, code="bad_choice", field=field) from None
    if kind not in MEMBER_KINDS:
        raise InvalidInput(BAD_CHOICE, code="bad_choice", field=field)
    return MemberChoice(**{f"{kind}_id": found})


def member_choices(values: Sequence[str] | None) -> list[MemberChoice]:
    return [member_choice(value) for value in values or [] if value]


@dataclass(frozen=True)
class Offered:
    """One choice as a form shows it."""

    key: str
    name: str
    unit: str | None


def offered(options: Sequence[MemberOption]) -> list[Offered]:
    return [Offered(member_key(option.choice), option.name, option.unit) for option in options]


async def uploads(form: FormData, *, limit: int) -> list[tuple[str | None, bytes]]:
    """The files chosen in the form's `files` field, each read to one byte past `limit` (so
    the service can tell it is too large without the whole of it in memory). A browser sends
    an empty part without a name when no file is chosen: that is no file."""
    found: list[tuple[str | None, bytes]] = []
    for value in form.getlist("files"):
        if isinstance(value, UploadFile) and value.filename:
            found.append((value.filename, await value.read(limit + 1)))
    return found


def seen_version(value: str | None) -> int:
    """The version an edit form was opened at; without one the change cannot be checked
    against what was saved meanwhile, so it is refused as if stale (R-SAFE-2)."""
    if value is None or not value.isdigit():
        raise Conflict(versions.STALE, code="stale_version")
    return int(value)


@dataclass(frozen=True)
class Editing:
    """The form to change a message, open on the page: what was typed (None: the stored
    text) and, when it came back, why."""

    message_id: uuid.UUID
    limit: int
    text: str | None = None
    error: str | None = None
    conflict: bool = False

    @classmethod
    def after(cls, message_id: uuid.UUID, limit: int, problem: Problem) -> Editing:
        return cls(
            message_id, limit, problem.kept.get("text", ""), problem.message, problem.conflict
        )
