"""The load side of the messaging rows (P3 to P6): websocket clients and posters.

The harness runs these as `python -m bench.messaging_load <command>` pinned to the load core,
like wrk: a JSON job on the first line of stdin (it carries session cookies, which do not belong
on a command line), the result as JSON on stdout.

- `delivery` (P4, P6): `subscribers` websockets subscribe to one thread at `ws_url`; a poster
  sends `rate` posts a second for `duration_s` through the JSON API at `post_url`, on schedule
  whatever the answers do. Each delivery's latency runs from just before its POST was sent to
  the moment a client has the frame, so it holds the whole path: the request, the commit, the
  wake-up (in the worker, or across workers through PostgreSQL or Redis), the hub's read and
  the send.
- `hold` (P5): opens `sockets` authenticated websockets, each subscribed to one thread, prints
  how many are open, keeps them idle until a line arrives on stdin, then says how many were
  still open and closes them.
- `paced-post` (P3): posts at a fixed rate with a fresh Idempotency-Key each, counting each
  latency from when the post was due (bench/plan_bench.py does the same for GET pages).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import sys
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import httpx
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake

from bench.plan_bench import PACED_PERCENTILES, PacedResult

DELIVERY_PERCENTILES = (50, 90, 99)
SUBSCRIBE_TIMEOUT_S = 30.0
POST_TIMEOUT_S = 10.0
# File descriptors beyond the sockets: the interpreter, its pipes, the HTTP clients.
SPARE_DESCRIPTORS = 256


def percentile(ordered: Sequence[float], percent: float) -> float:
    """Nearest rank, so p99 of 100 values is the 99th smallest."""
    if not ordered:
        return 0.0
    rank = max(1, -(-len(ordered) * percent // 100))
    return ordered[int(rank) - 1]


def raise_descriptor_limit(needed: int) -> int:
    """Lift this process's soft limit on open files to `needed` (at most the hard limit)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = needed if hard == resource.RLIM_INFINITY else min(needed, hard)
    if soft != resource.RLIM_INFINITY and soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
        return wanted
    return soft


def _subscribe_frame(plan: str, thread: str, after: int) -> str:
    return json.dumps({"type": "subscribe", "plan": plan, "thread": thread, "after": after})


def _message_url(base: str, plan: str, thread: str) -> str:
    return f"{base}/api/v1/plans/{plan}/threads/{thread}/messages"


async def last_seq(base: str, cookie: str, plan: str, thread: str) -> int:
    """The thread's newest sequence number: subscribers start after it, so the replay is
    empty and every message they get is one of this run's."""
    async with httpx.AsyncClient(headers={"Cookie": cookie}, trust_env=False) as client:
        answer = await client.get(f"{base}/api/v1/plans/{plan}/threads", timeout=POST_TIMEOUT_S)
    if answer.status_code != 200:
        raise RuntimeError(f"listing the plan's threads answered {answer.status_code}")
    found = [t for t in answer.json() if t["id"] == thread]
    if not found:
        raise RuntimeError(f"thread {thread} is not in the plan's list")
    return int(found[0]["last_seq"])


async def open_subscribed(
    ws_url: str, origin: str, cookie: str, plan: str, thread: str, after: int
) -> ClientConnection:
    """A websocket as a page opens it (Origin, session cookie, compression offered), subscribed
    to the thread; returns once the server has said so."""
    socket = await connect(
        ws_url,
        additional_headers={"Cookie": cookie, "Origin": origin},
        ping_interval=None,  # the server pings; idle pages answer
        open_timeout=SUBSCRIBE_TIMEOUT_S,
    )
    try:
        await socket.send(_subscribe_frame(plan, thread, after))
        async with asyncio.timeout(SUBSCRIBE_TIMEOUT_S):
            while True:
                frame = json.loads(await socket.recv())
                if frame.get("type") == "subscribed":
                    return socket
                if frame.get("type") == "error":
                    raise RuntimeError(f"subscribing was refused: {frame.get('code')}")
    except BaseException:
        await socket.close()
        raise


async def _bounded(
    count: int, concurrency: int, make: Callable[[int], Awaitable[ClientConnection]]
) -> tuple[list[ClientConnection], list[str]]:
    """Open `count` sockets, at most `concurrency` handshakes at a time."""
    gate = asyncio.Semaphore(concurrency)
    opened: list[ClientConnection] = []
    failures: list[str] = []

    async def one(number: int) -> None:
        async with gate:
            try:
                opened.append(await make(number))
            except (OSError, ConnectionClosed, InvalidHandshake, TimeoutError, RuntimeError) as e:
                failures.append(f"{type(e).__name__}: {e}")

    await asyncio.gather(*(one(number) for number in range(count)))
    return opened, failures


# --- delivery (P4, P6) ---------------------------------------------------------------------------


@dataclass
class DeliveryResult:
    subscribers: int
    rate: float
    posted: int  # posts the API accepted (201)
    post_errors: int
    expected: int  # posted × subscribers
    delivered: int  # frames of this run's posts the clients received
    percentiles_ms: dict[int, float] = field(default_factory=dict)  # 50, 90, 99
    max_ms: float = 0.0
    post_p99_ms: float = 0.0  # the POST's own answer time
    after_answer_p99_ms: float = 0.0  # from the POST's answer to the frame at a socket
    send_lag_p99_ms: float = 0.0  # how late the poster itself sent
    subscribe_failed: int = 0  # sockets that could not open or subscribe
    first_failure: str | None = None

    @property
    def missing(self) -> int:
        return max(0, self.expected - self.delivered)

    @classmethod
    def from_json(cls, found: dict[str, Any]) -> DeliveryResult:
        percentiles = {int(k): float(v) for k, v in found.pop("percentiles_ms").items()}
        return cls(**found, percentiles_ms=percentiles)


async def delivery(job: dict[str, Any]) -> DeliveryResult:
    plan, thread = str(job["plan"]), str(job["thread"])
    subscribers, rate = int(job["subscribers"]), float(job["rate"])
    duration_s, settle_s = float(job["duration_s"]), float(job.get("settle_s", 2.0))
    cookies: list[str] = list(job["socket_cookies"])
    raise_descriptor_limit(subscribers + SPARE_DESCRIPTORS)
    run = uuid.uuid4().hex[:12]
    after = await last_seq(job["post_url"], job["post_cookie"], plan, thread)

    def make(number: int) -> Awaitable[ClientConnection]:
        cookie = cookies[number % len(cookies)]
        return open_subscribed(job["ws_url"], job["origin"], cookie, plan, thread, after)

    sockets, failures = await _bounded(subscribers, 50, make)
    loop = asyncio.get_running_loop()
    sent: dict[int, float] = {}
    arrivals: list[tuple[int, float]] = []  # (post number, when a socket had it)
    answered: dict[int, float] = {}  # post number -> when its POST was answered (201)
    done = asyncio.Event()
    total = max(1, round(rate * duration_s))
    expected_per_post = len(sockets)

    async def receive(socket: ClientConnection) -> None:
        prefix = f"{run} "
        try:
            async for raw in socket:
                now = loop.time()
                frame = json.loads(raw)
                text = frame.get("text", "") if frame.get("type") == "message" else ""
                if text.startswith(prefix):
                    number = int(text[len(prefix) :].split(" ", 1)[0])
                    arrivals.append((number, now))
                    if len(arrivals) >= total * expected_per_post:
                        done.set()
        except ConnectionClosed:
            return

    receivers = [asyncio.create_task(receive(socket)) for socket in sockets]
    post_errors = 0
    post_times: list[float] = []
    lags: list[float] = []
    url = _message_url(job["post_url"], plan, thread)
    limits = httpx.Limits(max_connections=16, max_keepalive_connections=16)
    async with httpx.AsyncClient(
        headers={"Cookie": job["post_cookie"]},
        limits=limits,
        timeout=POST_TIMEOUT_S,
        trust_env=False,
    ) as client:

        async def post(number: int, due: float) -> None:
            nonlocal post_errors
            lags.append(loop.time() - due)
            sent[number] = loop.time()  # just before the request goes out
            try:
                answer = await client.post(
                    url,
                    json={"text": f"{run} {number} live delivery benchmark"},
                    headers={"Idempotency-Key": f"{run}-{number}"},
                )
                ok = answer.status_code == 201
            except httpx.HTTPError:
                ok = False
            if ok:
                answered[number] = loop.time()
                post_times.append(answered[number] - sent[number])
            else:
                post_errors += 1

        start = loop.time() + 0.05
        posts = []
        for number in range(total):
            due = start + number / rate
            wait = due - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
            posts.append(asyncio.create_task(post(number, due)))
        await asyncio.gather(*posts)
    if expected_per_post and len(arrivals) < total * expected_per_post:
        try:
            async with asyncio.timeout(settle_s):
                await done.wait()
        except TimeoutError:
            pass  # what has not come by now counts as missing
    for socket in sockets:
        await socket.close()
    await asyncio.gather(*receivers, return_exceptions=True)
    ordered = sorted(at - sent[number] for number, at in arrivals)
    # What delivery adds to the POST: from its answer to the frame (negative when the frame came
    # first), so a slow post and a slow wake-up are told apart.
    after_answer = sorted(at - answered[number] for number, at in arrivals if number in answered)
    return DeliveryResult(
        subscribers=len(sockets),
        rate=rate,
        posted=len(answered),
        post_errors=post_errors,
        expected=len(answered) * len(sockets),
        delivered=len(ordered),
        percentiles_ms={p: percentile(ordered, p) * 1000 for p in DELIVERY_PERCENTILES},
        max_ms=ordered[-1] * 1000 if ordered else 0.0,
        post_p99_ms=percentile(sorted(post_times), 99) * 1000,
        after_answer_p99_ms=percentile(after_answer, 99) * 1000,
        send_lag_p99_ms=percentile(sorted(lags), 99) * 1000,
        subscribe_failed=len(failures),
        first_failure=failures[0] if failures else None,
    )


# --- idle sockets (P5) ---------------------------------------------------------------------------


async def hold(job: dict[str, Any], lines: Callable[[], Awaitable[str]]) -> None:
    """Open the sockets, report, wait for a line from the harness, report again, close."""
    plan, thread, count = str(job["plan"]), str(job["thread"]), int(job["sockets"])
    cookies: list[str] = list(job["cookies"])
    limit = raise_descriptor_limit(count + SPARE_DESCRIPTORS)
    after = await last_seq(job["base_url"], cookies[0], plan, thread)

    def make(number: int) -> Awaitable[ClientConnection]:
        cookie = cookies[number % len(cookies)]
        return open_subscribed(job["ws_url"], job["origin"], cookie, plan, thread, after)

    sockets, failures = await _bounded(count, int(job.get("concurrency", 50)), make)
    _emit(
        {
            "opened": len(sockets),
            "failed": len(failures),
            "first_failure": failures[0] if failures else None,
            "descriptor_limit": limit,
        }
    )
    await lines()
    still_open = sum(1 for socket in sockets if socket.close_code is None)
    _emit({"still_open": still_open})
    await asyncio.gather(*(socket.close() for socket in sockets), return_exceptions=True)


# --- posts at a fixed rate (P3) ------------------------------------------------------------------


async def paced_post(job: dict[str, Any]) -> PacedResult:
    """POST `rate` times a second for `duration_s` across `urls` in turn, on schedule, over at
    most `connections` keep-alive connections; each with an Idempotency-Key of its own."""
    urls: list[str] = list(job["urls"])
    rate, duration_s = float(job["rate"]), float(job["duration_s"])
    connections = int(job["connections"])
    if rate <= 0 or duration_s <= 0 or not urls:
        raise ValueError("a fixed-rate run needs a positive rate and duration and a URL")
    loop = asyncio.get_running_loop()
    run = uuid.uuid4().hex[:12]
    total = max(1, round(rate * duration_s))
    latencies: list[float] = []
    lags: list[float] = []
    errors = 0
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    async with httpx.AsyncClient(
        headers={"Cookie": job["cookie"]}, limits=limits, timeout=POST_TIMEOUT_S, trust_env=False
    ) as client:

        async def one(number: int, due: float) -> None:
            nonlocal errors
            lags.append(loop.time() - due)
            try:
                answer = await client.post(
                    urls[number % len(urls)],
                    json={"text": f"Benchmark post {number} at a fixed rate."},
                    headers={"Idempotency-Key": f"{run}-{number}"},
                )
                ok = answer.status_code == 201
            except httpx.HTTPError:
                ok = False
            if ok:
                latencies.append(loop.time() - due)
            else:
                errors += 1

        start = loop.time() + 0.05
        tasks = []
        for number in range(total):
            due = start + number / rate
            wait = due - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
            tasks.append(asyncio.create_task(one(number, due)))
        await asyncio.gather(*tasks)
        elapsed = loop.time() - start
    ordered = sorted(latencies)
    return PacedResult(
        target_rate=rate,
        achieved_rate=len(ordered) / elapsed if elapsed > 0 else 0.0,
        requests=total,
        percentiles_ms={p: percentile(ordered, p) * 1000 for p in PACED_PERCENTILES},
        max_ms=(ordered[-1] * 1000) if ordered else 0.0,
        errors=errors,
        send_lag_p99_ms=percentile(sorted(lags), 99) * 1000,
    )


# --- the command ---------------------------------------------------------------------------------


def _emit(found: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(found) + "\n")
    sys.stdout.flush()


async def _main(command: str) -> None:
    loop = asyncio.get_running_loop()

    async def line() -> str:
        return await loop.run_in_executor(None, sys.stdin.readline)

    job: dict[str, Any] = json.loads(await line())
    if command == "delivery":
        _emit(asdict(await delivery(job)))
    elif command == "hold":
        await hold(job, line)
    else:
        _emit(asdict(await paced_post(job)))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.messaging_load")
    parser.add_argument("command", choices=["delivery", "hold", "paced-post"])
    command: str = parser.parse_args(argv).command
    try:
        import uvloop  # the same event loop as the servers; plain asyncio if it is missing

        runner: Any = uvloop.run
    except ImportError:
        runner = asyncio.run
    runner(_main(command))
    return 0


if __name__ == "__main__":
    sys.exit(main())
