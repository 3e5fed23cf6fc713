"""Norwegian national identity numbers: fødselsnummer, D-number, synthetic test numbers (R-ID).

Layout is `DDMMYY III K1 K2` (research/oidc.md § 2). Variants are recognised by offsets:
D-number day + 40, synthetic (TestID/Tenor) month + 80, help number (H-number) month + 40.

Birth date caveat (R-ID-4): `IdentityNumber.birth_date` is only what the digits suggest and is
used in development and tests. Production takes the birth date from Folkeregisteret, because
D-numbers issued since 2021 and numbers issued from 2032 no longer encode the century (and the
latter not even reliably the birth date), so the century table below can be wrong for them.

The value never goes into a log line, an error message, repr or str (R-ID-3).
"""

from __future__ import annotations

import calendar
import functools
import re
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from app.errors import InvalidInput
from app.i18n import gettext_noop

_K1_WEIGHTS = (3, 7, 6, 1, 8, 9, 4, 5, 2)
_K2_WEIGHTS = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)
# The 2032 rule: the weighted sum over the first ten digits (K1 with weight 1) may leave these
# remainders. Before 2032 only 0 was issued; validators must accept all four already (R-ID-1).
_K1_REMAINDERS = frozenset({0, 1, 2, 3})
# ASCII only: str.isdigit() would let through Arabic-Indic or superscript digits.
_ELEVEN_DIGITS = re.compile(r"[0-9]{11}")
_MASK = "*" * 11


class IdentityNumberKind(StrEnum):
    FODSELSNUMMER = "fodselsnummer"
    D_NUMBER = "d_number"


class InvalidReason(StrEnum):
    FORMAT = "format"
    CHECKSUM = "checksum"
    DATE = "date"
    SYNTHETIC_NOT_ALLOWED = "synthetic_not_allowed"
    H_NUMBER = "h_number"


# Fixed sentences: the detail reaches API clients and logs, so it must never carry the number.
_DETAILS = {
    InvalidReason.FORMAT: gettext_noop("An identity number is exactly 11 digits."),
    InvalidReason.CHECKSUM: gettext_noop("The control digits of the identity number are wrong."),
    InvalidReason.DATE: gettext_noop("The identity number does not contain a valid birth date."),
    InvalidReason.SYNTHETIC_NOT_ALLOWED: gettext_noop(
        "Synthetic test identity numbers are not accepted here."
    ),
    InvalidReason.H_NUMBER: gettext_noop("Help numbers (H-numbers) are not accepted."),
}


class InvalidIdentityNumber(InvalidInput):
    code = "invalid_identity_number"

    def __init__(self, reason: InvalidReason) -> None:
        super().__init__(_DETAILS[reason])
        self.reason = reason


@dataclass(frozen=True, repr=False)
class IdentityNumber:
    value: str = field(repr=False)
    kind: IdentityNumberKind
    synthetic: bool
    birth_date: date  # derived from the digits: development and tests only (R-ID-4)

    def __repr__(self) -> str:
        origin = "synthetic" if self.synthetic else "real"
        return f"IdentityNumber({self.kind.value}, {origin}, {_MASK})"

    __str__ = __repr__


def _k1_sum(digits: str) -> int:
    return sum(int(d) * w for d, w in zip(digits, _K1_WEIGHTS, strict=False))


def _k2_sum(digits: str) -> int:
    return sum(int(d) * w for d, w in zip(digits, _K2_WEIGHTS, strict=False))


def _classic_control_digit(weighted_sum: int) -> int | None:
    """11 − (sum mod 11), where 11 becomes 0; 10 has no digit, so the stem is unusable."""
    digit = (11 - weighted_sum % 11) % 11
    return None if digit == 10 else digit


def _century(individual: int, yy: int) -> int | None:
    """The regulation's table (oidc.md § 2); None where no series was ever issued."""
    if individual <= 499:
        return 1900
    if individual >= 900 and yy >= 40:
        return 1900
    if yy <= 39:  # 500–999
        return 2000
    if individual <= 749 and yy >= 54:
        return 1800
    return None  # 500–749 with 40–53, 750–899 with 40–99


def _candidate_years(individual: int, yy: int, *, century_encoded: bool) -> list[int]:
    table = _century(individual, yy)
    if century_encoded:
        return [] if table is None else [table + yy]
    # D-numbers since 2021 and 2032-rule numbers do not encode the century, so a gap in the
    # table or a 29 February that fails in one century must not refuse a real person. Prefer
    # the table, else 19xx (the 2021 D-series puts 600–999 in 1940–1999; 18xx is implausible),
    # then the other century when the two-digit year allows both (only 29.02.00 differs).
    primary = table if table in (1900, 2000) else 1900
    years = [primary + yy]
    if yy <= 39:
        years.append((2000 if primary == 1900 else 1900) + yy)
    return years


def parse_identity_number(raw: str, *, allow_synthetic: bool) -> IdentityNumber:
    """Validate a fødselsnummer or D-number; raise InvalidIdentityNumber with the reason.

    Checks run in this order: FORMAT, CHECKSUM, H_NUMBER, DATE, SYNTHETIC_NOT_ALLOWED, so a
    SYNTHETIC_NOT_ALLOWED refusal means the number is otherwise valid.
    """
    digits = raw.replace(" ", "") if isinstance(raw, str) else ""
    if not _ELEVEN_DIGITS.fullmatch(digits):
        raise InvalidIdentityNumber(InvalidReason.FORMAT)
    # The "easier validator" form of § 2: each weighted sum including its own control digit
    # (weight 1) must be 0 mod 11; a control digit that would have to be 10 never satisfies it.
    k1_remainder = (_k1_sum(digits) + int(digits[9])) % 11
    if k1_remainder not in _K1_REMAINDERS or (_k2_sum(digits) + int(digits[10])) % 11 != 0:
        raise InvalidIdentityNumber(InvalidReason.CHECKSUM)

    day, month, yy = int(digits[0:2]), int(digits[2:4]), int(digits[4:6])
    individual = int(digits[6:9])
    if 41 <= month <= 52:
        # Also NAV's "Dolly" synthetic numbers (month + 40): indistinguishable, never accepted.
        raise InvalidIdentityNumber(InvalidReason.H_NUMBER)
    synthetic = 81 <= month <= 92
    if synthetic:
        month -= 80
    kind = IdentityNumberKind.D_NUMBER if day >= 41 else IdentityNumberKind.FODSELSNUMMER
    if kind is IdentityNumberKind.D_NUMBER:
        day -= 40

    century_encoded = kind is IdentityNumberKind.FODSELSNUMMER and k1_remainder == 0
    birth_date = None
    if 1 <= month <= 12 and 1 <= day <= 31:
        for year in _candidate_years(individual, yy, century_encoded=century_encoded):
            if day <= calendar.monthrange(year, month)[1]:
                birth_date = date(year, month, day)
                break
    if birth_date is None:
        raise InvalidIdentityNumber(InvalidReason.DATE)
    if synthetic and not allow_synthetic:
        raise InvalidIdentityNumber(InvalidReason.SYNTHETIC_NOT_ALLOWED)
    return IdentityNumber(value=digits, kind=kind, synthetic=synthetic, birth_date=birth_date)


@functools.lru_cache(maxsize=256)  # demo data asks for many serials of the same date
def _synthetic_individual_numbers(birth_date: date) -> tuple[tuple[int, int, int], ...]:
    """(individual, K1, K2) for every series number that fits the date under the classic rule."""
    yy = birth_date.year % 100
    stem = f"{birth_date.day:02d}{birth_date.month + 80:02d}{yy:02d}"
    found = []
    for individual in range(1000):
        if _century(individual, yy) != birth_date.year - yy:
            continue
        first_nine = f"{stem}{individual:03d}"
        k1 = _classic_control_digit(_k1_sum(first_nine))
        if k1 is None:
            continue
        k2 = _classic_control_digit(_k2_sum(f"{first_nine}{k1}"))
        if k2 is not None:
            found.append((individual, k1, k2))
    return tuple(found)


def make_synthetic_identity_number(birth_date: date, *, serial: int) -> str:
    """A valid synthetic (month+80, TestID-style) fødselsnummer for that birth date.

    `serial` (0..N) picks among the valid individual numbers for the date deterministically, so
    demo data and tests get stable numbers; raises ValueError when serial is out of range. Every
    date has at least 411 numbers in 1900–2039 and 204 in 1854–1899 (counted for each day);
    other years have no series. K1 follows the classic rule, so validators with or without the
    2032 rule accept the number.
    """
    candidates = _synthetic_individual_numbers(birth_date)
    if not 0 <= serial < len(candidates):
        raise ValueError(f"serial must be in 0..{len(candidates) - 1} for this date")
    individual, k1, k2 = candidates[serial]
    yy = birth_date.year % 100
    return f"{birth_date.day:02d}{birth_date.month + 80:02d}{yy:02d}{individual:03d}{k1}{k2}"


def age_on(birth_date: date, today: date) -> int:
    """Whole years; a 29 February birthday counts as 1 March in non-leap years (rules.md R-AGE).

    Raises ValueError when `today` is before the birth date.
    """
    if today < birth_date:
        raise ValueError("today is before the birth date")
    birthday = (birth_date.month, birth_date.day)
    if birthday == (2, 29) and not calendar.isleap(today.year):
        birthday = (3, 1)
    years = today.year - birth_date.year
    return years - 1 if (today.month, today.day) < birthday else years


def age_or_zero(birth_date: date, today: date) -> int:
    """`age_on`, but 0 for a birth date after today (bad register data must not break a page)."""
    return age_on(birth_date, today) if birth_date <= today else 0
