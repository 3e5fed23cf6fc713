"""The messaging rows' results and their section of bench/REPORT.md (P4, P5, P6, P7's history).

P3 (posting) and the pages the other rows read over HTTP are ordinary `Measurement`s in the
HTTP results table; this section holds what wrk cannot measure: post → delivered latency over
websockets, the cost of idle sockets, and page 1 against page 1,000 of a thread's history.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from bench.messaging_load import DELIVERY_PERCENTILES, DeliveryResult
from bench.plan_bench import PacedResult
from bench.report import Measurement

# spec/quality.md
P4_P99_BAR_MS = 50.0
P5_SOCKETS = 2_000
P5_KIB_PER_SOCKET_BAR = 100.0
P5_P99_WORSE_BAR = 0.20
P6_P99_BAR_MS = 20.0
P7_HISTORY_TOLERANCE = 0.20

SECTION_TITLE = "## Messages: live delivery, idle websockets, history pages"


@dataclass
class DeliveryRow:
    """P4 (one worker) or P6 (across two workers, one fan-out backend)."""

    id: str
    label: str
    fanout: str
    p99_bar_ms: float
    result: DeliveryResult | None = None
    server_cpu_pct: float | None = None  # all workers together
    error: str | None = None

    def verdict(self) -> str:
        result = self.result
        if self.error is not None or result is None:
            return "ERROR"
        missed = []
        if result.subscribe_failed:
            missed.append(f"{result.subscribe_failed} sockets not subscribed")
        if result.post_errors:
            missed.append(f"{result.post_errors} posts failed")
        if result.missing:
            missed.append(f"{result.missing} deliveries missing")
        if result.percentiles_ms[99] > self.p99_bar_ms:
            missed.append("p99")
        return f"FAIL ({', '.join(missed)})" if missed else "pass"


@dataclass
class IdleRow:
    """P5: idle authenticated websockets in one worker, and the plan page's p99 beside them."""

    sockets_wanted: int
    opened: int = 0
    failed: int = 0
    first_failure: str | None = None
    still_open: int | None = None  # when the harness let go of them
    rss_before_kib: int | None = None
    rss_after_kib: int | None = None
    without: PacedResult | None = None  # the plan page at half its rate, no sockets open
    with_sockets: PacedResult | None = None  # the same rate with the sockets open
    error: str | None = None

    @property
    def kib_per_socket(self) -> float | None:
        if self.rss_before_kib is None or self.rss_after_kib is None or not self.opened:
            return None
        return (self.rss_after_kib - self.rss_before_kib) / self.opened

    @property
    def p99_worse_by(self) -> float | None:
        """How much higher the p99 was with the sockets open, as a fraction (0.1 = 10 %)."""
        if self.without is None or self.with_sockets is None:
            return None
        before = self.without.percentiles_ms[99]
        return self.with_sockets.percentiles_ms[99] / before - 1 if before > 0 else None

    def verdict(self) -> str:
        per_socket, worse = self.kib_per_socket, self.p99_worse_by
        if self.error is not None or per_socket is None or worse is None:
            return "ERROR"
        missed = []
        if self.opened < self.sockets_wanted:
            missed.append(f"{self.sockets_wanted - self.opened} sockets not opened")
        if self.still_open is not None and self.still_open < self.opened:
            missed.append(f"{self.opened - self.still_open} dropped while idle")
        errors = sum(p.errors for p in (self.without, self.with_sockets) if p is not None)
        if errors:
            missed.append(f"{errors} page errors")
        if per_socket > P5_KIB_PER_SOCKET_BAR:
            missed.append("memory")
        if worse > P5_P99_WORSE_BAR:
            missed.append("p99")
        return f"FAIL ({', '.join(missed)})" if missed else "pass"


@dataclass
class HistoryRow:
    """P7: the newest page of a long thread against its oldest, both over the JSON API."""

    messages: int
    pages: int
    first: Measurement | None = None
    last: Measurement | None = None
    error: str | None = None

    @property
    def ratio(self) -> float | None:
        """Requests/s of the oldest page over those of the newest."""
        first = self.first.result if self.first else None
        last = self.last.result if self.last else None
        if first is None or last is None or first.requests_per_sec <= 0:
            return None
        return last.requests_per_sec / first.requests_per_sec

    def verdict(self) -> str:
        ratio = self.ratio
        if self.error is not None or ratio is None:
            return "ERROR"
        errors = sum(m.result.errors for m in (self.first, self.last) if m is not None and m.result)
        if errors:
            return f"FAIL ({errors} errors)"
        return "pass" if ratio >= 1 - P7_HISTORY_TOLERANCE else "FAIL (page 1,000 slower)"


@dataclass
class MessagingResults:
    delivery: list[DeliveryRow] = field(default_factory=list)
    idle: IdleRow | None = None
    history: HistoryRow | None = None
    notes: list[str] = field(default_factory=list)  # e.g. a fan-out backend that was not run

    @property
    def empty(self) -> bool:
        return not self.delivery and self.idle is None and self.history is None


# --- rendering ----------------------------------------------------------------------------------


def _ms(value: float | None) -> str:
    return f"{value:.2f}" if value is not None else "—"


def _table(header: Sequence[str], rows: Sequence[Sequence[str]], align: str) -> list[str]:
    rule = [{"l": "---", "r": "---:"}[letter] for letter in align]
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join(rule) + " |"]
    lines += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in rows]
    return lines


def _mib(kib: int | None) -> str:
    return f"{kib / 1024:.1f}" if kib is not None else "—"


def delivery_table(rows: Sequence[DeliveryRow]) -> list[str]:
    body = []
    for row in rows:
        r = row.result
        body.append(
            [
                row.id,
                row.label,
                row.fanout,
                str(r.subscribers) if r else "—",
                f"{r.rate:.0f}" if r else "—",
                f"{r.delivered:,} / {r.expected:,}" if r else "—",
                *(_ms(r.percentiles_ms[p]) if r else "—" for p in DELIVERY_PERCENTILES),
                _ms(r.max_ms) if r else "—",
                _ms(r.post_p99_ms) if r else "—",
                _ms(r.after_answer_p99_ms) if r else "—",
                f"≤ {row.p99_bar_ms:.0f}",
                f"{row.server_cpu_pct:.0f}" if row.server_cpu_pct is not None else "—",
                _ms(r.send_lag_p99_ms) if r else "—",
                row.verdict(),
            ]
        )
    header = [
        "Id",
        "What",
        "Fan-out",
        "Sockets",
        "posts/s",
        "Delivered / expected",
        *(f"p{p} ms" for p in DELIVERY_PERCENTILES),
        "max ms",
        "POST p99 ms",
        "after its answer p99 ms",
        "p99 bar ms",
        "server CPU %",
        "send lag p99 ms",
        "Result",
    ]
    return _table(header, body, "lllrrr" + "r" * len(DELIVERY_PERCENTILES) + "rrrrrrl")


def idle_table(row: IdleRow) -> list[str]:
    per_socket, worse = row.kib_per_socket, row.p99_worse_by
    body = [
        [
            f"{row.opened:,} / {row.sockets_wanted:,}",
            f"{row.still_open:,}" if row.still_open is not None else "—",
            _mib(row.rss_before_kib),
            _mib(row.rss_after_kib),
            f"{per_socket:.1f}" if per_socket is not None else "—",
            f"≤ {P5_KIB_PER_SOCKET_BAR:.0f}",
            f"{row.without.target_rate:.1f}" if row.without else "—",
            _ms(row.without.percentiles_ms[99]) if row.without else "—",
            _ms(row.with_sockets.percentiles_ms[99]) if row.with_sockets else "—",
            f"{worse * 100:+.0f} %" if worse is not None else "—",
            f"≤ +{P5_P99_WORSE_BAR * 100:.0f} %",
            row.verdict(),
        ]
    ]
    header = [
        "Sockets open / wanted",
        "still open at the end",
        "server RSS before MiB",
        "after MiB",
        "KiB per socket",
        "Bar",
        "plan page req/s (half rate)",
        "p99 ms, no sockets",
        "p99 ms, sockets open",
        "p99 change",
        "Bar",
        "Result",
    ]
    return _table(header, body, "rrrrrrrrrrrl")


def history_table(row: HistoryRow) -> list[str]:
    first = row.first.result if row.first else None
    last = row.last.result if row.last else None
    ratio = row.ratio
    body = [
        [
            f"{row.messages:,} messages",
            f"{first.requests_per_sec:,.0f}" if first else "—",
            f"{last.requests_per_sec:,.0f}" if last else "—",
            f"{ratio:.3f}" if ratio is not None else "—",
            f"≥ {1 - P7_HISTORY_TOLERANCE:.2f}",
            _ms(first.percentiles_ms[50]) if first else "—",
            _ms(last.percentiles_ms[50]) if last else "—",
            row.verdict(),
        ]
    ]
    pages = f"{row.pages:,}"
    header = [
        "Thread",
        "page 1 req/s",
        f"page {pages} req/s",
        f"{pages} ÷ 1",
        "Bar",
        "page 1 p50 ms",
        f"page {pages} p50 ms",
        "Result",
    ]
    return _table(header, body, "lrrrrrrl")


DELIVERY_NOTE = (
    "Post → delivered: a poster sends posts at a fixed rate through the JSON API (`POST "
    ".../threads/{thread}/messages`, an Idempotency-Key each) while websocket clients (JSON "
    "frames, compression offered as browsers do) are subscribed to the thread; each latency "
    "runs from just before the POST went out to the frame's arrival at one client, so it holds "
    "the request, the commit, the wake-up, the hub's read and the send. Posters and clients run "
    "in one process on the load core (bench/messaging_load.py). P4: one worker, in-process "
    "wake-up. P6: two workers on one database; the clients are on worker B, the posts go "
    "through worker A, the wake-up crosses by the named fan-out. POST p99: the post's own answer "
    "time; after its answer: from that answer to the frame at a socket (what the wake-up, the "
    "hub's read and the send add; below zero when the frame came first). When the POST p99 is "
    "close to the delivery p99, the posts queued: the poster's rate is above what the worker "
    "takes. Send lag: how late the poster itself was; above a few ms the load core, not the "
    "server, was the limit."
)
IDLE_NOTE = (
    f"{P5_SOCKETS:,} websockets opened to one worker by one client process on the load core, "
    "spread over a few logged-in sessions of the plan owner, each subscribed to the same thread "
    "and then idle (the server's pings answered). KiB per socket: the worker's resident memory "
    "with them open less before, over the sockets opened. The plan page is P2's measurement "
    "(wrk for the maximum rate, then the fixed-rate run at half of it); with the sockets open "
    "it is run again at the same rate."
)
HISTORY_NOTE = (
    "`GET /api/v1/plans/{plan}/threads/{thread}` of a thread with 50 messages for each "
    "page number, bulk-inserted (bench/messaging_data.py): the newest page (no `before`) "
    "against the oldest (`before=51`: messages 1 to 50). wrk as for the plan rows "
    "(same connections, warm-up and duration); both rows also appear in the results above. "
    "Keyset pagination on the sequence number should make them cost the same."
)


def render_messaging_section(results: MessagingResults) -> str:
    lines = [
        SECTION_TITLE,
        "",
        "P3 (posting a message) is in the results above: its bar is a throughput against R0 "
        "and a p99 at half of it, like the plan rows.",
        "",
    ]
    if results.delivery:
        lines += [
            "### P4, P6: post → delivered",
            "",
            *delivery_table(results.delivery),
            "",
            DELIVERY_NOTE,
            "",
        ]
    if results.idle is not None:
        lines += ["### P5: idle websockets", "", *idle_table(results.idle), "", IDLE_NOTE, ""]
    if results.history is not None:
        pages = f"{results.history.pages:,} pages, {results.history.messages:,} messages"
        lines += [
            f"### P7: a thread's history, page 1 against page {results.history.pages:,}",
            "",
            *history_table(results.history),
            "",
            f"The thread: {pages}. " + HISTORY_NOTE,
            "",
        ]
    lines += [f"- {note}" for note in results.notes]
    if results.notes:
        lines.append("")
    return "\n".join(lines)


def with_messaging_section(report: str, results: MessagingResults) -> str:
    """The report with the messaging section before its Method section."""
    if results.empty:
        return report
    marker = "\n## Method\n"
    section = render_messaging_section(results)
    if marker not in report:
        return report.rstrip("\n") + "\n\n" + section
    return report.replace(marker, "\n" + section + marker, 1)


def render_messaging_summary(results: MessagingResults) -> str:
    """For stdout: one line per row."""
    if results.empty:
        return ""
    lines = [""]
    for row in results.delivery:
        r = row.result
        p99 = f"p99 {r.percentiles_ms[99]:.1f} ms" if r else "no result"
        lines.append(f"{row.id} {row.label} ({row.fanout}): {p99}: {row.verdict()}")
    if results.idle is not None:
        idle, per_socket = results.idle, results.idle.kib_per_socket
        worse = idle.p99_worse_by
        lines.append(
            f"P5 {idle.opened:,} idle websockets: "
            + (f"{per_socket:.1f} KiB each" if per_socket is not None else "memory unknown")
            + (f", plan page p99 {worse * 100:+.0f} %" if worse is not None else "")
            + f": {idle.verdict()}"
        )
    if results.history is not None:
        ratio = results.history.ratio
        lines.append(
            f"P7 history page {results.history.pages:,} ÷ page 1: "
            + (f"{ratio:.3f}" if ratio is not None else "—")
            + f": {results.history.verdict()}"
        )
    return "\n".join(lines) + "\n"
