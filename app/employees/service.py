"""Staff of a municipality and the units they work in."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.clock import Clock
from app.models import Employee, Municipality, Unit, UnitMembership


async def ensure_employee(
    session: AsyncSession,
    municipality: Municipality,
    *,
    email: str,
    name: str,
    title: str,
    trained_coordinator: bool = False,
    clock: Clock,
) -> Employee:
    """Find the employee by work e-mail within the municipality, or add them."""
    employee = await session.scalar(
        select(Employee).where(Employee.municipality_id == municipality.id, Employee.email == email)
    )
    if employee is None:
        employee = Employee(
            municipality_id=municipality.id,
            email=email,
            name=name,
            title=title,
            trained_coordinator=trained_coordinator,
            created_at=clock.now(),
        )
        session.add(employee)
        await session.flush()
    return employee


async def ensure_membership(
    session: AsyncSession, employee: Employee, unit: Unit, *, clock: Clock
) -> UnitMembership:
    if employee.municipality_id != unit.municipality_id:
        raise ValueError("an employee can only work in units of their own municipality")
    membership = await session.scalar(
        select(UnitMembership).where(
            UnitMembership.employee_id == employee.id, UnitMembership.unit_id == unit.id
        )
    )
    if membership is None:
        membership = UnitMembership(
            employee_id=employee.id, unit_id=unit.id, created_at=clock.now()
        )
        session.add(membership)
        await session.flush()
    return membership


async def staff_by_unit(
    session: AsyncSession, municipality_id: uuid.UUID
) -> Sequence[tuple[Employee, Unit]]:
    """Every employee of the municipality with each unit they work in, for choosing a service."""
    rows = await session.execute(
        select(Employee, Unit)
        .join(UnitMembership, UnitMembership.employee_id == Employee.id)
        .join(Unit, Unit.id == UnitMembership.unit_id)
        .where(Employee.municipality_id == municipality_id, Unit.municipality_id == municipality_id)
        .order_by(Unit.name, Employee.name)
    )
    return [(employee, unit) for employee, unit in rows]
