"""E-mail addresses and Norwegian mobile numbers, checked before anything is sent to them."""

from __future__ import annotations

import re

from app.errors import InvalidInput
from app.i18n import gettext_noop

MAX_EMAIL_LENGTH = 320
BAD_EMAIL = gettext_noop(
    "Write the e-mail address in the right format, for example navn@eksempel.no."
)
EMAIL_TOO_LONG = gettext_noop("The e-mail address can have at most 320 characters.")
BAD_PHONE = gettext_noop(
    "Write a Norwegian mobile number with 8 digits that starts with 4 or 9, for example 912 34 567."
)

# The rule browsers use for <input type="email">, with a dot required in the domain (mail to
# a bare host name never reaches a person). Domain labels may hold letters such as æøå.
_LOCAL = r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}"
_LABEL = r"[^\W_](?:[\w-]{0,61}[^\W_])?"
_EMAIL = re.compile(rf"{_LOCAL}@{_LABEL}(?:\.{_LABEL})+")
_PHONE = re.compile(r"(?:\+47|0047)?([49]\d{7})")


def parse_email(value: str, *, field: str = "email") -> str:
    """The address as typed, without surrounding spaces; InvalidInput if it cannot be one."""
    text = value.strip()
    if len(text) > MAX_EMAIL_LENGTH:
        raise InvalidInput(EMAIL_TOO_LONG, code="email_too_long", field=field)
    if not _EMAIL.fullmatch(text) or ".." in text:
        raise InvalidInput(BAD_EMAIL, code="bad_email", field=field)
    try:
        ascii_address(text)
    except UnicodeError:
        raise InvalidInput(BAD_EMAIL, code="bad_email", field=field) from None
    return text


def parse_phone(value: str, *, field: str = "phone") -> str:
    """A Norwegian mobile number as +47 and 8 digits; spaces and +47/0047 are allowed."""
    found = _PHONE.fullmatch(re.sub(r"\s+", "", value))
    if found is None:
        raise InvalidInput(BAD_PHONE, code="bad_phone", field=field)
    return f"+47{found.group(1)}"


def ascii_address(address: str) -> str:
    """The address an SMTP server accepts without SMTPUTF8: a domain with æøå in IDNA form."""
    local, _, domain = address.rpartition("@")
    return f"{local}@{domain.encode('idna').decode('ascii')}"
