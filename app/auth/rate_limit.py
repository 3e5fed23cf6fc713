"""A sliding-window limit per client address for login and callback (quality.md S8).

Kept in process memory: each app process limits on its own, so N processes allow up to N times
the configured rate. That still stops scripted guessing; a shared limit can move to Redis with
the messaging issue's fan-out.
"""

from __future__ import annotations

import math
from collections import deque
from datetime import datetime, timedelta

from app.clock import Clock

WINDOW = timedelta(minutes=1)
MAX_TRACKED_ADDRESSES = 100_000


class RateLimiter:
    def __init__(self, *, per_minute: int, clock: Clock) -> None:
        self._limit = per_minute
        self._clock = clock
        self._hits: dict[str, deque[datetime]] = {}

    def retry_after(self, address: str) -> int | None:
        """Count one attempt; None when allowed, else the seconds to wait."""
        now = self._clock.now()
        hits = self._hits.setdefault(address, deque())
        while hits and now - hits[0] >= WINDOW:
            hits.popleft()
        if len(hits) >= self._limit:
            return max(1, math.ceil((hits[0] + WINDOW - now).total_seconds()))
        hits.append(now)
        if len(self._hits) > MAX_TRACKED_ADDRESSES:  # bounded memory under a flood of addresses
            self._hits = {key: value for key, value in self._hits.items() if value}
        return None
