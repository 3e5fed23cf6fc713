"""HTTP's own tools for safe changes, shared by the plan routes (R-SAFE-2, R-SAFE-3).

Versions: every item's ETag is `"<version>"`. A change names the version it started from in
If-Match; none is 428, one the server has moved past is 412 with `current_version`. For the
owner's words, which may not exist yet, `If-Match: "0"` means "I started from no words".

Retries: a create with an Idempotency-Key is stored once per person and key; a retry gets the
first answer again, and the same key with another body is refused (422).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import Annotated, Any

from fastapi import Depends, Header, Request
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.exc import StaleDataError
from starlette.responses import JSONResponse, Response

from app.access import Actor
from app.clock import Clock
from app.errors import PreconditionFailed, PreconditionRequired, StaleVersion
from app.i18n import gettext_noop
from app.idempotency import service as idempotency
from app.plan_items import versions

IF_MATCH_MISSING = gettext_noop(
    "Say which version you are changing: send the ETag you read in an If-Match header."
)
IF_MATCH_UNREADABLE = gettext_noop('The If-Match header must name one version, such as "3".')
PLAN = "/plans/{plan_id}"
# One strong entity tag holding a version number; the quotes are forgiven.
_VERSION_TAG = re.compile(r'"([0-9]{1,9})"|([0-9]{1,9})', re.ASCII)


class VersionMoved(PreconditionFailed):
    """The If-Match version is no longer current: someone saved in between (R-SAFE-2)."""

    code = "stale_version"

    def __init__(self, detail: str, *, current_version: int | None) -> None:
        super().__init__(detail)
        self.current_version = current_version

    def extra(self) -> dict[str, object]:
        if self.current_version is None:
            return super().extra()
        return {**super().extra(), "current_version": self.current_version}


def _seen_version(if_match: Annotated[str | None, Header(alias="If-Match")] = None) -> int:
    if if_match is None or not if_match.strip():
        raise PreconditionRequired(IF_MATCH_MISSING)
    found = _VERSION_TAG.fullmatch(if_match.strip())
    if found is None:
        raise PreconditionFailed(IF_MATCH_UNREADABLE, code="bad_if_match")
    return int(found.group(1) or found.group(2))


def _idempotency_key(
    key: Annotated[str | None, Header(alias="Idempotency-Key")] = None,
) -> str | None:
    return key


# The version named in If-Match (required), and the optional key that makes a create safe to
# send again.
SeenVersion = Annotated[int, Depends(_seen_version)]
IdempotencyKey = Annotated[str | None, Depends(_idempotency_key)]


def etag(version: int) -> str:
    return f'"{version}"'


def tagged(response: Response, version: int) -> None:
    response.headers["ETag"] = etag(version)


@contextmanager
def version_checked() -> Iterator[None]:
    """Around a service call that compares versions: its 409 is this API's 412."""
    try:
        yield
    except StaleVersion as error:
        raise VersionMoved(error.detail, current_version=error.current_version) from None
    except StaleDataError:
        # Two saves of the same version at the same moment both passed the service's check;
        # the database let one through. The other is the same conflict, version unknown.
        raise VersionMoved(versions.STALE, current_version=None) from None


def _fingerprint(body: BaseModel) -> str:
    return hashlib.sha256(body.model_dump_json().encode()).hexdigest()


async def create_once(
    request: Request,
    session: AsyncSession,
    actor: Actor,
    key: str | None,
    body: BaseModel,
    write: Callable[[], Awaitable[BaseModel]],
    *,
    location: Callable[[str], str],
    clock: Clock,
) -> JSONResponse:
    """Run a create at most once per Idempotency-Key: 201 with the item, its ETag and Location,
    the same the first time and on every retry. `write` returns the created item's `...Out`;
    `location` turns its id into the path of the item."""
    # The parsed body, not its bytes: the same request with other spacing is the same request.
    request_string = f"POST {request.url.path} {_fingerprint(body)}"

    async def run() -> tuple[int, dict[str, Any]]:
        created = await write()
        return 201, created.model_dump(mode="json")

    outcome = await idempotency.once(session, actor, key, request_string, run, clock=clock)
    result = outcome.result
    headers = {"ETag": etag(int(result["version"])), "Location": location(str(result["id"]))}
    return JSONResponse(result, status_code=outcome.status, headers=headers)
