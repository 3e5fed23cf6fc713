"""HTML to PDF with WeasyPrint: off the event loop, and reading nothing but app/static.

WeasyPrint needs the Pango system libraries. It is imported on first use, so the portal starts
without them; `PdfUnavailable` then tells the caller to answer 503. Whether WeasyPrint loads is
settled once per process: installing Pango later needs a restart.
"""

from __future__ import annotations

import asyncio
import importlib
import mimetypes
import threading
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit
from urllib.request import url2pathname

STATIC_DIR = (Path(__file__).parent.parent / "static").resolve()

# WeasyPrint promises no thread safety (Pango and fontconfig underneath): one render at a time.
_RENDER_LOCK = threading.Lock()


class PdfUnavailable(Exception):
    """WeasyPrint, or the Pango libraries it loads, is missing on this server."""


class ResourceRefused(ValueError):
    """A document asked for something that is not a file under app/static.

    A ValueError, so WeasyPrint treats it like any failed fetch: a warning, and the rendering
    goes on without the resource.
    """


def pdf_available() -> bool:
    return not isinstance(_load_weasyprint(), str)


async def render_pdf(html: str, *, base_url: str, title: str) -> bytes:
    """The PDF of `html`; `title` becomes the PDF's metadata title.

    `base_url` is the portal's address the page's links are relative to (the request's base URL),
    so "/static/print.css" and "{base_url}/static/print.css" both read app/static/print.css.
    """
    weasyprint = _weasyprint()
    return await asyncio.to_thread(_render, weasyprint, html, base_url, title)


def static_file_for(url: str, *, base_url: str) -> Path:
    """The file under app/static that `url` names; ResourceRefused for anything else.

    Decided from the URL string alone, before any I/O: no network, no file outside app/static.
    """
    parts = urlsplit(url)
    if parts.scheme == "file":
        candidate = Path(url2pathname(parts.path))
    else:
        static_root = urlsplit(urljoin(base_url.rstrip("/") + "/", "static/"))
        same_origin = (parts.scheme, parts.netloc.lower()) == (
            static_root.scheme,
            static_root.netloc.lower(),
        )
        if not same_origin or not parts.path.startswith(static_root.path):
            raise ResourceRefused(f"Only the portal's static files go into a PDF, not {url}")
        candidate = STATIC_DIR / unquote(parts.path.removeprefix(static_root.path))
    resolved = candidate.resolve()
    if not resolved.is_relative_to(STATIC_DIR) or not resolved.is_file():
        raise ResourceRefused(f"Not a file under the portal's static files: {url}")
    return resolved


def static_url_fetcher(base_url: str) -> Any:
    """A WeasyPrint URL fetcher that serves app/static and refuses everything else."""
    return _fetcher_class()(base_url)


def _weasyprint() -> ModuleType:
    loaded = _load_weasyprint()
    if isinstance(loaded, str):
        raise PdfUnavailable(
            f"PDF rendering is unavailable: WeasyPrint cannot be loaded ({loaded}). "
            "Install the Pango libraries (scripts/install-pdf-deps.sh) and restart."
        )
    return loaded


@cache
def _load_weasyprint() -> ModuleType | str:
    """The weasyprint module, or why it cannot be loaded (a missing package or Pango library)."""
    try:
        return importlib.import_module("weasyprint")
    except (ImportError, OSError) as error:
        return f"{type(error).__name__}: {error}"


@cache
def _fetcher_class() -> type[Any]:
    # Defined on first use: the base class lives in WeasyPrint, which is imported lazily.
    _weasyprint()
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticFilesOnly(URLFetcher):  # type: ignore[misc]  # WeasyPrint ships no type hints
        def __init__(self, base_url: str) -> None:
            super().__init__(allow_redirects=False)
            self._base_url = base_url

        def fetch(self, url: str, headers: object = None) -> Any:
            path = static_file_for(url, base_url=self._base_url)
            content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            if content_type.startswith("text/"):
                content_type += "; charset=utf-8"
            return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": content_type})

    return StaticFilesOnly


def _render(weasyprint: ModuleType, html: str, base_url: str, title: str) -> bytes:
    source = weasyprint.HTML(
        string=html, base_url=base_url, url_fetcher=static_url_fetcher(base_url)
    )
    with _RENDER_LOCK:
        document = source.render()
        document.metadata.title = title
        # Tagged: screen readers get headings, lists and tables, not a stream of words.
        pdf: bytes = document.write_pdf(pdf_tags=True)
    return pdf
