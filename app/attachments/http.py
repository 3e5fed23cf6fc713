"""An attachment as an HTTP answer, the same for the page and the API: always a download
(never shown inline, so a crafted file cannot run in the portal's origin) and never cached."""

from __future__ import annotations

from starlette.responses import Response

from app.attachments.service import disposition
from app.models import Attachment


def file_response(attachment: Attachment, content: bytes) -> Response:
    return Response(
        content,
        media_type=attachment.content_type,
        headers={
            "Content-Disposition": disposition(attachment),
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
        },
    )
