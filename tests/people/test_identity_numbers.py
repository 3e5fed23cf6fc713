"""Identity numbers (R-ID) and age (R-AGE): boundary cases from research/oidc.md § 2."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from app.errors import InvalidInput
from app.people.identity_numbers import (
    IdentityNumber,
    IdentityNumberKind,
    InvalidIdentityNumber,
    InvalidReason,
    age_on,
    make_synthetic_identity_number,
    parse_identity_number,
)

# database=None: the example database would be a .hypothesis/ folder in the shared tree.
PROPERTY = settings(max_examples=200, deadline=None, database=None)

K1_WEIGHTS = (3, 7, 6, 1, 8, 9, 4, 5, 2)
K2_WEIGHTS = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)
# Every date in 1900–2039 has at least 411 synthetic numbers (counted once for every day).
MIN_SERIALS = 411


def weighted(digits: str, weights: tuple[int, ...]) -> int:
    return sum(int(d) * w for d, w in zip(digits, weights, strict=False))


def complete(first_nine: str, remainder: int = 0) -> str | None:
    """Independent of the module: add K1 for the wanted 2032-rule remainder, then classic K2."""
    k1 = (remainder - weighted(first_nine, K1_WEIGHTS)) % 11
    k2 = -weighted(f"{first_nine}{k1}", K2_WEIGHTS) % 11
    return None if 10 in (k1, k2) else f"{first_nine}{k1}{k2}"


def build(ddmmyy: str, individuals: range, remainder: int = 0) -> str:
    """The first individual number in `individuals` whose control digits exist."""
    for individual in individuals:
        number = complete(f"{ddmmyy}{individual:03d}", remainder)
        if number is not None:
            return number
    raise AssertionError("no usable individual number in range")


def refusal(raw: str, *, allow_synthetic: bool = True) -> InvalidReason:
    with pytest.raises(InvalidIdentityNumber) as caught:
        parse_identity_number(raw, allow_synthetic=allow_synthetic)
    return caught.value.reason


def broken(number: str) -> str:
    return number[:10] + str((int(number[10]) + 1) % 10)


def up(start: int) -> range:
    return range(start, start + 10)


def down(start: int) -> range:
    return range(start, start - 10, -1)


synthetic_numbers = st.builds(
    lambda day, serial: make_synthetic_identity_number(day, serial=serial),
    st.dates(date(1900, 1, 1), date(2039, 12, 31)),
    st.integers(0, MIN_SERIALS - 1),
)


@st.composite
def real_numbers(draw: st.DrawFn) -> str:
    """Valid non-synthetic fødselsnumre and D-numbers, K1 under any 2032-rule remainder."""
    birth = draw(st.dates(date(1900, 1, 1), date(2039, 12, 31)))
    day = birth.day + (40 if draw(st.booleans()) else 0)
    first_nine = f"{day:02d}{birth.month:02d}{birth.year % 100:02d}{draw(st.integers(0, 999)):03d}"
    number = complete(first_nine, draw(st.integers(0, 3)))
    assume(number is not None)
    assert number is not None
    try:
        parse_identity_number(number, allow_synthetic=False)
    except InvalidIdentityNumber:
        assume(False)  # individual number outside the series for that year
    return number


valid_numbers = st.one_of(synthetic_numbers, real_numbers())


# --- R-ID-1: format, checksums and the 2032 rule -------------------------------------------


@pytest.mark.parametrize(
    ("ddmmyy", "individuals", "born"),
    [
        ("010154", up(500), date(1854, 1, 1)),
        ("311299", down(749), date(1899, 12, 31)),
        ("010100", up(0), date(1900, 1, 1)),
        ("311299", down(499), date(1999, 12, 31)),
        ("010140", up(900), date(1940, 1, 1)),
        ("311299", down(999), date(1999, 12, 31)),
        ("010100", up(500), date(2000, 1, 1)),
        ("311239", down(999), date(2039, 12, 31)),
    ],
)
def test_r_id_1_century_comes_from_the_individual_number_table(
    ddmmyy: str, individuals: range, born: date
) -> None:
    parsed = parse_identity_number(build(ddmmyy, individuals), allow_synthetic=False)
    assert parsed.birth_date == born
    assert parsed.kind is IdentityNumberKind.FODSELSNUMMER
    assert parsed.synthetic is False


@pytest.mark.parametrize(
    ("ddmmyy", "individuals"),
    [("010153", up(500)), ("010153", down(749)), ("010140", up(750)), ("010199", down(899))],
)
def test_r_id_1_a_fodselsnummer_from_a_series_never_issued_for_that_year_is_refused(
    ddmmyy: str, individuals: range
) -> None:
    assert refusal(build(ddmmyy, individuals)) is InvalidReason.DATE


@pytest.mark.parametrize(
    ("ddmmyy", "individuals", "reason_or_born"),
    [
        ("290296", up(100), date(1996, 2, 29)),
        ("290297", up(100), InvalidReason.DATE),
        ("290200", up(100), InvalidReason.DATE),  # 1900 was not a leap year
        ("290200", up(500), date(2000, 2, 29)),
        ("310290", up(100), InvalidReason.DATE),
        ("300290", up(100), InvalidReason.DATE),
        ("310490", up(100), InvalidReason.DATE),
        ("320190", up(100), InvalidReason.DATE),
        ("000190", up(100), InvalidReason.DATE),
        ("010090", up(100), InvalidReason.DATE),
        ("011390", up(100), InvalidReason.DATE),
        ("013090", up(100), InvalidReason.DATE),
        ("400190", up(100), InvalidReason.DATE),  # day 0 as a D-number
        ("720190", up(100), InvalidReason.DATE),  # day 32 as a D-number
    ],
)
def test_r_id_1_the_date_part_must_be_a_calendar_date(
    ddmmyy: str, individuals: range, reason_or_born: date | InvalidReason
) -> None:
    number = build(ddmmyy, individuals)
    if isinstance(reason_or_born, InvalidReason):
        assert refusal(number) is reason_or_born
    else:
        assert parse_identity_number(number, allow_synthetic=False).birth_date == reason_or_born


@pytest.mark.parametrize(
    ("ddmmyy", "individuals", "born"),
    [
        ("410190", up(100), date(1990, 1, 1)),  # "41…" for the 1st
        ("710190", up(100), date(1990, 1, 31)),
        ("690296", up(100), date(1996, 2, 29)),
        ("410185", up(800), date(1985, 1, 1)),  # 2021 D-series: 600–999 for 1940–1999
        ("410185", up(600), date(1985, 1, 1)),  # not 1885, although the table says so
        ("690200", up(300), date(2000, 2, 29)),  # 2021 D-series: 200–499 for 2000–2039
    ],
)
def test_r_id_1_d_numbers_are_day_plus_40_and_never_refused_for_the_century(
    ddmmyy: str, individuals: range, born: date
) -> None:
    parsed = parse_identity_number(build(ddmmyy, individuals), allow_synthetic=False)
    assert parsed.kind is IdentityNumberKind.D_NUMBER
    assert parsed.birth_date == born


@pytest.mark.parametrize(("number", "remainder"), [("02013299997", 0), ("30108299939", 1)])
def test_r_id_1_skatteetatens_2032_examples_are_accepted(number: str, remainder: int) -> None:
    assert (weighted(number, K1_WEIGHTS) + int(number[9])) % 11 == remainder
    assert parse_identity_number(number, allow_synthetic=False).kind == "fodselsnummer"


@pytest.mark.parametrize("remainder", [0, 1, 2, 3])
def test_r_id_1_k1_remainders_0_to_3_are_accepted(remainder: int) -> None:
    parsed = parse_identity_number(build("150690", up(100), remainder), allow_synthetic=False)
    assert parsed.birth_date == date(1990, 6, 15)


@pytest.mark.parametrize("remainder", [1, 2, 3])
def test_r_id_1_2032_rule_numbers_are_not_refused_for_a_century_the_table_lacks(
    remainder: int,
) -> None:
    # oidc.md § 2: numbers issued from 2032 no longer encode the century.
    number = build("010185", up(800), remainder)
    assert parse_identity_number(number, allow_synthetic=False).birth_date == date(1985, 1, 1)
    assert refusal(build("010185", up(800), 0)) is InvalidReason.DATE


@pytest.mark.parametrize("remainder", range(4, 11))
def test_r_id_1_k1_remainders_4_to_10_are_refused(remainder: int) -> None:
    assert refusal(build("150690", up(100), remainder)) is InvalidReason.CHECKSUM


def test_r_id_1_a_stem_whose_classic_k1_would_be_10_is_valid_only_with_remainders_1_to_3() -> None:
    stem = next(
        f"150690{i:03d}" for i in range(500) if -weighted(f"150690{i:03d}", K1_WEIGHTS) % 11 == 10
    )
    accepted = set()
    for k1 in range(10):
        k2 = -weighted(f"{stem}{k1}", K2_WEIGHTS) % 11
        remainder = (weighted(stem, K1_WEIGHTS) + k1) % 11
        if k2 == 10:
            continue  # K2 cannot be written: covered by the next test
        if remainder in {1, 2, 3}:
            parse_identity_number(f"{stem}{k1}{k2}", allow_synthetic=False)
            accepted.add(remainder)
        else:
            assert refusal(f"{stem}{k1}{k2}") is InvalidReason.CHECKSUM
    assert accepted


def test_r_id_1_k2_keeps_the_classic_rule_and_a_k2_of_10_makes_the_stem_unusable() -> None:
    first_ten = next(
        f"{stem}{k1}"
        for i in range(500)
        for stem in [f"150690{i:03d}"]
        for k1 in [-weighted(stem, K1_WEIGHTS) % 11]
        if k1 != 10 and -weighted(f"{stem}{k1}", K2_WEIGHTS) % 11 == 10
    )
    assert all(refusal(f"{first_ten}{last}") is InvalidReason.CHECKSUM for last in "0123456789")


@pytest.mark.parametrize(
    "spaced",
    [
        lambda n: f"{n[:6]} {n[6:]}",
        lambda n: f" {n[:2]} {n[2:4]}  {n[4:6]} {n[6:9]} {n[9:]} ",
        lambda n: n,
    ],
)
def test_r_id_1_spaces_inside_the_number_are_ignored(spaced: Callable[[str], str]) -> None:
    number = build("150690", up(100))
    assert parse_identity_number(spaced(number), allow_synthetic=False).value == number


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "1506901234",
        "150690123456",
        "150690-12345",
        "150690.12345",
        "150690\t12345",
        "15069012345\n",
        "+4715069012345",
        "١٥٠٦٩٠١٢٣٤٥",  # Arabic-Indic digits pass str.isdigit()
        "１５０６９０１２３４５",  # fullwidth digits
        "1506901234a",
    ],
)
def test_r_id_1_anything_but_11_digits_and_spaces_is_a_format_error(raw: str) -> None:
    assert refusal(raw) is InvalidReason.FORMAT


@given(valid_numbers, st.integers(0, 10), st.integers(1, 9))
@PROPERTY
def test_r_id_1_any_single_changed_digit_is_refused_as_a_checksum_error(
    number: str, position: int, shift: int
) -> None:
    # The 2032 rule loosens only K1, so a changed K1 (or other digit) can still pass the K1
    # check; but K2's weights 5 4 3 2 7 6 5 4 3 2 1 are all non-zero mod 11 (a prime), so any
    # one-digit change moves that sum off 0. Checksums are checked first, hence always CHECKSUM.
    changed = str((int(number[position]) + shift) % 10)
    assert refusal(number[:position] + changed + number[position + 1 :]) is InvalidReason.CHECKSUM


@given(st.text(alphabet="0123456789", min_size=11, max_size=11), st.booleans())
@PROPERTY
def test_r_id_1_random_digit_strings_are_parsed_or_refused_consistently(
    raw: str, allow_synthetic: bool
) -> None:
    try:
        parsed = parse_identity_number(raw, allow_synthetic=allow_synthetic)
    except InvalidIdentityNumber:
        return
    assert (weighted(raw, K1_WEIGHTS) + int(raw[9])) % 11 in {0, 1, 2, 3}
    assert (weighted(raw, K2_WEIGHTS) + int(raw[10])) % 11 == 0
    assert parsed.birth_date.year % 100 == int(raw[4:6])
    assert parsed.birth_date.month == int(raw[2:4]) % 40
    assert parsed.birth_date.day == int(raw[0:2]) % 40


@given(st.text(max_size=20), st.booleans())
@PROPERTY
def test_r_id_1_arbitrary_text_raises_nothing_but_invalid_identity_number(
    raw: str, allow_synthetic: bool
) -> None:
    try:
        parse_identity_number(raw, allow_synthetic=allow_synthetic)
    except InvalidIdentityNumber:
        pass


# --- R-ID-2: synthetic numbers and H-numbers -----------------------------------------------


@pytest.mark.parametrize(
    ("number", "born"),
    [
        ("21879498012", date(1994, 7, 21)),
        ("05895894984", date(1958, 9, 5)),
        ("28816196088", date(1961, 1, 28)),
    ],
)
def test_r_id_2_documented_testid_numbers_are_synthetic(number: str, born: date) -> None:
    parsed = parse_identity_number(number, allow_synthetic=True)
    assert (parsed.synthetic, parsed.birth_date) == (True, born)
    assert refusal(number, allow_synthetic=False) is InvalidReason.SYNTHETIC_NOT_ALLOWED


@pytest.mark.parametrize(
    ("ddmmyy", "individuals", "kind", "born"),
    [
        ("018190", up(100), "fodselsnummer", date(1990, 1, 1)),
        ("319290", up(100), "fodselsnummer", date(1990, 12, 31)),
        ("298200", up(500), "fodselsnummer", date(2000, 2, 29)),
        ("418190", up(100), "d_number", date(1990, 1, 1)),  # Tenor: D-number day and +80
    ],
)
def test_r_id_2_synthetic_numbers_are_month_plus_80(
    ddmmyy: str, individuals: range, kind: str, born: date
) -> None:
    number = build(ddmmyy, individuals)
    parsed = parse_identity_number(number, allow_synthetic=True)
    assert (parsed.kind, parsed.synthetic, parsed.birth_date) == (kind, True, born)
    assert refusal(number, allow_synthetic=False) is InvalidReason.SYNTHETIC_NOT_ALLOWED


@pytest.mark.parametrize("ddmmyy", ["018090", "019390", "298297"])
def test_r_id_2_a_synthetic_month_must_still_give_a_date(ddmmyy: str) -> None:
    assert refusal(build(ddmmyy, up(100)), allow_synthetic=False) is InvalidReason.DATE


@pytest.mark.parametrize("ddmmyy", ["014190", "315290", "414590", "314590"])
@pytest.mark.parametrize("allow_synthetic", [True, False])
def test_r_id_2_h_numbers_month_plus_40_are_never_accepted(
    ddmmyy: str, allow_synthetic: bool
) -> None:
    # NAV's "Dolly" synthetic numbers use the same offset and are refused with them.
    number = build(ddmmyy, up(100))
    assert refusal(number, allow_synthetic=allow_synthetic) is InvalidReason.H_NUMBER


@given(st.dates(date(1900, 1, 1), date(2039, 12, 31)), st.integers(0, MIN_SERIALS - 1))
@PROPERTY
def test_r_id_2_generated_synthetic_numbers_parse_back_only_when_allowed(
    birth: date, serial: int
) -> None:
    number = make_synthetic_identity_number(birth, serial=serial)
    parsed = parse_identity_number(number, allow_synthetic=True)
    assert (parsed.value, parsed.birth_date, parsed.synthetic) == (number, birth, True)
    assert parsed.kind is IdentityNumberKind.FODSELSNUMMER
    assert refusal(number, allow_synthetic=False) is InvalidReason.SYNTHETIC_NOT_ALLOWED


@pytest.mark.parametrize("birth", [date(1854, 1, 1), date(1899, 12, 31), date(2039, 12, 31)])
def test_make_synthetic_serials_are_stable_distinct_and_bounded(birth: date) -> None:
    numbers = []
    serial = 0
    while True:
        try:
            numbers.append(make_synthetic_identity_number(birth, serial=serial))
        except ValueError:
            break
        serial += 1
    assert len(numbers) == len(set(numbers)) >= 204
    assert make_synthetic_identity_number(birth, serial=7) == numbers[7]
    assert all(parse_identity_number(n, allow_synthetic=True).birth_date == birth for n in numbers)
    with pytest.raises(ValueError):
        make_synthetic_identity_number(birth, serial=-1)


@pytest.mark.parametrize("birth", [date(1853, 12, 31), date(2040, 1, 1)])
def test_make_synthetic_refuses_years_without_a_series(birth: date) -> None:
    with pytest.raises(ValueError):
        make_synthetic_identity_number(birth, serial=0)


# --- R-ID-3: the number never leaks --------------------------------------------------------


@given(valid_numbers)
@PROPERTY
def test_r_id_3_repr_and_str_never_contain_the_digits(number: str) -> None:
    parsed = parse_identity_number(number, allow_synthetic=True)
    for shown in (repr(parsed), str(parsed), f"{parsed}", repr([parsed])):
        assert not any(c.isdigit() for c in shown)


def test_r_id_3_repr_names_kind_and_origin_only() -> None:
    parsed = parse_identity_number(
        make_synthetic_identity_number(date(2010, 5, 17), serial=0), allow_synthetic=True
    )
    assert repr(parsed) == "IdentityNumber(fodselsnummer, synthetic, ***********)"
    real = parse_identity_number(build("410190", up(100)), allow_synthetic=False)
    assert str(real) == "IdentityNumber(d_number, real, ***********)"


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("1506901234", InvalidReason.FORMAT),
        (broken(build("150690", up(100))), InvalidReason.CHECKSUM),
        (build("310290", up(100)), InvalidReason.DATE),
        (build("018190", up(100)), InvalidReason.SYNTHETIC_NOT_ALLOWED),
        (build("014190", up(100)), InvalidReason.H_NUMBER),
    ],
)
def test_r_id_3_errors_carry_a_reason_and_a_fixed_detail_without_the_number(
    raw: str, reason: InvalidReason
) -> None:
    with pytest.raises(InvalidIdentityNumber) as caught:
        parse_identity_number(raw, allow_synthetic=False)
    error = caught.value
    assert isinstance(error, InvalidInput)
    assert (error.reason, error.code, error.status) == (reason, "invalid_identity_number", 422)
    assert error.detail == str(error) == InvalidIdentityNumber(reason).detail
    assert raw not in error.detail and raw[:6] not in error.detail
    assert error.__context__ is None and error.__cause__ is None


def test_r_id_3_every_reason_has_its_own_detail() -> None:
    details = {InvalidIdentityNumber(reason).detail for reason in InvalidReason}
    assert len(details) == len(InvalidReason)


def test_r_id_4_birth_date_is_a_field_derived_from_the_number() -> None:
    # Production takes the birth date from Folkeregisteret; this only checks the derivation.
    parsed = parse_identity_number(build("170599", up(100)), allow_synthetic=False)
    assert isinstance(parsed, IdentityNumber) and parsed.birth_date == date(1999, 5, 17)


# --- R-AGE: whole years, 29 February counts as 1 March -------------------------------------


@pytest.mark.parametrize(
    ("today", "age"),
    [(date(2026, 6, 14), 15), (date(2026, 6, 15), 16), (date(2026, 6, 16), 16)],
)
def test_r_age_4_the_16th_birthday_is_counted_on_the_day(today: date, age: int) -> None:
    assert age_on(date(2010, 6, 15), today) == age


@pytest.mark.parametrize(
    ("today", "age"),
    [(date(2022, 6, 14), 11), (date(2022, 6, 15), 12), (date(2022, 6, 16), 12)],
)
def test_r_age_2_the_12th_birthday_is_counted_on_the_day(today: date, age: int) -> None:
    assert age_on(date(2010, 6, 15), today) == age


@pytest.mark.parametrize(
    ("today", "age"),
    [
        (date(2023, 2, 28), 14),  # non-leap year: not yet
        (date(2023, 3, 1), 15),  # non-leap year: 1 March is the birthday
        (date(2024, 2, 28), 15),
        (date(2024, 2, 29), 16),  # leap year: the day itself
        (date(2024, 3, 1), 16),
        (date(2025, 2, 28), 16),
        (date(2025, 3, 1), 17),
        (date(2100, 2, 28), 91),  # 2100 is not a leap year
        (date(2100, 3, 1), 92),
    ],
)
def test_r_age_a_29_february_birthday_counts_as_1_march_in_other_years(
    today: date, age: int
) -> None:
    assert age_on(date(2008, 2, 29), today) == age


def test_r_age_is_zero_on_the_birth_date_and_undefined_before_it() -> None:
    assert age_on(date(2020, 1, 1), date(2020, 1, 1)) == 0
    assert age_on(date(2020, 1, 1), date(2020, 12, 31)) == 0
    with pytest.raises(ValueError):
        age_on(date(2020, 1, 1), date(2019, 12, 31))
