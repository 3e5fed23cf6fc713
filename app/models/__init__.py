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
from app.models.draft import Draft
from app.models.employee import Employee, UnitMembership
from app.models.idempotency import IdempotentWrite
from app.models.municipality import Municipality, Unit, UnitKind
from app.models.person import Person
from app.models.plan import Plan, PlanStatus
from app.models.plan_content import (
    Action,
    ActionGoal,
    ActionStatus,
    Contribution,
    Contributor,
    Cooperation,
    Goal,
    GoalReview,
    GoalStatus,
    LifeSituation,
    NoteKind,
    ProgressNote,
    ReviewAssessment,
    SubPlanKind,
    SubPlanLink,
)
from app.models.representation import PowerOfAttorney, RegisteredGuardianship
from app.models.timeline import PlanVisit, TimelineEntry

__all__ = [
    "Draft",
    "IdempotentWrite",
    "Action",
    "ActionGoal",
    "ActionStatus",
    "Contribution",
    "Contributor",
    "Cooperation",
    "Goal",
    "GoalReview",
    "GoalStatus",
    "LifeSituation",
    "NoteKind",
    "ProgressNote",
    "ReviewAssessment",
    "SubPlanKind",
    "SubPlanLink",
    "PlanVisit",
    "TimelineEntry",
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
