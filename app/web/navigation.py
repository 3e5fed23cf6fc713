"""Return addresses that can only ever point back into Samplan (no open redirects)."""

from __future__ import annotations

from urllib.parse import urlsplit


def safe_local_path(candidate: str | None, default: str = "/") -> str:
    if not candidate or not candidate.startswith("/") or candidate.startswith("//"):
        return default
    parts = urlsplit(candidate)
    if parts.scheme or parts.netloc or "\\" in candidate or any(ord(c) < 32 for c in candidate):
        return default
    return candidate
