"""Browser security headers on every response (quality.md S3, ASVS V3.4)."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

# No inline script or style anywhere: htmx is told not to inject its indicator styles.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "object-src 'none'",
    ]
)

PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=()"
)

HSTS = "max-age=63072000; includeSubDomains"


def _encoded(headers: dict[str, str]) -> list[tuple[bytes, bytes]]:
    return [
        (name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in headers.items()
    ]


# Encoded once: appending raw pairs costs far less per response than MutableHeaders edits.
_ALWAYS = _encoded(
    {
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "Permissions-Policy": PERMISSIONS_POLICY,
        "Cross-Origin-Opener-Policy": "same-origin",
        "Cross-Origin-Resource-Policy": "same-origin",
    }
)
# X-Frame-Options goes with our default policy only: a response with its own CSP says in its
# frame-ancestors who may frame it (front-channel logout is framed by the identity provider).
_DEFAULT_FRAMING = _encoded(
    {"Content-Security-Policy": CONTENT_SECURITY_POLICY, "X-Frame-Options": "DENY"}
)
_HSTS = _encoded({"Strict-Transport-Security": HSTS})


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp, *, hsts: bool) -> None:
        self.app = app
        self.extra = _ALWAYS + (_HSTS if hsts else [])

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                # A response may bring a CSP of its own (front-channel logout, a download).
                if not any(name == b"content-security-policy" for name, _ in headers):
                    headers.extend(_DEFAULT_FRAMING)
                headers.extend(self.extra)
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)
