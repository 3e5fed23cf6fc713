"""app/notifications/addresses.py: e-mail addresses and Norwegian mobile numbers."""

from __future__ import annotations

import pytest

from app.errors import InvalidInput
from app.notifications.addresses import ascii_address, parse_email, parse_phone


@pytest.mark.parametrize(
    "typed",
    [
        "per@example.no",
        "  per.mikkelsen+samplan@post.kommune.no ",
        "o'hara@example.co.uk",
        "kari@blåbær.no",
    ],
)
def test_addresses_people_use_are_accepted(typed: str) -> None:
    assert parse_email(typed) == typed.strip()


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("per", "bad_email"),
        ("per@localhost", "bad_email"),
        ("per@@example.no", "bad_email"),
        ("per@example..no", "bad_email"),
        ("per..m@example.no", "bad_email"),
        ("per mikkelsen@example.no", "bad_email"),
        ("per@-example.no", "bad_email"),
        ("per@example.no\nBcc: x@example.no", "bad_email"),
        ("a" * 65 + "@example.no", "bad_email"),
        ("p@" + "a" * 330 + ".no", "email_too_long"),
    ],
)
def test_what_cannot_be_an_address_is_refused_with_the_field_named(typed: str, code: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_email(typed)
    assert refused.value.error_code == code and refused.value.field == "email"


def test_a_domain_with_norwegian_letters_is_sent_in_its_ascii_form() -> None:
    assert ascii_address("kari@blåbær.no") == "kari@xn--blbr-roah.no"
    assert ascii_address("kari@example.no") == "kari@example.no"


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("91234567", "+4791234567"),
        ("912 34 567", "+4791234567"),
        ("+47 412 34 567", "+4741234567"),
        ("0047 91 23 45 67", "+4791234567"),
    ],
)
def test_norwegian_mobile_numbers_are_stored_with_the_country_code(typed: str, stored: str) -> None:
    assert parse_phone(typed) == stored


@pytest.mark.parametrize(
    "typed", ["22 33 44 55", "9123456", "912345678", "+46 912 34 567", "91-23-45-67", "abc"]
)
def test_other_numbers_are_refused(typed: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_phone(typed)
    assert refused.value.error_code == "bad_phone" and refused.value.field == "phone"
