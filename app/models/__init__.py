"""Every SQLAlchemy model, one module per aggregate, re-exported for Alembic and the services."""

from app.models.auth import AuditChainHead, AuditEvent, LoginAttempt, Realm, UserSession
from app.models.consent import (
    ConsentMethod,
    Grant,
    GrantMode,
    Invitation,
    Participant,
    ParticipantKind,
    PlanPart,
    ShieldedItem,
    YouthAccess,
)
from app.models.document import Document, DocumentKind
from app.models.employee import Employee, UnitMembership
from app.models.municipality import Municipality, Unit, UnitKind
from app.models.person import Person
from app.models.plan import Plan, PlanStatus
from app.models.representation import PowerOfAttorney, RegisteredGuardianship

__all__ = [
    "AuditChainHead",
    "AuditEvent",
    "LoginAttempt",
    "Realm",
    "UserSession",
    "ConsentMethod",
    "Document",
    "DocumentKind",
    "Employee",
    "Grant",
    "GrantMode",
    "Invitation",
    "Participant",
    "ParticipantKind",
    "PlanPart",
    "ShieldedItem",
    "YouthAccess",
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
