"""Real websocket clients against a real server (uvicorn, the demo data): subscribe, replay,
live delivery, resume after a dropped connection, consent withdrawn on an open socket (R-CON-3),
refusals (Origin, no login), bad frames, and a post stored once over the socket (R-SAFE-3)."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from tests.support import databases
from tests.support.live_login import cookie_header, log_in, ws_url
from tests.support.live_server import LiveServer, start_live_server
from tests.support.oidc_browser import Browser


@pytest.fixture(scope="module")
async def server(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[LiveServer]:
    data_dir: Path = tmp_path_factory.mktemp("live-messages")
    name = f"samplan_live_{databases.worker_suffix()}"
    url = await databases.fresh_database(name, data_dir)
    live = start_live_server(
        database_url=url,
        data_dir=data_dir,
        extra_env={
            "SAMPLAN_LOGIN_RATE_PER_MINUTE": "100000",
            "SAMPLAN_NOTIFICATION_WORKER": "false",
        },
    )
    yield live
    live.stop()
    await databases.drop_database(name)


def _api(browser: Browser, server: LiveServer, method: str, path: str, **kwargs: Any) -> Any:
    response = browser.client.request(
        method, f"{server.url}/api/v1{path}", headers={"Origin": server.url}, **kwargs
    )
    assert response.status_code < 300, (path, response.status_code, response.text[:500])
    return response.json() if response.content else None


def _plan_of(browser: Browser, server: LiveServer, owner: str) -> str:
    plans = _api(browser, server, "GET", "/plans")
    return next(p["id"] for p in plans if p["owner_name"] == owner)


async def _socket(server: LiveServer, browser: Browser) -> ClientConnection:
    return await connect(
        ws_url(server),
        additional_headers={"Cookie": cookie_header(browser), "Origin": server.url},
    )


async def _frames(
    socket: ClientConnection, count: int, timeout: float = 5.0
) -> list[dict[str, Any]]:
    frames = []
    deadline = time.monotonic() + timeout
    while len(frames) < count:
        raw = await asyncio.wait_for(socket.recv(), max(0.01, deadline - time.monotonic()))
        frames.append(json.loads(raw))
    return frames


async def _messages(socket: ClientConnection, count: int) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    while len(found) < count:
        for frame in await _frames(socket, 1):
            if frame["type"] == "message":
                found.append(frame)
    return found


async def test_r2_subscribe_replay_live_and_resume_without_loss_or_repeats(
    server: LiveServer,
) -> None:
    per = log_in(server, "citizen", "Per Mikkelsen")
    ingrid = log_in(server, "employee", "Ingrid Berg")
    plan = _plan_of(per, server, "Per Mikkelsen")
    started = _api(
        per,
        server,
        "POST",
        f"/plans/{plan}/threads",
        json={"topic": "Hjemmebesøk", "text": "Første melding"},
    )
    thread = started["thread"]["id"]
    socket = await _socket(server, ingrid)
    await socket.send(json.dumps({"type": "subscribe", "plan": plan, "thread": thread, "after": 0}))
    first = await _messages(socket, 1)
    assert [m["seq"] for m in first] == [1] and first[0]["text"] == "Første melding"
    _api(per, server, "POST", f"/plans/{plan}/threads/{thread}/messages", json={"text": "Andre"})
    live = await _messages(socket, 1)
    assert live[0]["seq"] == 2 and live[0]["author"] == "Per Mikkelsen"
    await socket.close()
    # Missed while away: sent by the API, then resumed from the last number the client had.
    for text in ("Tredje", "Fjerde"):
        _api(per, server, "POST", f"/plans/{plan}/threads/{thread}/messages", json={"text": text})
    again = await _socket(server, ingrid)
    await again.send(json.dumps({"type": "subscribe", "plan": plan, "thread": thread, "after": 2}))
    resumed = await _messages(again, 2)
    assert [m["seq"] for m in resumed] == [3, 4]
    # A post over the socket, sent twice with one client id, is stored once (R-SAFE-3).
    for _ in range(2):
        await again.send(
            json.dumps(
                {
                    "type": "post",
                    "plan": plan,
                    "thread": thread,
                    "text": "Over socket",
                    "client_id": "c-42",
                }
            )
        )
    frames = [f for f in await _frames(again, 4) if f["type"] != "subscribed"]
    kinds = sorted(f["type"] for f in frames)
    assert kinds == ["message", "posted", "posted"], frames
    assert {f["seq"] for f in frames if f["type"] == "posted"} == {5}
    history = _api(
        per, server, "GET", f"/plans/{plan}/threads/{thread}/messages", params={"after": 0}
    )
    assert [m["seq"] for m in history] == [1, 2, 3, 4, 5]
    await again.close()


async def test_r_con_3_withdrawn_consent_cuts_an_open_socket_within_a_second(
    server: LiveServer,
) -> None:
    per = log_in(server, "citizen", "Per Mikkelsen")
    plan = _plan_of(per, server, "Per Mikkelsen")
    access = _api(per, server, "GET", f"/plans/{plan}/access")
    ola = next(p for p in access["participants"] if "Ola Hansen" in p["name"])
    given = _api(
        per,
        server,
        "POST",
        f"/plans/{plan}/grants",
        json={"participant_id": ola["id"], "part": "messages", "mode": "write"},
    )
    started = _api(
        per, server, "POST", f"/plans/{plan}/threads", json={"topic": "Trening", "text": "Hei Ola"}
    )
    thread = started["thread"]["id"]
    physio = log_in(server, "employee", "Ola Hansen")
    socket = await _socket(server, physio)
    await socket.send(json.dumps({"type": "subscribe", "plan": plan, "thread": thread, "after": 0}))
    assert (await _messages(socket, 1))[0]["text"] == "Hei Ola"
    _api(per, server, "POST", f"/plans/{plan}/grants/{given['id']}/withdraw")
    withdrawn_at = time.monotonic()
    frames: list[dict[str, Any]] = []
    with pytest.raises(ConnectionClosed) as closed:
        while True:
            frames.append(json.loads(await asyncio.wait_for(socket.recv(), 2)))
    assert time.monotonic() - withdrawn_at < 1.0
    assert {"type": "revoked", "thread": thread} in frames
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 4403


async def test_refusals_origin_login_and_bad_frames(server: LiveServer) -> None:
    per = log_in(server, "citizen", "Per Mikkelsen")
    with pytest.raises(ConnectionClosed) as wrong_origin:
        async with connect(
            ws_url(server),
            additional_headers={"Cookie": cookie_header(per), "Origin": "http://evil.example"},
        ) as socket:
            await socket.recv()
    assert wrong_origin.value.rcvd is not None and wrong_origin.value.rcvd.code == 4403
    with pytest.raises(ConnectionClosed) as anonymous:
        async with connect(ws_url(server), additional_headers={"Origin": server.url}) as socket:
            await socket.recv()
    assert anonymous.value.rcvd is not None and anonymous.value.rcvd.code == 4401
    socket = await _socket(server, per)
    await socket.send("not json")
    await socket.send(json.dumps({"type": "subscribe", "plan": "x", "thread": "y"}))
    await socket.send(
        json.dumps(
            {
                "type": "subscribe",
                "plan": str(uuid.uuid4()),
                "thread": str(uuid.uuid4()),
                "after": 0,
            }
        )
    )
    await socket.send(json.dumps({"type": "ping"}))
    frames = await _frames(socket, 4)
    assert [f["type"] for f in frames] == ["error", "error", "error", "pong"]
    assert frames[2]["code"] == "plan_not_found"
    await socket.close()


async def test_the_timeline_follows_new_changes_live_for_those_who_may_see_them(
    server: LiveServer,
) -> None:
    """Issue 6, item 4: new timeline entries arrive over the socket, as the reader may see them."""
    per = log_in(server, "citizen", "Per Mikkelsen")
    ingrid = log_in(server, "employee", "Ingrid Berg")
    plan = _plan_of(per, server, "Per Mikkelsen")
    socket = await _socket(server, per)
    await socket.send(json.dumps({"type": "follow", "plan": plan}))
    await asyncio.sleep(0.3)
    _api(ingrid, server, "POST", f"/plans/{plan}/goals", json={"text": "Gå til butikken"})
    frame = (await _frames(socket, 1))[0]
    assert frame["type"] == "timeline" and frame["plan"] == plan
    assert [e["kind"] for e in frame["entries"]] == ["goal.proposed"]
    assert frame["entries"][0]["who"] == "Ingrid Berg"
    await socket.close()
    # Pages get the same list item the timeline renders, added at the top.
    page = await connect(
        ws_url(server, html=True),
        additional_headers={"Cookie": cookie_header(per), "Origin": server.url},
    )
    await page.send(json.dumps({"type": "follow", "plan": plan}))
    await asyncio.sleep(0.3)
    _api(ingrid, server, "POST", f"/plans/{plan}/goals", json={"text": "Sykle <fort>"})
    html = await asyncio.wait_for(page.recv(), 5)
    assert 'hx-swap-oob="afterbegin:#timeline-entries"' in html
    assert "Ingrid Berg" in html and "<fort>" not in html
    await page.close()
    # Someone who may not see the plan cannot follow it.
    stranger = log_in(server, "employee", "Sara Lie")
    refused = await _socket(server, stranger)
    await refused.send(json.dumps({"type": "follow", "plan": plan}))
    assert (await _frames(refused, 1))[0]["code"] == "plan_not_found"
    await refused.close()


async def test_a_file_added_to_a_sent_message_reaches_open_sockets_with_the_message(
    server: LiveServer,
) -> None:
    """The JSON frame carries what the API's message does (version, attachments); a file the
    author adds afterwards sends the message again, same seq, with the file."""
    per = log_in(server, "citizen", "Per Mikkelsen")
    ingrid = log_in(server, "employee", "Ingrid Berg")
    plan = _plan_of(per, server, "Per Mikkelsen")
    started = _api(
        per, server, "POST", f"/plans/{plan}/threads", json={"topic": "Bilde", "text": "Se her"}
    )
    thread, message = started["thread"]["id"], started["messages"][0]
    socket = await _socket(server, ingrid)
    await socket.send(json.dumps({"type": "subscribe", "plan": plan, "thread": thread, "after": 0}))
    [first] = await _messages(socket, 1)
    assert (first["version"], first["attachments"]) == (1, [])
    picture = b"\x89PNG\r\n\x1a\n" + bytes(200)
    added = _api(
        per,
        server,
        "POST",
        f"/plans/{plan}/threads/{thread}/messages/{message['id']}/attachments",
        files={"file": ("trapp.png", picture, "image/png")},
    )
    [again] = await _messages(socket, 1)
    assert (again["seq"], again["id"]) == (first["seq"], first["id"])
    assert again["attachments"] == [
        {"id": added["id"], "filename": "trapp.png", "content_type": "image/png", "size": 208}
    ]
    await socket.close()
