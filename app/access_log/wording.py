"""The access log in plain words (R-LOG-3): what each recorded action means to the owner.

Audit rows carry machine codes: the Permission values of app/access/permissions.py for access
decisions, and dotted names such as "grant.given" for consent changes. The owner never sees a
code: an action without a wording here is shown as "Used the plan".
"""

from __future__ import annotations

from app.access import Permission, Purpose, Role
from app.i18n import gettext_noop

USED_THE_PLAN = gettext_noop("Used the plan")

ACTIONS: dict[str, str] = {
    Permission.SEE_PLAN: gettext_noop("Opened the plan"),
    Permission.READ_LIFE_SITUATION: gettext_noop("Read the life situation"),
    Permission.WRITE_OWN_WORDS: gettext_noop("Wrote about the life situation or own view"),
    Permission.READ_GOALS_ACTIONS: gettext_noop("Read goals and actions"),
    Permission.READ_NOTES: gettext_noop("Read notes"),
    Permission.PROPOSE_GOAL: gettext_noop("Proposed a goal"),
    Permission.DECIDE_GOAL: gettext_noop("Accepted or declined a proposed goal"),
    Permission.CREATE_ACTION: gettext_noop("Added an action"),
    Permission.UPDATE_ACTION: gettext_noop("Updated an action"),
    Permission.COMMENT_ON_ACTION: gettext_noop("Commented on an action"),
    Permission.SHIELD_ITEM: gettext_noop("Hid something from the guardians"),
    Permission.READ_MESSAGES: gettext_noop("Read messages"),
    Permission.POST_MESSAGE: gettext_noop("Wrote a message"),
    Permission.INVITE_PARTICIPANT: gettext_noop("Invited someone to take part"),
    Permission.MANAGE_GRANTS: gettext_noop("Changed who has access"),
    Permission.RECORD_PAPER_CONSENT: gettext_noop("Registered a consent given on paper"),
    Permission.VERIFY_PAPER_CONSENT: gettext_noop("Checked a consent given on paper"),
    Permission.GRANT_YOUTH_ACCESS: gettext_noop("Changed whether the young person can log in"),
    Permission.CALL_MEETING: gettext_noop("Called a meeting"),
    Permission.READ_MINUTES: gettext_noop("Read meeting minutes"),
    Permission.APPROVE_MINUTES: gettext_noop("Approved meeting minutes"),
    Permission.UPLOAD_DOCUMENT: gettext_noop("Added a document"),
    Permission.READ_ACCESS_LOG: gettext_noop("Read the access log"),
    Permission.EXPORT: gettext_noop("Printed or exported the plan"),
    Permission.REQUEST_CLOSE: gettext_noop("Asked to close the plan"),
    Permission.CLOSE_PLAN: gettext_noop("Closed the plan"),
    "plan.listed": gettext_noop("Saw the plan in a list of plans"),
    "item.shielded": gettext_noop("Hid something from the guardians"),
    "item.unshielded": gettext_noop("Showed something to the guardians again"),
    # Consent changes, as app/consents/service.py records them (and their short forms).
    "grant.given": gettext_noop("Gave access to part of the plan"),
    "grant.give": gettext_noop("Gave access to part of the plan"),
    "grant.narrowed": gettext_noop("Narrowed someone's access"),
    "grant.narrow": gettext_noop("Narrowed someone's access"),
    "grant.extended": gettext_noop("Extended someone's access"),
    "grant.withdrawn": gettext_noop("Ended someone's access"),
    "grant.end": gettext_noop("Ended someone's access"),
    "grant.paper_recorded": gettext_noop("Registered a consent given on paper"),
    "grant.paper_verified": gettext_noop("Checked a consent given on paper"),
    "grant.confirmed": gettext_noop("Confirmed the access given by a guardian"),
    "participant.invited": gettext_noop("Invited someone to take part"),
    "participant.invite": gettext_noop("Invited someone to take part"),
    "participant.added": gettext_noop("Added someone to the plan"),
    "participant.left": gettext_noop("Someone stopped taking part"),
    "invitation.created": gettext_noop("Made an invitation link"),
    "invitation.revoked": gettext_noop("Cancelled an invitation link"),
    "invitation.accepted": gettext_noop("Accepted an invitation and joined"),
    "youth_access.given": gettext_noop("Let the young person log in and read the plan"),
    "youth_access.give": gettext_noop("Let the young person log in and read the plan"),
    "youth_access.ended": gettext_noop("Stopped the young person's own access"),
    "youth_access.end": gettext_noop("Stopped the young person's own access"),
}

# How the actor stood to the plan when access was decided (AuditEvent.actor_role).
ROLES: dict[str, str] = {
    Role.GUARDIAN_OF_CHILD: gettext_noop("guardian"),
    Role.GUARDIAN_OF_YOUTH: gettext_noop("guardian"),
    Role.REPRESENTATIVE: gettext_noop("power of attorney"),
    Role.RELATIVE: gettext_noop("family member or support person"),
    Role.PROVIDER: gettext_noop("service provider"),
    Role.COORDINATOR: gettext_noop("coordinator"),
    Role.KE_STAFF: gettext_noop("coordinating unit"),
}

# Why the coordinating unit looked (R-LOG-3: its maintenance reads are shown as such).
PURPOSES: dict[str, str] = {
    Purpose.AUDIT_DUTY: gettext_noop("As part of the coordinating unit's control duty"),
    Purpose.CASE: gettext_noop("While handling a case or application"),
    Purpose.ARCHIVE: gettext_noop("To keep the plan in the archive"),
}


def what(action: str) -> str:
    """The plain-words text (a msgid) for an audit action; never the code itself."""
    return ACTIONS.get(action, USED_THE_PLAN)


def role(actor_role: str | None) -> str | None:
    """The actor's role as a msgid, or None for the owner (and for roles nobody needs told)."""
    return ROLES.get(actor_role) if actor_role else None


def purpose(actor_role: str | None, reason: str | None) -> str | None:
    """The stated purpose of a coordinating-unit access, as a msgid; None for anyone else.

    Only the KE's rows: `reason` holds any purpose a caller passed, and an owner who passed
    one was not doing control work.
    """
    if actor_role != Role.KE_STAFF or reason is None:
        return None
    return PURPOSES.get(reason)
