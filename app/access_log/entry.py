"""One audit row as the reader of the log sees it: who, on whose behalf, what, and why."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from app.access import Actor, Role
from app.access_log import wording
from app.access_log.schemas import WhoKind
from app.models import UnitKind

# Both kinds of refusal: "visible but not allowed", and "may not even know the plan exists".
REFUSED = ("denied", "not_found")

# employee id -> (unit name, kind) for every unit they work in, in the plan's municipality
UnitsByEmployee = dict[uuid.UUID, list[tuple[str, UnitKind]]]


@dataclass(frozen=True)
class Who:
    """An actor as the reader sees them. `key` is the filter value ("p:<uuid>", "e:<uuid>")."""

    key: str | None
    kind: WhoKind
    name: str | None  # None for "you" and for Samplan itself
    units: tuple[str, ...] = ()
    role: str | None = None  # a msgid from wording.ROLES


@dataclass(frozen=True)
class Entry:
    id: uuid.UUID
    occurred_at: datetime
    who: Who
    on_behalf_of: str | None  # a name; None when nobody, or when it was the reader
    on_behalf_of_you: bool
    what: str  # a msgid from wording.ACTIONS
    refused: bool
    purpose: str | None  # a msgid from wording.PURPOSES, for the coordinating unit's rows


def actor_key(person_id: uuid.UUID | None, employee_id: uuid.UUID | None) -> str | None:
    if employee_id is not None:
        return f"e:{employee_id}"
    if person_id is not None:
        return f"p:{person_id}"
    return None


def person_in_log(
    reader: Actor,
    person_id: uuid.UUID | None,
    employee_id: uuid.UUID | None,
    name: str | None,
    units: UnitsByEmployee,
) -> Who | None:
    """An entry of the filter's list of people; None for rows no person made."""
    key = actor_key(person_id, employee_id)
    if key is None:
        return None
    if is_reader(reader, person_id, employee_id):
        return Who(key, "you", None)
    if employee_id is not None:
        names = tuple(unit for unit, _kind in units.get(employee_id, []))
        return Who(key, "employee", name, names)
    return Who(key, "person", name)


def entry_of(reader: Actor, row: Any, units: UnitsByEmployee) -> Entry:
    """`row` is one result of service._entry_query()."""
    key = actor_key(row.actor_person_id, row.actor_employee_id)
    role = wording.role(row.actor_role)
    if is_reader(reader, row.actor_person_id, row.actor_employee_id):
        who = Who(key, "you", None, role=role)
    elif row.actor_employee_id is not None:
        # The unit recorded with the decision (a provider's), else where they work now.
        if row.unit_name is not None:
            names: tuple[str, ...] = (row.unit_name,)
        else:
            names = _unit_names(units.get(row.actor_employee_id, []), row.actor_role)
        if row.actor_role == Role.KE_STAFF and names:
            role = None  # "Koordinerende enhet, coordinating unit" says it twice
        who = Who(key, "employee", row.employee_name, names, role)
    elif row.actor_person_id is not None:
        who = Who(key, "person", full_name(row.person_given, row.person_family), role=role)
    else:
        who = Who(None, "system", None)
    behalf_id = row.on_behalf_of_person_id
    behalf_of_you = behalf_id is not None and behalf_id == reader.person_id
    behalf = None
    if behalf_id is not None and not behalf_of_you:
        behalf = full_name(row.behalf_given, row.behalf_family)
    return Entry(
        id=row.id,
        occurred_at=row.occurred_at,
        who=who,
        on_behalf_of=behalf,
        on_behalf_of_you=behalf_of_you,
        what=wording.what(row.action),
        refused=row.outcome in REFUSED,
        purpose=wording.purpose(row.actor_role, row.reason),
    )


def is_reader(reader: Actor, person_id: uuid.UUID | None, employee_id: uuid.UUID | None) -> bool:
    if employee_id is not None:
        return employee_id == reader.employee_id
    return person_id is not None and person_id == reader.person_id


def full_name(given: str | None, family: str | None) -> str:
    return " ".join(part for part in (given, family) if part).strip()


def _unit_names(units: Sequence[tuple[str, UnitKind]], actor_role: str | None) -> tuple[str, ...]:
    if actor_role == Role.KE_STAFF:
        coordinating = [name for name, kind in units if kind is UnitKind.COORDINATING_UNIT]
        if coordinating:
            return tuple(coordinating)
    return tuple(name for name, _kind in units)
