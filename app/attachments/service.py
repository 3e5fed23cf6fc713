"""Files sent with a message: PDF and images only, their type read from the bytes (never the
client's word), capped in size, stored under the data directory (outside the web root) by a
random key, and every download checked and written to the audit log."""

from __future__ import annotations

import hashlib
import os
import uuid
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import quote

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.access import Actor, Permission, audit
from app.clock import Clock
from app.documents.service import check_pdf, safe_filename
from app.errors import Conflict, InvalidInput, NotFound, TooLarge
from app.i18n import gettext_noop
from app.idempotency.service import actor_key
from app.models import Attachment, Message
from app.plan_items.writing import ensure_open
from app.settings import Settings
from app.threads import service as threads
from app.threads.events import announce_changed

MAX_PER_MESSAGE = 5
# The endings a file of each type is named with; the first is the one given.
ENDINGS = {
    "application/pdf": (".pdf",),
    "image/png": (".png",),
    "image/jpeg": (".jpg", ".jpeg"),
    "image/webp": (".webp",),
}
NOT_ALLOWED_TYPE = gettext_noop("Only PDF files and pictures (PNG, JPEG, WebP) can be attached.")
TOO_LARGE = gettext_noop("The file is too large. Attach files of at most 10 MB.")
EMPTY = gettext_noop("The file is empty.")
TOO_MANY = gettext_noop("A message can have at most 5 attachments.")
NOT_FOUND = gettext_noop("We could not find that attachment.")
MESSAGE_NOT_FOUND = gettext_noop("We could not find that message.")
ONLY_AUTHOR = gettext_noop("Only the one who wrote the message can attach files to it.")


def sniff(content: bytes) -> str | None:
    """The content type the bytes themselves announce, for the types we take."""
    if content.startswith(b"%PDF-"):
        return "application/pdf"
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if content.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return "image/webp"
    return None


def check_file(content: bytes, *, settings: Settings, field: str = "file") -> str:
    """The file's content type, or InvalidInput / TooLarge saying why it is refused."""
    if not content:
        raise InvalidInput(EMPTY, code="empty_file", field=field)
    if len(content) > settings.max_attachment_bytes:
        raise TooLarge(TOO_LARGE, code="file_too_large", field=field)
    content_type = sniff(content)
    if content_type is None:
        raise InvalidInput(NOT_ALLOWED_TYPE, code="file_type", field=field)
    if content_type == "application/pdf":
        try:
            check_pdf(content)  # a complete PDF, not just its first bytes
        except InvalidInput as error:
            raise InvalidInput(error.detail, code=error.error_code, field=field) from None
    return content_type


def stored_name(filename: str | None, content_type: str) -> str:
    """A safe name to show and send, ending as its (sniffed) type does: "foto.png", not the
    ".pdf" the document rules give every name."""
    base = safe_filename(filename).removesuffix(".pdf")
    stem, dot, given = base.rpartition(".")
    if dot and stem and f".{given.lower()}" in ENDINGS[content_type]:
        base = stem
    return base + ENDINGS[content_type][0]


def disposition(attachment: Attachment) -> str:
    """Content-Disposition for a download: always a download, never shown inline."""
    name = attachment.filename
    fallback = name.encode("ascii", "replace").decode().replace("?", "_").replace('"', "_")
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name)}"


def storage_dir(settings: Settings) -> Path:
    return settings.data_dir / "attachments"


async def attach(
    session: AsyncSession,
    actor: Actor,
    plan_id: uuid.UUID,
    thread_id: uuid.UUID,
    message_id: uuid.UUID,
    filename: str | None,
    content: bytes,
    *,
    clock: Clock,
    settings: Settings,
) -> Attachment:
    """A file added to a message already sent (the API): those who have the message open get
    it again with the file, as after an edit."""
    attachment, message = await _store(
        session,
        actor,
        plan_id,
        thread_id,
        message_id,
        filename,
        content,
        clock=clock,
        settings=settings,
    )
    await announce_changed(session, plan_id, message)
    return attachment


async def _store(
    session: AsyncSession,
    actor: Actor,
    plan_id: uuid.UUID,
    thread_id: uuid.UUID,
    message_id: uuid.UUID,
    filename: str | None,
    content: bytes,
    *,
    clock: Clock,
    settings: Settings,
) -> tuple[Attachment, Message]:
    opened, found = await threads.open_thread(
        session, actor, plan_id, thread_id, Permission.POST_MESSAGE, clock=clock
    )
    ensure_open(opened.plan)
    message = await session.get(Message, message_id)
    if message is None or message.thread_id != thread_id:
        raise NotFound(MESSAGE_NOT_FOUND, code="message_not_found")
    if message.author_key != actor_key(actor):
        raise Conflict(ONLY_AUTHOR, code="not_author")
    if found.thread.closed_at is not None:
        raise Conflict(threads.THREAD_CLOSED, code="thread_closed")
    content_type = check_file(content, settings=settings)
    count = len(
        (
            await session.scalars(select(Attachment.id).where(Attachment.message_id == message_id))
        ).all()
    )
    if count >= MAX_PER_MESSAGE:
        raise InvalidInput(TOO_MANY, code="too_many_files", field="file")
    key = uuid.uuid4().hex
    folder = storage_dir(settings)
    folder.mkdir(parents=True, exist_ok=True)
    temporary = folder / f".{key}.part"
    temporary.write_bytes(content)
    os.replace(temporary, folder / key)  # whole or not at all
    attachment = Attachment(
        message_id=message_id,
        plan_id=plan_id,
        filename=stored_name(filename, content_type),
        content_type=content_type,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        storage_key=key,
        created_at=clock.now(),
    )
    session.add(attachment)
    await session.flush()
    await audit.record_done(
        session,
        actor,
        opened.plan,
        "attachment.added",
        clock=clock,
        item_type="attachment",
        item_id=attachment.id,
    )
    return attachment, message


async def attach_files(
    session: AsyncSession,
    actor: Actor,
    plan_id: uuid.UUID,
    thread_id: uuid.UUID,
    message_id: uuid.UUID,
    files: Sequence[tuple[str | None, bytes]],
    *,
    clock: Clock,
    settings: Settings,
) -> list[Attachment]:
    """The files sent with a new message from the page, all or none: every file is checked
    before any is stored, errors name the form's field `files`. A form sent again (its
    message already has files: R-SAFE-3) stores nothing again."""
    if not files:
        return []
    if len(files) > MAX_PER_MESSAGE:
        raise InvalidInput(TOO_MANY, code="too_many_files", field="files")
    for _name, content in files:
        check_file(content, settings=settings, field="files")
    if (await of_messages(session, [message_id])).get(message_id):
        return []
    # Sent with the message: its own delivery carries them, no second announcement.
    stored = [
        await _store(
            session,
            actor,
            plan_id,
            thread_id,
            message_id,
            name,
            content,
            clock=clock,
            settings=settings,
        )
        for name, content in files
    ]
    return [attachment for attachment, _message in stored]


async def download(
    session: AsyncSession,
    actor: Actor,
    plan_id: uuid.UUID,
    attachment_id: uuid.UUID,
    *,
    clock: Clock,
    settings: Settings,
) -> tuple[Attachment, bytes]:
    """The file, for someone who may read its conversation; the download is logged."""
    attachment = await session.get(Attachment, attachment_id)
    if attachment is None or attachment.plan_id != plan_id:
        raise NotFound(NOT_FOUND, code="attachment_not_found")
    message = await session.get(Message, attachment.message_id)
    assert message is not None  # a foreign key
    opened, found = await threads.open_thread(
        session, actor, plan_id, message.thread_id, Permission.READ_MESSAGES, clock=clock
    )
    if message.seq <= found.reads_from_seq:  # from before they came, and no history for them
        raise NotFound(NOT_FOUND, code="attachment_not_found")
    path = storage_dir(settings) / attachment.storage_key
    try:
        content = path.read_bytes()
    except FileNotFoundError:
        raise NotFound(NOT_FOUND, code="attachment_not_found") from None
    await audit.record_done(
        session,
        actor,
        opened.plan,
        "attachment.downloaded",
        clock=clock,
        item_type="attachment",
        item_id=attachment.id,
    )
    return attachment, content


async def of_messages(
    session: AsyncSession, message_ids: list[uuid.UUID]
) -> dict[uuid.UUID, list[Attachment]]:
    """The attachments of messages the caller has already read through access."""
    found: dict[uuid.UUID, list[Attachment]] = {}
    if not message_ids:
        return found
    rows = await session.scalars(
        select(Attachment)
        .where(Attachment.message_id.in_(message_ids))
        .order_by(Attachment.created_at)
    )
    for attachment in rows:
        found.setdefault(attachment.message_id, []).append(attachment)
    return found
