"""One error vocabulary for every door (API, pages, websockets, jobs).

    DomainError              400  something the person can fix or be told about
    ├── NotAuthenticated     401  nobody is logged in (pages answer with the login page)
    ├── InvalidInput         422  the input breaks a rule (bad identity number, unknown language)
    ├── NotFound             404  does not exist, or the actor may not know that it exists
    ├── Forbidden            403  visible, but the actor may not do this
    ├── Conflict             409  the state changed (closed plan, stale version on a page)
    ├── PreconditionFailed   412  If-Match names a version that is no longer current
    ├── PreconditionRequired 428  a change without If-Match
    ├── TooLarge             413  the request body is over the limit
    └── TooManyRequests      429  slow down; `retry_after` seconds

Services raise these and never HTTPException. `app/api/problems.py` renders them as RFC 9457
problem details, `app/web/errors.py` as a page. `code` is a stable machine-readable key that
the pages translate; `detail` is plain English for API clients and operators and never carries
personal data (R-ID-3).
"""

from __future__ import annotations

from typing import ClassVar


class DomainError(Exception):
    status: ClassVar[int] = 400
    title: ClassVar[str] = "Bad request"
    code: ClassVar[str] = "bad_request"

    def __init__(self, detail: str, *, code: str | None = None, field: str | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        # A narrower key per instance, e.g. "unknown_language" within InvalidInput.
        self.error_code: str = code or self.code
        # The form field or JSON member at fault, so the form can mark it.
        self.field = field

    def extra(self) -> dict[str, object]:
        """Members added to the problem details (never personal data)."""
        return {"field": self.field} if self.field else {}


class NotAuthenticated(DomainError):
    status = 401
    title = "Not logged in"
    code = "not_authenticated"


class InvalidInput(DomainError):
    status = 422
    title = "Invalid input"
    code = "invalid_input"


class NotFound(DomainError):
    status = 404
    title = "Not found"
    code = "not_found"


class Forbidden(DomainError):
    status = 403
    title = "Forbidden"
    code = "forbidden"


class Conflict(DomainError):
    status = 409
    title = "Conflict"
    code = "conflict"


class StaleVersion(Conflict):
    """Someone saved the item since this person loaded it (R-SAFE-2)."""

    code = "stale_version"

    def __init__(self, detail: str, *, item_type: str, current_version: int) -> None:
        super().__init__(detail)
        self.item_type = item_type
        self.current_version = current_version

    def extra(self) -> dict[str, object]:
        return {"current_version": self.current_version}


class PreconditionFailed(DomainError):
    status = 412
    title = "Precondition failed"
    code = "precondition_failed"


class PreconditionRequired(DomainError):
    status = 428
    title = "Precondition required"
    code = "precondition_required"


class TooLarge(DomainError):
    status = 413
    title = "Content too large"
    code = "too_large"


class TooManyRequests(DomainError):
    status = 429
    title = "Too many requests"
    code = "too_many_requests"

    def __init__(self, detail: str, *, retry_after: int) -> None:
        super().__init__(detail)
        self.retry_after = retry_after
