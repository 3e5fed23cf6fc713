"""Names of the people, employees and units an item or a timeline entry mentions, in three
queries at most however many items there are (quality.md P8)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import Employee, Person, Unit


@dataclass(frozen=True)
class Names:
    people: dict[uuid.UUID, str] = field(default_factory=dict)
    employees: dict[uuid.UUID, str] = field(default_factory=dict)
    units: dict[uuid.UUID, str] = field(default_factory=dict)

    def person(self, person_id: uuid.UUID | None) -> str | None:
        return self.people.get(person_id) if person_id else None

    def employee(self, employee_id: uuid.UUID | None) -> str | None:
        return self.employees.get(employee_id) if employee_id else None

    def unit(self, unit_id: uuid.UUID | None) -> str | None:
        return self.units.get(unit_id) if unit_id else None

    def author(self, person_id: uuid.UUID | None, employee_id: uuid.UUID | None) -> str:
        return self.person(person_id) or self.employee(employee_id) or ""


def _ids(values: Iterable[uuid.UUID | None]) -> set[uuid.UUID]:
    return {value for value in values if value is not None}


async def load_names(
    session: AsyncSession,
    *,
    people: Iterable[uuid.UUID | None] = (),
    employees: Iterable[uuid.UUID | None] = (),
    units: Iterable[uuid.UUID | None] = (),
) -> Names:
    person_ids, employee_ids, unit_ids = _ids(people), _ids(employees), _ids(units)
    names = Names()
    if person_ids:
        rows = await session.execute(
            select(Person.id, Person.given_name, Person.family_name).where(
                Person.id.in_(person_ids)
            )
        )
        names.people.update({pid: f"{given} {family}" for pid, given, family in rows})
    if employee_ids:
        rows2 = await session.execute(
            select(Employee.id, Employee.name).where(Employee.id.in_(employee_ids))
        )
        names.employees.update((eid, name) for eid, name in rows2)
    if unit_ids:
        rows3 = await session.execute(select(Unit.id, Unit.name).where(Unit.id.in_(unit_ids)))
        names.units.update((uid, name) for uid, name in rows3)
    return names
