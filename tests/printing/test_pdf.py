"""Plan PDFs: real WeasyPrint renders with print.css, read back with pypdf."""

from __future__ import annotations

import asyncio
import io
import logging
import socket
from typing import Any

import pypdf
import pytest

from app.printing import pdf
from app.printing.pdf import (
    STATIC_DIR,
    PdfUnavailable,
    ResourceRefused,
    pdf_available,
    render_pdf,
    static_file_for,
    static_url_fetcher,
)

BASE_URL = "http://testserver"
PERIOD = "1. januar 2026 – 31. desember 2026"


def plan_page(body: str) -> str:
    """A print page as a template would write it: print.css, running texts, then content."""
    return f"""<!doctype html>
<html lang="nb">
<head><meta charset="utf-8"><title>Ignored</title>
<link rel="stylesheet" href="/static/print.css"></head>
<body><main class="print-document">
<div class="print-running" aria-hidden="true">
  <span class="print-title">Plan for Testperson</span>
  <span class="print-period">{PERIOD}</span>
  <span class="print-page-word">Side</span>
  <span class="print-of-word">av</span>
</div>
<p class="no-print"><button>Skriv ut</button></p>
{body}
</main></body></html>"""


TWO_PAGES = plan_page(
    """<h1>Individuell plan</h1>
<dl class="print-facts"><div><dt>Koordinator</dt><dd>Kari Koordinator</dd></div></dl>
<h2>Mål</h2>
"""
    + "<p>Jeg vil bo hjemme og gå på skole. Æ, ø og å skal vises riktig.</p>" * 12
    + """<h2 style="break-before: page">Tiltak</h2>
<table class="print-actions">
  <thead><tr><th>Tiltak</th><th>Ansvarlig</th><th>Status</th></tr></thead>
  <tbody><tr><td>Støttekontakt to dager i uka</td><td>Helse og omsorg</td><td>Pågår</td></tr>
  </tbody>
</table>"""
)


def read(document: bytes) -> pypdf.PdfReader:
    return pypdf.PdfReader(io.BytesIO(document))


async def test_the_pdf_has_its_title_and_a_translated_footer_with_period_and_page_numbers() -> None:
    document = await render_pdf(TWO_PAGES, base_url=BASE_URL, title="Individuell plan 2026")

    assert document.startswith(b"%PDF")
    reader = read(document)
    assert len(reader.pages) == 2
    assert reader.metadata is not None and reader.metadata.title == "Individuell plan 2026"
    first, second = (page.extract_text() for page in reader.pages)
    assert "Side 1 av 2" in first and "Side 2 av 2" in second
    assert PERIOD in first and PERIOD in second
    # The running title repeats above every page but the first, which has the real heading.
    assert "Plan for Testperson" not in first and "Plan for Testperson" in second
    # The running words themselves are not drawn in the text, and screen-only controls not at all.
    assert first.count("Side") == 1
    assert "Skriv ut" not in first
    assert "Støttekontakt to dager i uka" in second


async def test_the_pdf_uses_the_vendored_font_and_is_tagged_for_screen_readers() -> None:
    reader = read(await render_pdf(TWO_PAGES, base_url=BASE_URL, title="Plan"))

    fonts = {
        str(font.get_object()["/BaseFont"]).split("+")[-1]
        for page in reader.pages
        for font in page["/Resources"]["/Font"].values()
    }
    assert fonts == {"Inter", "Inter-Bold"}
    catalog = reader.trailer["/Root"]
    assert "/StructTreeRoot" in catalog
    assert catalog["/Lang"] == "nb"


async def test_print_css_gives_weasyprint_nothing_to_warn_about(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        await render_pdf(TWO_PAGES, base_url=BASE_URL, title="Plan")
    assert [record.getMessage() for record in caplog.records] == []


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com/",
        "https://example.com/static/print.css",
        "file:///etc/passwd",
        "http://testserver/api/plans",
        "http://testserver/static/../../pyproject.toml",
        "http://testserver/static/%2e%2e/printing/pdf.py",
        STATIC_DIR.as_uri() + "/../printing/pdf.py",
        "http://testserver/static/vendor/fonts",
        "http://testserver/static/no-such-file.css",
        "data:text/css,body{color:red}",
    ],
)
def test_the_fetcher_refuses_anything_but_static_files_before_any_network_io(
    url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_network(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the fetcher went to the network")

    monkeypatch.setattr(socket, "getaddrinfo", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(socket.socket, "connect", no_network)

    with pytest.raises(ResourceRefused):
        static_url_fetcher(BASE_URL).fetch(url)


@pytest.mark.parametrize(
    ("url", "base_url"),
    [
        ("http://testserver/static/print.css", "http://testserver"),
        ("http://TESTSERVER/static/print.css", "http://testserver/"),
        ("https://samplan.example/samplan/static/print.css", "https://samplan.example/samplan/"),
        ((STATIC_DIR / "print.css").as_uri(), "http://testserver"),
    ],
)
def test_the_fetcher_serves_files_under_static(url: str, base_url: str) -> None:
    response = static_url_fetcher(base_url).fetch(url)

    assert response.content_type == "text/css"
    assert response.read() == (STATIC_DIR / "print.css").read_bytes()
    assert static_file_for(url, base_url=base_url) == STATIC_DIR / "print.css"


async def test_a_page_pointing_outside_static_still_renders_and_fetches_nothing(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    connections: list[object] = []

    def record_connection(*args: Any, **kwargs: Any) -> Any:
        connections.append(args)
        raise OSError("no network in this test")

    monkeypatch.setattr(socket, "getaddrinfo", record_connection)
    monkeypatch.setattr(socket, "create_connection", record_connection)
    monkeypatch.setattr(socket.socket, "connect", record_connection)
    page = plan_page(
        '<h1>Plan</h1><img src="http://example.com/tracker.png" alt="">'
        '<link rel="stylesheet" href="file:///etc/passwd">'
    )

    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        document = await render_pdf(page, base_url=BASE_URL, title="Plan")

    assert document.startswith(b"%PDF")
    assert connections == []
    refusals = [record.getMessage() for record in caplog.records]
    assert any("http://example.com/tracker.png" in line for line in refusals)
    assert any("file:///etc/passwd" in line for line in refusals)
    assert all("ResourceRefused" in line for line in refusals)


async def test_rendering_runs_off_the_event_loop() -> None:
    ticks = 0

    async def tick() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0)

    ticker = asyncio.create_task(tick())
    try:
        await render_pdf(TWO_PAGES, base_url=BASE_URL, title="Plan")
    finally:
        ticker.cancel()
    assert ticks > 1


async def test_without_weasyprint_or_pango_the_caller_gets_pdf_unavailable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert pdf_available()
    monkeypatch.setattr(
        pdf, "_load_weasyprint", lambda: "OSError: cannot load library 'libpango-1.0-0'"
    )

    assert not pdf_available()
    with pytest.raises(PdfUnavailable, match="Pango"):
        await render_pdf(TWO_PAGES, base_url=BASE_URL, title="Plan")
