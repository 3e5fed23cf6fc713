"""Requests that arrive at the same moment, each in its own transaction (quality.md R3):
a create sent twice at once is stored once (R-SAFE-3), and of two saves made from the same
version one wins and the other is told, never a 500 (R-SAFE-2)."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from tests.api_plan.conftest import Live, problem


@pytest.mark.parametrize(
    ("tail", "body", "listed_as"),
    [
        ("/goals", {"text": "Samtidig"}, "goals"),
        ("/contributions", {"contributor": "owner", "text": "Jeg handler"}, "contributions"),
    ],
)
async def test_r_safe_3_the_same_create_twice_at_once_is_stored_once(
    live: Live, tail: str, body: dict[str, object], listed_as: str
) -> None:
    headers = {"Idempotency-Key": f"double-click{tail}"}
    answers = await asyncio.gather(
        *(live.client.post(live.url(tail), json=body, headers=headers) for _ in range(2))
    )
    assert [a.status_code for a in answers] == [201, 201], [a.text for a in answers]
    assert answers[0].content == answers[1].content
    assert answers[0].headers["location"] == answers[1].headers["location"]
    plan = (await live.client.get(live.url("/plan"))).json()
    assert len(plan[listed_as]) == 1


async def test_r_safe_2_of_saves_from_the_same_version_at_once_one_wins(live: Live) -> None:
    goal = (await live.client.post(live.url("/goals"), json={"text": "Mål"})).json()

    async def save(text: str) -> httpx.Response:
        return await live.client.patch(
            live.url(f"/goals/{goal['id']}"),
            json={"text": text, "due_date": None},
            headers={"If-Match": '"1"'},
        )

    answers = await asyncio.gather(*(save(f"Versjon {n}") for n in range(4)))
    assert sorted(a.status_code for a in answers) == [200, 412, 412, 412], [a.text for a in answers]
    [winner] = [a for a in answers if a.status_code == 200]
    for loser in answers:
        if loser.status_code == 412:
            problem(loser, 412, "stale_version")
    read = (await live.client.get(live.url(f"/goals/{goal['id']}"))).json()
    assert read["text"] == winner.json()["text"] and read["version"] == 2


async def test_r_safe_2_two_first_words_at_once_one_wins(live: Live) -> None:
    async def write(words: str) -> httpx.Response:
        return await live.client.put(
            live.url("/life-situation"), json={"situation": words}, headers={"If-Match": '"0"'}
        )

    answers = await asyncio.gather(write("Først"), write("Også først"))
    assert sorted(a.status_code for a in answers) == [200, 412], [a.text for a in answers]
    [loser] = [a for a in answers if a.status_code == 412]
    assert problem(loser, 412, "stale_version")["current_version"] == 1
