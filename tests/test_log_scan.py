"""The scanner itself must find what it looks for, or a clean run would prove nothing."""

from __future__ import annotations

import logging
from datetime import date

from app.people.identity_numbers import make_synthetic_identity_number
from tests.support.log_scan import CollectingHandler, findings


def test_the_log_scanner_finds_an_identity_number_and_a_name() -> None:
    number = make_synthetic_identity_number(date(2012, 3, 4), serial=3)
    handler = CollectingHandler()
    record = logging.LogRecord("t", logging.INFO, __file__, 1, f"looked up {number}", None, None)
    handler.emit(record)
    handler.emit(logging.LogRecord("t", logging.INFO, __file__, 1, "Emma Solberg", None, None))
    problems = findings(handler.lines)
    assert len(problems) == 2
    assert number not in " ".join(problems)


def test_the_log_scanner_ignores_numbers_that_are_not_identity_numbers() -> None:
    assert findings(['{"message": "order 12345678901 and id 3f2a"}']) == []
