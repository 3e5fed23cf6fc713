"""Log in to a running Samplan through its built-in provider, over real HTTP, and hand back
what a websocket or API client needs: the session cookie and the CSRF-free API access."""

from __future__ import annotations

from tests.support.live_server import LiveServer
from tests.support.oidc_browser import Browser, button_value, form_action, hidden_fields


def log_in(server: LiveServer, realm: str, label: str) -> Browser:
    """A browser logged in as the demo person or employee whose button reads `label`."""
    browser = Browser()
    started = browser.get(f"{server.url}/login/{realm}", params={"next": "/"})
    assert started.status_code == 303, started.text[:300]
    page = browser.get(started.headers["location"])
    assert page.status_code == 200, page.text[:300]
    fields = hidden_fields(page.text, f"/dev-idp/{realm}/authorize")
    button = "person_id" if realm == "citizen" else "employee_id"
    fields[button] = button_value(page.text, button, label)
    answer = browser.post(form_action(page.text, str(page.url), "/dev-idp/"), data=fields)
    assert answer.status_code == 303, answer.text[:300]
    browser.follow(answer)
    return browser


def cookie_header(browser: Browser) -> str:
    return "; ".join(f"{name}={value}" for name, value in browser.client.cookies.items())


def ws_url(server: LiveServer, *, html: bool = False) -> str:
    url = server.url.replace("http://", "ws://") + "/ws"
    return url + "?format=html" if html else url
