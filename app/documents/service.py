"""Uploaded documents: signed consent forms and powers of attorney, stored as checked PDFs.

These functions store and read bytes only; whoever calls them has already asked the access
module whether the actor may upload or read the document.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
import uuid
from urllib.parse import quote

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.clock import Clock
from app.errors import InvalidInput, NotFound, TooLarge
from app.i18n import gettext_noop
from app.models import Document, DocumentKind

MAX_BYTES = 10 * 1024 * 1024
PDF_CONTENT_TYPE = "application/pdf"
DEFAULT_FILENAME = "dokument.pdf"
MAX_FILENAME_LENGTH = 200
# The PDF trailer ends the file; writers may add a little after it (PDF 32000-1, 7.5.5).
EOF_WINDOW = 1024

EMPTY_FILE = gettext_noop("The file is empty. Choose a PDF file.")
FILE_TOO_LARGE = gettext_noop("The file is larger than 10 MB. Choose a smaller PDF file.")
NOT_A_PDF = gettext_noop("The file is not a PDF. Choose a PDF file.")
DOCUMENT_NOT_FOUND = gettext_noop("We could not find that document.")

# Eleven digits, perhaps split by spaces, dots or dashes: it may be an identity number (R-ID-3).
_IDENTITY_NUMBER_LIKE = re.compile(r"\d(?:[\s._-]?\d){10}")
_UNSAFE = re.compile(r"[^\w.()\- ]+")
_SPACES = re.compile(r"\s+")


def check_pdf(content: bytes) -> None:
    """Refuse an empty file, a file over 10 MB, and anything that is not a PDF."""
    if not content:
        raise InvalidInput(EMPTY_FILE, code="empty_file")
    if len(content) > MAX_BYTES:
        raise TooLarge(FILE_TOO_LARGE, code="file_too_large")
    if not content.startswith(b"%PDF-") or b"%%EOF" not in content[-EOF_WINDOW:]:
        raise InvalidInput(NOT_A_PDF, code="not_a_pdf")


def safe_filename(filename: str | None) -> str:
    """A name fit to show and to send in Content-Disposition: a plain basename ending in .pdf.

    Anything that looks like an identity number is dropped, so the stored name can never be
    derived from one (R-ID-3).
    """
    name = unicodedata.normalize("NFC", filename or "")
    name = re.split(r"[/\\]", name)[-1]
    name = "".join(char for char in name if unicodedata.category(char)[0] != "C")
    name = _IDENTITY_NUMBER_LIKE.sub("", name)
    name = _UNSAFE.sub("_", name)
    name = _SPACES.sub(" ", name).strip()
    stem = name[:-4] if name.lower().endswith(".pdf") else name
    stem = stem.strip(" ._-")
    if not stem:
        return DEFAULT_FILENAME
    return stem[: MAX_FILENAME_LENGTH - 4].rstrip(" ._-") + ".pdf"


def content_disposition(filename: str) -> str:
    """The Content-Disposition of a download: an attachment, with an ASCII fallback name."""
    name = safe_filename(filename)
    fallback = name.encode("ascii", "replace").decode().replace("?", "_")
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name)}"


async def store_pdf(
    session: AsyncSession,
    *,
    municipality_id: uuid.UUID,
    kind: DocumentKind,
    filename: str,
    content: bytes,
    uploaded_by_person_id: uuid.UUID | None = None,
    uploaded_by_employee_id: uuid.UUID | None = None,
    clock: Clock,
) -> Document:
    """Check and store a PDF. Raises InvalidInput (empty, not a PDF) or TooLarge (over 10 MB)."""
    check_pdf(content)
    document = Document(
        municipality_id=municipality_id,
        kind=kind,
        filename=safe_filename(filename),
        content_type=PDF_CONTENT_TYPE,
        size=len(content),
        sha256=hashlib.sha256(content).digest(),
        content=content,
        uploaded_by_person_id=uploaded_by_person_id,
        uploaded_by_employee_id=uploaded_by_employee_id,
        created_at=clock.now(),
    )
    session.add(document)
    await session.flush()
    return document


async def read_content(session: AsyncSession, document_id: uuid.UUID) -> tuple[Document, bytes]:
    """The document and its bytes. The caller has already passed an access check."""
    document = await session.get(Document, document_id)
    if document is None:
        raise NotFound(DOCUMENT_NOT_FOUND, code="document_not_found")
    content = await session.scalar(select(Document.content).where(Document.id == document_id))
    return document, content or b""
