"""Why a login was refused. The reason goes to the audit log and a log line; people see a page."""

from __future__ import annotations

from app.errors import DomainError
from app.i18n import gettext_noop

LOGIN_FAILED = gettext_noop(
    "We could not log you in. Nothing was saved. Start the login again from the start page."
)
LOGIN_CANCELLED = gettext_noop("The login was cancelled. You can try again when you are ready.")
LEVEL_TOO_LOW = gettext_noop(
    "Samplan holds health information, so you must log in at level high, for example with "
    "BankID, Buypass or Commfides."
)
NO_IDENTITY_NUMBER = gettext_noop(
    "Samplan needs a Norwegian national identity number or D number. Your login did not "
    "include one."
)
UNKNOWN_EMPLOYEE = gettext_noop(
    "You logged in, but you are not registered as staff in Samplan. Ask the coordinating unit "
    "in your municipality to add you."
)
NOT_REGISTERED = gettext_noop(
    "We could not find you in this installation. Contact the coordinating unit in your "
    "municipality."
)
PROVIDER_UNAVAILABLE = gettext_noop("The login service did not answer. Try again in a few minutes.")


class LoginRefused(DomainError):
    """A login that must not create a session. `reason` is a stable code for logs and audit."""

    status = 400
    title = "Login refused"
    code = "login_refused"

    def __init__(self, reason: str, detail: str = LOGIN_FAILED, *, status: int = 400) -> None:
        super().__init__(detail, code="login_refused")
        self.reason = reason
        self.status = status  # type: ignore[misc]  # 403 for unknown staff, 502 for a dead IdP
