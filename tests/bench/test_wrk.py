"""The benchmark report is only as good as its reading of wrk's output."""

from __future__ import annotations

import pytest

from bench.wrk import parse_wrk_output

WRK_OUTPUT = """Running 10s test @ http://127.0.0.1:40123/healthz
  1 threads and 64 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    12.08ms    8.10ms 153.20ms   91.02%
    Req/Sec     4.74k   312.45     5.01k    88.00%
  Latency Distribution
     50%   12.08ms
     75%   14.20ms
     90%   18.41ms
     99%   89.51ms
  47190 requests in 10.00s, 9.12MB read
Requests/sec:   4719.00
Transfer/sec:      0.91MB
"""


def test_requests_per_second_and_percentiles_are_read() -> None:
    result = parse_wrk_output(WRK_OUTPUT)
    assert result.requests_per_sec == pytest.approx(4719.0)
    assert result.requests == 47190 and result.errors == 0
    assert result.percentiles_ms[99] == pytest.approx(89.51)
    assert result.percentiles_ms[50] == pytest.approx(12.08)


def test_output_that_is_not_from_wrk_is_refused() -> None:
    with pytest.raises(ValueError, match="not wrk output"):
        parse_wrk_output("connection refused")
