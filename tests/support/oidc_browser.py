"""A small browser for sign-in tests: real HTTP over loopback, cookies per host, each hop seen.

It follows redirects itself so tests can assert on every hop, and it records every URL it
visits, so tests can prove that no identity number ever appears in one (R-ID-3).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html import unescape
from urllib.parse import urljoin

import httpx

FORM = re.compile(r"(<form\b[^>]*method=\"post\"[^>]*>)(.*?)</form>", re.S | re.I)
ATTRIBUTE = re.compile(r'(\w[\w-]*)="([^"]*)"')


def _attributes(tag: str) -> dict[str, str]:
    return {name: unescape(value) for name, value in ATTRIBUTE.findall(tag)}


def _form(html: str, action_contains: str) -> tuple[str, str]:
    for opening, body in FORM.findall(html):
        if action_contains in _attributes(opening).get("action", ""):
            return opening, body
    raise AssertionError(f"no POST form with an action containing {action_contains!r}")


def hidden_fields(html: str, action_contains: str) -> dict[str, str]:
    """The hidden inputs of the POST form whose action contains `action_contains`."""
    fields = {}
    for tag in re.findall(r"<input\b[^>]*>", _form(html, action_contains)[1]):
        attributes = _attributes(tag)
        if attributes.get("type") == "hidden" and "name" in attributes:
            fields[attributes["name"]] = attributes.get("value", "")
    return fields


def form_action(html: str, base_url: str, action_contains: str) -> str:
    opening, _ = _form(html, action_contains)
    return urljoin(base_url, _attributes(opening)["action"])


def button_value(html: str, name: str, label: str) -> str:
    """The value of the submit button called `name` whose text contains `label`."""
    for tag, text in re.findall(r"(<button\b[^>]*>)(.*?)</button>", html, re.S):
        attributes = _attributes(tag)
        if attributes.get("name") == name and label in unescape(re.sub(r"<[^>]+>", " ", text)):
            return attributes["value"]
    raise AssertionError(f"no button {name!r} labelled {label!r}")


@dataclass
class Browser:
    client: httpx.Client = field(default_factory=lambda: httpx.Client(follow_redirects=False))
    visited: list[str] = field(default_factory=list)

    def get(self, url: str, **kwargs: object) -> httpx.Response:
        self.visited.append(url)
        return self.client.get(url, **kwargs)  # type: ignore[arg-type]

    def post(self, url: str, data: dict[str, str]) -> httpx.Response:
        self.visited.append(url)
        return self.client.post(url, data=data)

    def follow(self, response: httpx.Response, *, stop_at: str | None = None) -> httpx.Response:
        """Follow redirects until a page answers (or the next hop starts with `stop_at`)."""
        for _ in range(10):
            if response.status_code not in (301, 302, 303, 307, 308):
                return response
            target = urljoin(str(response.url), response.headers["location"])
            if stop_at is not None and target.startswith(stop_at):
                self.visited.append(target)
                return response
            response = self.get(target)
        raise AssertionError("too many redirects")

    def close(self) -> None:
        self.client.close()
