"""Every SQLAlchemy model, one module per aggregate, re-exported for Alembic and the services."""

from app.models.auth import AuditEvent, LoginAttempt, Realm, UserSession
from app.models.employee import Employee, UnitMembership
from app.models.municipality import Municipality, Unit, UnitKind
from app.models.person import Person
from app.models.plan import Plan, PlanStatus
from app.models.representation import PowerOfAttorney, RegisteredGuardianship

__all__ = [
    "AuditEvent",
    "LoginAttempt",
    "Realm",
    "UserSession",
    "Employee",
    "Municipality",
    "Person",
    "Plan",
    "PlanStatus",
    "PowerOfAttorney",
    "RegisteredGuardianship",
    "Unit",
    "UnitKind",
    "UnitMembership",
]
