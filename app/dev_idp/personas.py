"""Who can log in at the test login: the people and staff in the database, or a typed number.

Citizens are shown by name and age only. Their identity number is decrypted from the vault
only when one is chosen, and then goes nowhere but into the code and the tokens (R-ID-3).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.dev_idp.state import Subject
from app.errors import NotFound
from app.i18n import gettext_noop
from app.models import Employee, Person
from app.people.identity_numbers import (
    InvalidIdentityNumber,
    age_or_zero,
    parse_identity_number,
)
from app.people.pid_vault import PidVault

UNKNOWN_PERSON = gettext_noop("That test person is no longer in the database. Choose another.")
UNKNOWN_EMPLOYEE = gettext_noop("That test employee is not available here. Choose another.")
# Only TestID-style numbers: a real person's number must never enter a development system.
REAL_NUMBER = gettext_noop(
    "Only synthetic test numbers work here: numbers where 80 is added to the birth month. "
    "Never type a real person's identity number."
)


class TypedNumberRefused(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message  # a msgid, translated on the page; never holds the number


@dataclass(frozen=True)
class CitizenChoice:
    id: uuid.UUID
    name: str
    age: int


@dataclass(frozen=True)
class EmployeeChoice:
    id: uuid.UUID
    name: str
    title: str


async def citizen_choices(session: AsyncSession, *, today: date) -> list[CitizenChoice]:
    people = await session.scalars(select(Person).order_by(Person.family_name, Person.given_name))
    return [
        CitizenChoice(person.id, person.display_name, age_or_zero(person.birth_date, today))
        for person in people
    ]


async def employee_choices(session: AsyncSession, *, issuer: str) -> list[EmployeeChoice]:
    employees = await session.scalars(
        select(Employee)
        .where(Employee.idp_issuer == issuer, Employee.idp_subject.is_not(None))
        .order_by(Employee.name)
    )
    return [EmployeeChoice(employee.id, employee.name, employee.title) for employee in employees]


async def citizen_subject(session: AsyncSession, person_id: str, *, vault: PidVault) -> Subject:
    person = await session.get(Person, _uuid(person_id, UNKNOWN_PERSON))
    if person is None:
        raise NotFound(UNKNOWN_PERSON)
    return Subject(pid=vault.decrypt(person.pid_encrypted))


async def employee_subject(session: AsyncSession, employee_id: str, *, issuer: str) -> Subject:
    employee = await session.get(Employee, _uuid(employee_id, UNKNOWN_EMPLOYEE))
    if employee is None or employee.idp_issuer != issuer or employee.idp_subject is None:
        raise NotFound(UNKNOWN_EMPLOYEE)
    return Subject(
        employee_subject=employee.idp_subject,
        name=employee.name,
        hpr_number=employee.hpr_number,
    )


def typed_subject(raw: str) -> Subject:
    """A typed synthetic number; raises TypedNumberRefused with a message per InvalidReason."""
    try:
        number = parse_identity_number(raw, allow_synthetic=True)
    except InvalidIdentityNumber as error:
        # The detail is the reason's fixed sentence (already a msgid), never the number.
        raise TypedNumberRefused(error.detail) from None
    if not number.synthetic:
        raise TypedNumberRefused(REAL_NUMBER)
    return Subject(pid=number.value)


def _uuid(value: str, message: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError:
        raise NotFound(message) from None
