"""A scripted browser for the interop tests: real HTTP over loopback, every redirect by hand.

Cookies do not isolate by port, and Samplan and the provider both live on 127.0.0.1, so one
httpx cookie jar would mix them up. `Browser` keeps one client (and so one jar) per origin, which
is what a real browser's per-site cookie store amounts to here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qs, urljoin, urlsplit

import httpx

TIMEOUT = httpx.Timeout(15.0)


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def query(url: str) -> dict[str, str]:
    """The query of a URL as single values; a repeated parameter is an error."""
    values = parse_qs(urlsplit(url).query, keep_blank_values=True, strict_parsing=False)
    repeated = [name for name, items in values.items() if len(items) != 1]
    if repeated:
        raise AssertionError(f"repeated query parameters {repeated} in {url}")
    return {name: items[0] for name, items in values.items()}


def without_query(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}"


def location(response: httpx.Response) -> str:
    """The absolute redirect target of a 3xx response."""
    assert response.is_redirect, (
        f"expected a redirect from {response.request.method} {without_query(str(response.url))}, "
        f"got {response.status_code}: {response.text[:500]}"
    )
    return urljoin(str(response.url), response.headers["location"])


class Browser:
    def __init__(self) -> None:
        self._clients: dict[str, httpx.Client] = {}

    def client(self, url: str) -> httpx.Client:
        key = origin(url)
        if key not in self._clients:
            self._clients[key] = httpx.Client(follow_redirects=False, timeout=TIMEOUT)
        return self._clients[key]

    def cookies(self, url: str) -> httpx.Cookies:
        return self.client(url).cookies

    def get(self, url: str) -> httpx.Response:
        return self.client(url).get(url)

    def post(self, url: str, data: dict[str, str]) -> httpx.Response:
        return self.client(url).post(url, data=data)

    def submit(self, page: httpx.Response, form: Form, **values: str) -> httpx.Response:
        """Submit `form` found on `page` with its own fields, overridden by `values`."""
        target = urljoin(str(page.url), form.action or str(page.url))
        data = {**form.fields, **values}
        if form.method == "get":
            return self.client(target).get(target, params=data)
        return self.post(target, data)

    def close(self) -> None:
        for client in self._clients.values():
            client.close()
        self._clients.clear()


@dataclass
class Form:
    action: str
    method: str
    fields: dict[str, str] = field(default_factory=dict)
    selects: dict[str, list[str]] = field(default_factory=dict)


class _FormParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        if tag == "form":
            self.forms.append(
                Form(
                    action=attributes.get("action", ""),
                    method=attributes.get("method", "get").lower(),
                )
            )
            return
        if not self.forms:
            return
        form = self.forms[-1]
        name = attributes.get("name")
        if tag == "input" and name and attributes.get("type", "text") not in ("submit", "button"):
            form.fields[name] = attributes.get("value", "")
        elif tag == "select" and name:
            self._select = name
            form.selects[name] = []
        elif tag == "option" and self._select is not None:
            value = attributes.get("value", "")
            form.selects[self._select].append(value)
            if "selected" in attributes or self._select not in form.fields:
                form.fields[self._select] = value

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None


def forms(html: str) -> list[Form]:
    parser = _FormParser()
    parser.feed(html)
    parser.close()
    return parser.forms


def only_form(response: httpx.Response) -> Form:
    found = forms(response.text)
    assert len(found) == 1, (
        f"expected one form on {without_query(str(response.url))}, found {len(found)}"
    )
    return found[0]


def hidden_value(html: str, name: str) -> str:
    """The value of the first <input name=...> on a page, whatever form it is in."""
    for form in forms(html):
        if name in form.fields:
            return form.fields[name]
    raise AssertionError(f"no <input name={name!r}> on the page")
