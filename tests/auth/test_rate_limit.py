from __future__ import annotations

from datetime import UTC, datetime, timedelta

from app.auth.rate_limit import RateLimiter
from tests.support.clock import FrozenClock


def test_the_limit_allows_the_rate_then_tells_how_long_to_wait() -> None:
    clock = FrozenClock(datetime(2026, 11, 23, 10, tzinfo=UTC))
    limiter = RateLimiter(per_minute=3, clock=clock)
    assert [limiter.retry_after("10.0.0.1") for _ in range(3)] == [None, None, None]
    assert limiter.retry_after("10.0.0.1") == 60
    assert limiter.retry_after("10.0.0.2") is None  # each address has its own allowance
    clock.advance(timedelta(seconds=45))
    assert limiter.retry_after("10.0.0.1") == 15
    clock.advance(timedelta(seconds=15))
    assert limiter.retry_after("10.0.0.1") is None
