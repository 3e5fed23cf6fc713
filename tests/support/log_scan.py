"""quality.md S7 / R-LOG-4: no identity number or person's name in any log line of the suite.

Every record the suite logs (in-process and from live servers) is formatted exactly as in
production and scanned at the end of the run; a finding fails the run.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

from app.demo.seed import CITIZENS, STAFF
from app.logging_setup import JsonFormatter
from app.people.identity_numbers import InvalidIdentityNumber, parse_identity_number

ELEVEN_DIGITS = re.compile(r"(?<!\d)\d{11}(?!\d)")
NAMES = [f"{person.given_name} {person.family_name}" for person in CITIZENS] + [
    member.name for member in STAFF
]


class CollectingHandler(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.setFormatter(JsonFormatter())
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.lines.append(self.format(record))
        except Exception:  # a broken record must not break the test that logged it
            self.handleError(record)


def findings(lines: list[str]) -> list[str]:
    found = []
    for line in lines:
        for candidate in ELEVEN_DIGITS.findall(line):
            try:
                parse_identity_number(candidate, allow_synthetic=True)
            except InvalidIdentityNumber:
                continue
            found.append(f"identity number in: {line[:200].replace(candidate, '*' * 11)}")
        found.extend(f"name {name!r} in a log line" for name in NAMES if name in line)
    return found


def read_log_files(paths: list[Path]) -> list[str]:
    lines: list[str] = []
    for path in paths:
        if path.exists():
            lines.extend(path.read_text(errors="replace").splitlines())
    return lines
