"""Keyset positions in the access log: opaque to clients, checked when they come back."""

from __future__ import annotations

import base64
import binascii
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from app.errors import InvalidInput
from app.i18n import gettext_noop

INVALID_CURSOR = gettext_noop("That page link is not valid. Start again from the newest entries.")


@dataclass(frozen=True)
class Cursor:
    """The (occurred_at, id) of the last entry shown; base64url on the wire."""

    occurred_at: datetime
    id: uuid.UUID

    def encode(self) -> str:
        raw = f"{self.occurred_at.astimezone(UTC).isoformat()}|{self.id.hex}".encode("ascii")
        return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")

    @classmethod
    def decode(cls, text: str) -> Cursor:
        """Raises InvalidInput for anything encode() did not make."""
        try:
            raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode("ascii")
            moment, _, key = raw.partition("|")
            occurred_at = datetime.fromisoformat(moment)
            if occurred_at.tzinfo is None:
                raise ValueError("a cursor's time is always in UTC")
            return cls(occurred_at.astimezone(UTC), uuid.UUID(hex=key))
        except (ValueError, UnicodeError, binascii.Error):
            raise InvalidInput(INVALID_CURSOR, code="invalid_cursor") from None
