"""Files with a message on the thread page, as a browser without JavaScript sends them: PDF and
pictures taken and listed with name and size; a refused file stores nothing and keeps the text
(R-SAFE-1); a resent form stores its files once (R-SAFE-3); downloads through the page are
checked and in the audit log, and refused once consent is withdrawn (R-CON-3)."""

from __future__ import annotations

from typing import cast

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.websockets import WebSocket

from app.consents import service as consents
from app.i18n import Language
from app.messages import service as messages
from app.messaging import frames
from app.messaging.connection import Connection
from app.models import Attachment, AuditEvent, Message
from app.settings import Settings
from tests.support.clock import FrozenClock
from tests.support.logins import citizen, employee, log_in
from tests.web.thread_world import PDF, PNG, Conversation, csrf, make_conversation


@pytest.fixture
async def talk(session: AsyncSession, clock: FrozenClock, app: FastAPI) -> Conversation:
    return await make_conversation(session, clock, app.state.pid_vault)


@pytest.fixture(autouse=True)
def in_english(client: httpx.AsyncClient) -> None:
    client.headers["Accept-Language"] = "en"


async def _send(
    client: httpx.AsyncClient,
    talk: Conversation,
    text: str,
    files: list[tuple[str, bytes, str]],
    *,
    client_id: str = "form-1",
) -> httpx.Response:
    page = await client.get(talk.page)
    form = f'<form id="composer-{talk.thread.id}"'
    assert form in page.text and 'enctype="multipart/form-data"' in page.text
    return await client.post(
        f"{talk.page}/messages",
        data={"csrf_token": csrf(page.text), "client_id": client_id, "text": text},
        files=[("files", file) for file in files] or [("files", ("", b"", "application/pdf"))],
    )


async def _count(session: AsyncSession, model: type[Message] | type[Attachment]) -> int:
    return await session.scalar(select(func.count(model.id))) or 0


async def test_a_message_with_a_pdf_and_a_picture_is_sent_from_the_page(
    client: httpx.AsyncClient,
    session: AsyncSession,
    settings: Settings,
    clock: FrozenClock,
    talk: Conversation,
) -> None:
    await log_in(client, session, settings, clock, person=talk.world.owner)
    sent = await _send(
        client,
        talk,
        "Her er timelisten og et bilde.",
        [("timeliste.pdf", PDF, "application/pdf"), ("rampe.PNG", PNG, "image/png")],
    )
    assert sent.status_code == 303 and "#message-" in sent.headers["location"]
    page = await client.get(sent.headers["location"])
    assert "Her er timelisten og et bilde." in page.text
    files = (await session.scalars(select(Attachment).order_by(Attachment.filename))).all()
    assert [(f.filename, f.content_type) for f in files] == [
        ("rampe.png", "image/png"),
        ("timeliste.pdf", "application/pdf"),
    ]
    for file in files:
        link = f'href="/plans/{talk.world.plan.id}/attachments/{file.id}"'
        assert link in page.text
        assert f">{file.filename}</a>" in page.text
    assert '<ul class="plain-list message__files" aria-label="Attached files">' in page.text
    assert "(1 kB)" in page.text  # the sizes, as the file chooser shows them
    # An empty file part (no file chosen) is no file.
    plain = await _send(client, talk, "Uten vedlegg", [], client_id="form-2")
    assert plain.status_code == 303
    assert await _count(session, Attachment) == 2


async def test_r_safe_1_a_refused_file_type_keeps_the_text_and_stores_nothing(
    client: httpx.AsyncClient,
    session: AsyncSession,
    settings: Settings,
    clock: FrozenClock,
    talk: Conversation,
) -> None:
    await log_in(client, session, settings, clock, person=talk.world.owner)
    refused = await _send(
        client,
        talk,
        "Se notatet mitt",
        [("ok.pdf", PDF, "application/pdf"), ("notat.pdf", b"just text", "application/pdf")],
    )
    assert refused.status_code == 422
    field = f"message-files-{talk.thread.id}"
    assert f'id="{field}-error"' in refused.text
    assert "Only PDF files and pictures (PNG, JPEG, WebP) can be attached." in refused.text
    assert "The files were not sent: choose them again." in refused.text
    assert "Se notatet mitt</textarea>" in refused.text
    assert await _count(session, Message) == 1 and await _count(session, Attachment) == 0


async def test_r_safe_1_a_too_large_file_keeps_the_text_and_stores_nothing(
    app: FastAPI,
    client: httpx.AsyncClient,
    session: AsyncSession,
    settings: Settings,
    clock: FrozenClock,
    talk: Conversation,
) -> None:
    app.state.settings = settings.model_copy(update={"max_attachment_bytes": 1024})
    await log_in(client, session, settings, clock, person=talk.world.owner)
    refused = await _send(
        client, talk, "Et stort bilde", [("stort.png", PNG + bytes(2000), "image/png")]
    )
    assert refused.status_code == 422
    assert "The file is too large. Attach files of at most 10 MB." in refused.text
    assert 'aria-invalid="true"' in refused.text
    assert "Et stort bilde</textarea>" in refused.text
    assert await _count(session, Message) == 1 and await _count(session, Attachment) == 0


async def test_r_safe_1_a_message_refused_keeps_its_text_and_asks_for_the_files_again(
    client: httpx.AsyncClient,
    session: AsyncSession,
    settings: Settings,
    clock: FrozenClock,
    talk: Conversation,
) -> None:
    await log_in(client, session, settings, clock, person=talk.world.owner)
    refused = await _send(client, talk, "   ", [("ok.pdf", PDF, "application/pdf")])
    assert refused.status_code == 422
    assert f'id="message-text-{talk.thread.id}-error"' in refused.text
    assert "The files were not sent: choose them again." in refused.text
    assert await _count(session, Attachment) == 0


async def test_r_safe_3_a_form_sent_twice_stores_its_message_and_files_once(
    client: httpx.AsyncClient,
    session: AsyncSession,
    settings: Settings,
    clock: FrozenClock,
    talk: Conversation,
) -> None:
    await log_in(client, session, settings, clock, person=talk.world.owner)
    files = [("brev.pdf", PDF, "application/pdf")]
    first = await _send(client, talk, "Brevet", files, client_id="twice")
    again = await _send(client, talk, "Brevet", files, client_id="twice")
    assert first.status_code == again.status_code == 303
    assert first.headers["location"] == again.headers["location"]
    assert await _count(session, Message) == 2 and await _count(session, Attachment) == 1


async def test_a_download_through_the_page_is_checked_and_in_the_audit_log(
    client: httpx.AsyncClient,
    session: AsyncSession,
    settings: Settings,
    clock: FrozenClock,
    talk: Conversation,
) -> None:
    await log_in(client, session, settings, clock, person=talk.world.owner)
    await _send(client, talk, "Brevet", [("brev.pdf", PDF, "application/pdf")])
    attachment = await session.scalar(select(Attachment))
    assert attachment is not None
    url = f"/plans/{talk.world.plan.id}/attachments/{attachment.id}"
    await log_in(client, session, settings, clock, staff=talk.physio)
    got = await client.get(url)
    assert got.status_code == 200 and got.content == PDF
    assert got.headers["content-type"] == "application/pdf"
    assert got.headers["content-disposition"].startswith('attachment; filename="brev.pdf"')
    assert got.headers["cache-control"] == "no-store"
    row = await session.scalar(
        select(AuditEvent).where(
            AuditEvent.action == "attachment.downloaded",
            AuditEvent.actor_employee_id == talk.physio.id,
            AuditEvent.item_id == attachment.id,
        )
    )
    assert row is not None and row.outcome == "allowed"
    # Another plan's address for the same file finds nothing.
    elsewhere = f"/plans/{talk.world.child_plan.id}/attachments/{attachment.id}"
    assert (await client.get(elsewhere)).status_code == 404


async def test_r_con_3_a_download_is_refused_once_consent_is_withdrawn(
    client: httpx.AsyncClient,
    session: AsyncSession,
    settings: Settings,
    clock: FrozenClock,
    talk: Conversation,
) -> None:
    await log_in(client, session, settings, clock, person=talk.world.owner)
    await _send(client, talk, "Brevet", [("brev.pdf", PDF, "application/pdf")])
    attachment = await session.scalar(select(Attachment))
    assert attachment is not None
    url = f"/plans/{talk.world.plan.id}/attachments/{attachment.id}"
    await consents.end_grant(
        session, citizen(talk.world.owner), talk.world.plan.id, talk.physio_grant_id, clock=clock
    )
    await session.commit()
    await log_in(client, session, settings, clock, staff=talk.physio)
    refused = await client.get(url)
    assert refused.status_code == 404 and refused.content != PDF  # not even that it exists
    assert "text/html" in refused.headers["content-type"]  # the error page, not the file
    denied = await session.scalar(
        select(AuditEvent)
        .where(AuditEvent.actor_employee_id == talk.physio.id, AuditEvent.outcome != "allowed")
        .order_by(AuditEvent.seq.desc())
    )
    assert denied is not None
    assert (
        await session.scalar(
            select(func.count(AuditEvent.id)).where(AuditEvent.action == "attachment.downloaded")
        )
        == 0
    )


async def test_the_live_fragment_lists_the_files_like_the_page(
    app: FastAPI,
    client: httpx.AsyncClient,
    session: AsyncSession,
    settings: Settings,
    clock: FrozenClock,
    talk: Conversation,
) -> None:
    await log_in(client, session, settings, clock, person=talk.world.owner)
    await _send(client, talk, "Brevet", [("brev.pdf", PDF, "application/pdf")])
    session.expunge_all()
    attachment = await session.scalar(select(Attachment))
    assert attachment is not None
    link = f'href="/plans/{talk.world.plan.id}/attachments/{attachment.id}"'
    # As pushed to open pages, and as replayed after a reconnect.
    delivery = await messages.for_delivery(session, talk.thread.id, after=1)
    _found, replay = await messages.messages_after(
        session, employee(talk.physio), talk.world.plan.id, talk.thread.id, 1, clock=clock
    )
    connection = Connection(cast(WebSocket, None), employee(talk.physio), Language.EN, html=True)
    frames.send_message(app, connection, delivery.messages[0], "Olav", None, None)
    frames.send_message(app, connection, replay[0].message, "Olav", None, None)
    for _ in range(2):
        frame = connection.queue.get_nowait()
        assert frame is not None and link in frame and ">brev.pdf</a>" in frame
        assert "Attached files" in frame and "?edit=" not in frame


async def test_five_phone_pictures_of_6_mb_go_with_one_message(
    client: httpx.AsyncClient,
    session: AsyncSession,
    settings: Settings,
    clock: FrozenClock,
    talk: Conversation,
) -> None:
    """The hint promises five files of at most 10 MB each: 30 MB in one form is taken (the
    body waits on disk past 1 MB, app/middleware/body_limit.py)."""
    await log_in(client, session, settings, clock, person=talk.world.owner)
    picture = PNG + bytes(6 * 1_048_576)
    sent = await _send(
        client,
        talk,
        "Bilder av trappen.",
        [(f"trapp{n}.png", picture, "image/png") for n in range(5)],
    )
    assert sent.status_code == 303, sent.text[:500]
    sizes = (await session.scalars(select(Attachment.size))).all()
    assert sorted(sizes) == [len(picture)] * 5


async def test_a_form_over_the_upload_limit_tells_the_person_what_to_do(
    client: httpx.AsyncClient,
    session: AsyncSession,
    settings: Settings,
    clock: FrozenClock,
    talk: Conversation,
) -> None:
    await log_in(client, session, settings, clock, person=talk.world.owner)
    too_much = PNG + bytes(settings.max_upload_bytes)
    refused = await _send(client, talk, "Alt for mye.", [("stor.png", too_much, "image/png")])
    assert refused.status_code == 413
    assert "text/html" in refused.headers["content-type"]
    assert "Go back: what you wrote is still in the form there." in refused.text
    assert await _count(session, Message) == 1  # the first message only
