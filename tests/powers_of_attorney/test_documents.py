"""app/documents/service.py: PDFs are checked, named safely and stored with their digest."""

from __future__ import annotations

import hashlib
import uuid

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from app.documents import service as documents
from app.errors import InvalidInput, NotFound, TooLarge
from app.models import Document, DocumentKind
from tests.factories import make_municipality, make_person
from tests.support.clock import FrozenClock

PDF = b"%PDF-1.7\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


async def _store(
    session: AsyncSession, clock: FrozenClock, content: bytes, filename: str = "fullmakt.pdf"
) -> Document:
    municipality = await make_municipality(session, clock=clock)
    return await documents.store_pdf(
        session,
        municipality_id=municipality.id,
        kind=DocumentKind.POWER_OF_ATTORNEY,
        filename=filename,
        content=content,
        clock=clock,
    )


async def test_store_pdf_keeps_digest_size_type_and_content(
    session: AsyncSession, clock: FrozenClock
) -> None:
    person = await make_person(session, clock=clock)
    municipality = await make_municipality(session, clock=clock)
    document = await documents.store_pdf(
        session,
        municipality_id=municipality.id,
        kind=DocumentKind.POWER_OF_ATTORNEY,
        filename="Fullmakt signert.pdf",
        content=PDF,
        uploaded_by_person_id=person.id,
        clock=clock,
    )
    assert document.sha256 == hashlib.sha256(PDF).digest()
    assert document.size == len(PDF)
    assert document.content_type == "application/pdf"
    assert document.filename == "Fullmakt signert.pdf"
    assert document.uploaded_by_person_id == person.id
    assert document.created_at == clock.now()

    session.expunge_all()
    stored, content = await documents.read_content(session, document.id)
    assert content == PDF
    assert stored.kind is DocumentKind.POWER_OF_ATTORNEY


async def test_store_pdf_refuses_an_empty_file(session: AsyncSession, clock: FrozenClock) -> None:
    with pytest.raises(InvalidInput) as caught:
        await _store(session, clock, b"")
    assert caught.value.error_code == "empty_file"


async def test_store_pdf_refuses_a_file_over_10_mb(
    session: AsyncSession, clock: FrozenClock
) -> None:
    big = b"%PDF-1.7\n" + b"0" * documents.MAX_BYTES + b"\n%%EOF\n"
    with pytest.raises(TooLarge) as caught:
        await _store(session, clock, big)
    assert caught.value.error_code == "file_too_large"


async def test_store_pdf_accepts_exactly_10_mb(session: AsyncSession, clock: FrozenClock) -> None:
    head, tail = b"%PDF-1.7\n", b"\n%%EOF\n"
    exact = head + b"0" * (documents.MAX_BYTES - len(head) - len(tail)) + tail
    document = await _store(session, clock, exact)
    assert document.size == documents.MAX_BYTES


@pytest.mark.parametrize(
    "content",
    [
        b"GIF89a not a pdf at all",
        b"%PDF-1.7\nno trailer here",
        b"%PDF-1.7\n%%EOF" + b"x" * 2048,  # the end-of-file marker is far from the end
        b"  %PDF-1.7\n%%EOF",  # must start with the header
        b"MZ\x90\x00%PDF-1.7\n%%EOF",
    ],
)
async def test_store_pdf_refuses_what_is_not_a_pdf(
    session: AsyncSession, clock: FrozenClock, content: bytes
) -> None:
    with pytest.raises(InvalidInput) as caught:
        await _store(session, clock, content)
    assert caught.value.error_code == "not_a_pdf"
    assert "PDF" in caught.value.detail


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("fullmakt.pdf", "fullmakt.pdf"),
        ("../../etc/passwd", "passwd.pdf"),
        ("C:\\Users\\per\\Fullmakt.PDF", "Fullmakt.pdf"),
        ("", "dokument.pdf"),
        (".pdf", "dokument.pdf"),
        ("fullmakt\x00\r\n.pdf", "fullmakt.pdf"),
        ("<script>alert(1)</script>.pdf", "script.pdf"),
        ("<b>alert(1).pdf", "b_alert(1).pdf"),
        ("fullmakt for Åse.pdf", "fullmakt for Åse.pdf"),
        ('fullmakt "quoted";.pdf', "fullmakt _quoted.pdf"),
    ],
)
def test_safe_filename_keeps_a_plain_basename(given: str, stored: str) -> None:
    assert documents.safe_filename(given) == stored


@pytest.mark.parametrize(
    "given",
    [
        "17059012345.pdf",
        "fullmakt 170590 12345.pdf",
        "170590-12345",
        "fullmakt_17.05.90.123.45.pdf",
    ],
)
def test_r_id_3_filename_never_carries_an_identity_number(given: str) -> None:
    name = documents.safe_filename(given)
    digits = "".join(char for char in name if char.isdigit())
    assert len(digits) < 11
    assert name.endswith(".pdf")


def test_safe_filename_is_at_most_200_characters() -> None:
    name = documents.safe_filename("a" * 500 + ".pdf")
    assert len(name) == 200
    assert name.endswith(".pdf")


async def test_store_pdf_sanitises_the_stored_name(
    session: AsyncSession, clock: FrozenClock
) -> None:
    document = await _store(session, clock, PDF, filename="/tmp/17059012345 fullmakt.pdf")
    assert document.filename == "fullmakt.pdf"


async def test_read_content_of_an_unknown_document_is_not_found(session: AsyncSession) -> None:
    with pytest.raises(NotFound):
        await documents.read_content(session, uuid.uuid4())
