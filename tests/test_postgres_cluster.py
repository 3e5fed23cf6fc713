"""The suite's fallback: a throwaway PostgreSQL cluster when none answers (issue: foundation)."""

from __future__ import annotations

from tests.support import postgres_cluster
from tests.support.databases import postgres_answers


async def test_a_throwaway_cluster_starts_answers_and_is_removed() -> None:
    cluster = postgres_cluster.start()
    try:
        assert await postgres_answers(cluster.url)
    finally:
        cluster.stop()
    assert not cluster.directory.exists()
    assert not await postgres_answers(cluster.url)
