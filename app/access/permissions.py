"""What each kind of participant may do: the table of docs/spec/access.md, as data.

Each permission maps roles to a rule; a role that is not listed is denied. The rules are
evaluated by the pure functions in app/access/rules.py. Keep this file and access.md in step:
tests/access/test_matrix.py walks every row of both.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from app.models import GrantMode, PlanPart


class Role(StrEnum):
    """How an actor stands to one plan (or person); an actor may hold several at once."""

    OWNER = "owner"  # the plan owner, 16 or older
    YOUTH_OWNER = "youth_owner"  # the owner, 13-15, with youth access (R-AGE-3)
    GUARDIAN_OF_CHILD = "guardian_of_child"  # the owner is under 12 (R-AGE-1)
    GUARDIAN_OF_YOUTH = "guardian_of_youth"  # the owner is 12-15 (R-AGE-2)
    REPRESENTATIVE = "representative"  # holds the owner's verified fullmakt (R-REP-1)
    RELATIVE = "relative"  # a relative or support person with grants
    PROVIDER = "provider"  # an employee taking part for a unit, with grants
    COORDINATOR = "coordinator"
    KE_STAFF = "ke_staff"  # staff of the coordinating unit (koordinerende enhet)
    OTHER_EMPLOYEE = "other_employee"


class Purpose(StrEnum):
    """Why the coordinating unit reads what it otherwise may not; logged with the decision."""

    CASE = "case"  # handling an application or a case about this person
    AUDIT_DUTY = "audit_duty"  # checking the access log as part of its control duty
    ARCHIVE = "archive"  # exporting to the archive


class Permission(StrEnum):
    SEE_PLAN = "see_plan"
    READ_LIFE_SITUATION = "read_life_situation"
    WRITE_OWN_WORDS = "write_own_words"
    READ_GOALS_ACTIONS = "read_goals_actions"
    READ_NOTES = "read_notes"
    PROPOSE_GOAL = "propose_goal"
    DECIDE_GOAL = "decide_goal"
    REVIEW_GOAL = "review_goal"
    WRITE_CONTRIBUTION = "write_contribution"
    EDIT_PLAN_FRAME = "edit_plan_frame"
    CLOSE_THREAD = "close_thread"
    ADD_THREAD_MEMBER = "add_thread_member"
    CREATE_ACTION = "create_action"
    UPDATE_ACTION = "update_action"
    COMMENT_ON_ACTION = "comment_on_action"
    SHIELD_ITEM = "shield_item"
    READ_MESSAGES = "read_messages"
    POST_MESSAGE = "post_message"
    INVITE_PARTICIPANT = "invite_participant"
    MANAGE_GRANTS = "manage_grants"
    RECORD_PAPER_CONSENT = "record_paper_consent"
    VERIFY_PAPER_CONSENT = "verify_paper_consent"
    GRANT_YOUTH_ACCESS = "grant_youth_access"
    CALL_MEETING = "call_meeting"
    READ_MINUTES = "read_minutes"
    APPROVE_MINUTES = "approve_minutes"
    UPLOAD_DOCUMENT = "upload_document"
    READ_ACCESS_LOG = "read_access_log"
    EXPORT = "export"
    REQUEST_CLOSE = "request_close"
    CLOSE_PLAN = "close_plan"
    # About a person rather than a plan (app/access/decisions.py: require_for_person).
    APPLY = "apply"
    REPORT_NEED = "report_need"
    REGISTER_PAPER_APPLICATION = "register_paper_application"
    MANAGE_POWERS_OF_ATTORNEY = "manage_powers_of_attorney"
    # About a municipality (require_in_municipality).
    DECIDE_CASE = "decide_case"
    KEEP_REGISTERS = "keep_registers"
    VERIFY_POWER_OF_ATTORNEY = "verify_power_of_attorney"


@dataclass(frozen=True)
class Allow:
    """✓ in access.md."""


@dataclass(frozen=True)
class ByGrant:
    """G r / G w: within a grant in force that covers the part (R-CON-2)."""

    mode: GrantMode
    own_unit: bool = False  # the item's responsible unit is one the employee takes part for
    member: bool = False  # the actor is a member of the item (a thread)
    own_words: bool = False  # the actor wrote the item, and it speaks for no unit


@dataclass(frozen=True)
class ByScope:
    """A representative: what the owner may do, within the fullmakt (R-REP-2)."""

    needs_consent_power: bool = False  # "only if the fullmakt says so"


@dataclass(frozen=True)
class ForPurpose:
    """The coordinating unit's reads and writes that need a stated reason, logged with it."""

    purpose: Purpose


@dataclass(frozen=True)
class MeantForOwner:
    """Only items addressed to the owner (the threads a 13-15-year-old is part of)."""


Rule = Allow | ByGrant | ByScope | ForPurpose | MeantForOwner

# R-CON-4: consent given in the portal is given at ID-porten level high. A citizen logged in at
# a lower level (an installation may allow that for reading) cannot change consent.
CONSENT_LEVEL = "idporten-loa-high"
NEEDS_CONSENT_LEVEL = frozenset(
    {
        Permission.MANAGE_GRANTS,
        Permission.GRANT_YOUTH_ACCESS,
        Permission.MANAGE_POWERS_OF_ATTORNEY,
    }
)

ALLOW = Allow()
READ = ByGrant(GrantMode.READ)
WRITE = ByGrant(GrantMode.WRITE)
SCOPE = ByScope()

# The part of the plan each permission touches, and whether it changes anything (a
# representative whose fullmakt only lets them read is refused every writing permission).
PART: dict[Permission, PlanPart | None] = {
    Permission.SEE_PLAN: None,
    Permission.READ_LIFE_SITUATION: PlanPart.LIFE_SITUATION,
    Permission.WRITE_OWN_WORDS: PlanPart.LIFE_SITUATION,
    Permission.READ_GOALS_ACTIONS: PlanPart.GOALS_ACTIONS,
    Permission.READ_NOTES: PlanPart.NOTES,
    Permission.PROPOSE_GOAL: PlanPart.GOALS_ACTIONS,
    Permission.DECIDE_GOAL: PlanPart.GOALS_ACTIONS,
    Permission.REVIEW_GOAL: PlanPart.GOALS_ACTIONS,
    Permission.WRITE_CONTRIBUTION: PlanPart.GOALS_ACTIONS,
    Permission.CREATE_ACTION: PlanPart.GOALS_ACTIONS,
    Permission.UPDATE_ACTION: PlanPart.GOALS_ACTIONS,
    Permission.COMMENT_ON_ACTION: PlanPart.GOALS_ACTIONS,
    Permission.READ_MESSAGES: PlanPart.MESSAGES,
    Permission.POST_MESSAGE: PlanPart.MESSAGES,
    Permission.CLOSE_THREAD: PlanPart.MESSAGES,
    Permission.ADD_THREAD_MEMBER: PlanPart.MESSAGES,
    Permission.READ_MINUTES: PlanPart.MEETINGS,
    Permission.APPROVE_MINUTES: PlanPart.MEETINGS,
    Permission.CALL_MEETING: PlanPart.MEETINGS,
    Permission.UPLOAD_DOCUMENT: PlanPart.DOCUMENTS,
}
WRITES = frozenset(
    {
        Permission.WRITE_OWN_WORDS,
        Permission.PROPOSE_GOAL,
        Permission.DECIDE_GOAL,
        Permission.REVIEW_GOAL,
        Permission.WRITE_CONTRIBUTION,
        Permission.EDIT_PLAN_FRAME,
        Permission.CLOSE_THREAD,
        Permission.ADD_THREAD_MEMBER,
        Permission.CREATE_ACTION,
        Permission.UPDATE_ACTION,
        Permission.COMMENT_ON_ACTION,
        Permission.SHIELD_ITEM,
        Permission.POST_MESSAGE,
        Permission.INVITE_PARTICIPANT,
        Permission.MANAGE_GRANTS,
        Permission.GRANT_YOUTH_ACCESS,
        Permission.APPROVE_MINUTES,
        Permission.UPLOAD_DOCUMENT,
        Permission.REQUEST_CLOSE,
        Permission.APPLY,
        Permission.MANAGE_POWERS_OF_ATTORNEY,
    }
)

R = Role
_GUARDIANS = {R.GUARDIAN_OF_CHILD: ALLOW, R.GUARDIAN_OF_YOUTH: ALLOW}

# fmt: off
# access.md, row by row. Shielded items are hidden from guardians of 12-15-year-olds by
# app/access/rules.py for every permission, which is what "✓ unless shielded" asks.
TABLE: dict[Permission, dict[Role, Rule]] = {
    Permission.SEE_PLAN: {
        R.OWNER: ALLOW, R.YOUTH_OWNER: ALLOW, **_GUARDIANS, R.REPRESENTATIVE: SCOPE,
        R.RELATIVE: READ, R.PROVIDER: READ, R.COORDINATOR: ALLOW, R.KE_STAFF: ALLOW,
    },
    Permission.READ_LIFE_SITUATION: {
        R.OWNER: ALLOW, R.YOUTH_OWNER: ALLOW, **_GUARDIANS, R.REPRESENTATIVE: SCOPE,
        R.RELATIVE: READ, R.PROVIDER: READ, R.COORDINATOR: ALLOW,
        R.KE_STAFF: ForPurpose(Purpose.CASE),
    },
    Permission.WRITE_OWN_WORDS: {
        R.OWNER: ALLOW, R.YOUTH_OWNER: ALLOW, **_GUARDIANS, R.REPRESENTATIVE: SCOPE,
        R.COORDINATOR: ALLOW,
    },
    Permission.READ_GOALS_ACTIONS: {
        R.OWNER: ALLOW, R.YOUTH_OWNER: ALLOW, **_GUARDIANS, R.REPRESENTATIVE: SCOPE,
        R.RELATIVE: READ, R.PROVIDER: READ, R.COORDINATOR: ALLOW,
        R.KE_STAFF: ForPurpose(Purpose.CASE),
    },
    Permission.READ_NOTES: {
        R.OWNER: ALLOW, R.YOUTH_OWNER: ALLOW, **_GUARDIANS, R.REPRESENTATIVE: SCOPE,
        R.RELATIVE: READ, R.PROVIDER: READ, R.COORDINATOR: ALLOW,
        R.KE_STAFF: ForPurpose(Purpose.CASE),
    },
    Permission.PROPOSE_GOAL: {
        R.OWNER: ALLOW, R.YOUTH_OWNER: ALLOW, **_GUARDIANS, R.REPRESENTATIVE: SCOPE,
        R.RELATIVE: WRITE, R.PROVIDER: WRITE, R.COORDINATOR: ALLOW,
    },
    Permission.DECIDE_GOAL: {
        R.OWNER: ALLOW, **_GUARDIANS, R.REPRESENTATIVE: SCOPE,
    },
    # Not rows of access.md (tests/access/test_matrix.py says where each comes from).
    Permission.REVIEW_GOAL: {
        R.OWNER: ALLOW, R.YOUTH_OWNER: ALLOW, **_GUARDIANS, R.REPRESENTATIVE: SCOPE,
        R.RELATIVE: WRITE, R.PROVIDER: WRITE, R.COORDINATOR: ALLOW,
    },
    # A service speaks for itself and a relative for themselves; the owner's side and the
    # coordinator keep the whole list.
    Permission.WRITE_CONTRIBUTION: {
        R.OWNER: ALLOW, R.YOUTH_OWNER: ALLOW, **_GUARDIANS, R.REPRESENTATIVE: SCOPE,
        R.RELATIVE: ByGrant(GrantMode.WRITE, own_words=True),
        R.PROVIDER: ByGrant(GrantMode.WRITE, own_unit=True), R.COORDINATOR: ALLOW,
    },
    Permission.EDIT_PLAN_FRAME: {R.COORDINATOR: ALLOW},
    Permission.CLOSE_THREAD: {R.COORDINATOR: ALLOW},
    Permission.ADD_THREAD_MEMBER: {
        R.OWNER: ALLOW, **_GUARDIANS, R.REPRESENTATIVE: SCOPE, R.COORDINATOR: ALLOW,
    },
    Permission.CREATE_ACTION: {
        R.PROVIDER: ByGrant(GrantMode.WRITE, own_unit=True), R.COORDINATOR: ALLOW,
    },
    Permission.UPDATE_ACTION: {
        R.PROVIDER: ByGrant(GrantMode.WRITE, own_unit=True), R.COORDINATOR: ALLOW,
    },
    Permission.COMMENT_ON_ACTION: {
        R.OWNER: ALLOW, R.YOUTH_OWNER: ALLOW, **_GUARDIANS, R.REPRESENTATIVE: SCOPE,
        R.PROVIDER: ByGrant(GrantMode.WRITE, own_unit=True), R.COORDINATOR: ALLOW,
    },
    Permission.SHIELD_ITEM: {
        R.YOUTH_OWNER: ALLOW, R.COORDINATOR: ALLOW,
    },
    Permission.READ_MESSAGES: {
        R.OWNER: ALLOW, R.YOUTH_OWNER: MeantForOwner(), **_GUARDIANS, R.REPRESENTATIVE: SCOPE,
        R.RELATIVE: ByGrant(GrantMode.READ, member=True),
        R.PROVIDER: ByGrant(GrantMode.READ, member=True), R.COORDINATOR: ALLOW,
    },
    Permission.POST_MESSAGE: {
        R.OWNER: ALLOW, R.YOUTH_OWNER: MeantForOwner(), **_GUARDIANS, R.REPRESENTATIVE: SCOPE,
        R.RELATIVE: ByGrant(GrantMode.WRITE, member=True),
        R.PROVIDER: ByGrant(GrantMode.WRITE, member=True), R.COORDINATOR: ALLOW,
    },
    Permission.INVITE_PARTICIPANT: {
        R.OWNER: ALLOW, **_GUARDIANS, R.REPRESENTATIVE: SCOPE, R.COORDINATOR: ALLOW,
    },
    Permission.MANAGE_GRANTS: {
        R.OWNER: ALLOW, **_GUARDIANS, R.REPRESENTATIVE: ByScope(needs_consent_power=True),
    },
    Permission.RECORD_PAPER_CONSENT: {R.COORDINATOR: ALLOW, R.KE_STAFF: ALLOW},
    Permission.VERIFY_PAPER_CONSENT: {R.COORDINATOR: ALLOW, R.KE_STAFF: ALLOW},
    Permission.GRANT_YOUTH_ACCESS: {R.GUARDIAN_OF_YOUTH: ALLOW},
    Permission.CALL_MEETING: {R.COORDINATOR: ALLOW},
    Permission.READ_MINUTES: {
        R.OWNER: ALLOW, R.YOUTH_OWNER: ALLOW, **_GUARDIANS, R.REPRESENTATIVE: SCOPE,
        R.RELATIVE: READ, R.PROVIDER: ByGrant(GrantMode.READ, member=True), R.COORDINATOR: ALLOW,
    },
    Permission.APPROVE_MINUTES: {
        R.OWNER: ALLOW, R.YOUTH_OWNER: ALLOW, **_GUARDIANS, R.REPRESENTATIVE: SCOPE,
        R.RELATIVE: READ, R.PROVIDER: ByGrant(GrantMode.READ, member=True), R.COORDINATOR: ALLOW,
    },
    Permission.UPLOAD_DOCUMENT: {
        R.OWNER: ALLOW, **_GUARDIANS, R.REPRESENTATIVE: SCOPE, R.PROVIDER: WRITE,
        R.COORDINATOR: ALLOW, R.KE_STAFF: ForPurpose(Purpose.CASE),
    },
    Permission.READ_ACCESS_LOG: {
        R.OWNER: ALLOW, R.YOUTH_OWNER: ALLOW, **_GUARDIANS, R.REPRESENTATIVE: SCOPE,
        R.KE_STAFF: ForPurpose(Purpose.AUDIT_DUTY),
    },
    Permission.EXPORT: {
        R.OWNER: ALLOW, R.YOUTH_OWNER: ALLOW, **_GUARDIANS, R.REPRESENTATIVE: SCOPE,
        R.COORDINATOR: ALLOW, R.KE_STAFF: ForPurpose(Purpose.ARCHIVE),
    },
    Permission.REQUEST_CLOSE: {R.OWNER: ALLOW, **_GUARDIANS, R.REPRESENTATIVE: SCOPE},
    Permission.CLOSE_PLAN: {R.KE_STAFF: ALLOW},
    Permission.APPLY: {R.OWNER: ALLOW, **_GUARDIANS, R.REPRESENTATIVE: SCOPE},
    Permission.REPORT_NEED: {
        R.PROVIDER: ALLOW, R.COORDINATOR: ALLOW, R.OTHER_EMPLOYEE: ALLOW,
    },
    Permission.REGISTER_PAPER_APPLICATION: {R.KE_STAFF: ALLOW},
    Permission.MANAGE_POWERS_OF_ATTORNEY: {R.OWNER: ALLOW, R.REPRESENTATIVE: ALLOW},
    Permission.DECIDE_CASE: {R.KE_STAFF: ALLOW},
    Permission.KEEP_REGISTERS: {R.KE_STAFF: ALLOW},
    Permission.VERIFY_POWER_OF_ATTORNEY: {R.KE_STAFF: ALLOW},
}
# fmt: on
