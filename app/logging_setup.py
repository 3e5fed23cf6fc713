"""Structured JSON logs that carry opaque ids only, never personal data (R-LOG-4)."""

from __future__ import annotations

import json
import logging
from contextvars import ContextVar
from datetime import UTC, datetime

correlation_id: ContextVar[str | None] = ContextVar("correlation_id", default=None)

_CONFIGURED_MARKER = "_samplan_json"


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = correlation_id.get()
        if request_id is not None:
            entry["correlation_id"] = request_id
        for key in ("event", "status", "path_template", "error_type", "frames", "duration_ms"):
            if hasattr(record, key):
                entry[key] = getattr(record, key)
        if record.exc_info and record.exc_info[0] is not None:
            # The exception type only: a traceback can hold values that are personal data.
            entry["exception"] = record.exc_info[0].__name__
        return json.dumps(entry, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    """One readable line per event for a developer's terminal; same fields, no personal data."""

    def format(self, record: logging.LogRecord) -> str:
        time = datetime.fromtimestamp(record.created, UTC).strftime("%H:%M:%S")
        line = f"{time} {record.levelname.lower():7} {record.getMessage()}"
        request_id = correlation_id.get()
        return f"{line} [{request_id}]" if request_id else line


def configure_logging(level: str, *, json_lines: bool = True) -> None:
    """JSON lines for log collectors; plain text for the embedded development run."""
    root = logging.getLogger()
    root.setLevel(level.upper())
    if any(getattr(handler, _CONFIGURED_MARKER, False) for handler in root.handlers):
        return
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter() if json_lines else TextFormatter())
    setattr(handler, _CONFIGURED_MARKER, True)
    root.addHandler(handler)
