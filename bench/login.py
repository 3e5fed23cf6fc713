"""Log in to a running Samplan through its built-in test provider, as a browser would.

For logged-in rows (`bench.scenarios.citizen_session`): the real OpenID Connect round trip over
HTTP (start the login, the provider's test-login page, pick a persona, the callback) in one
cookie jar, each redirect followed by hand so every hop is checked. The result is the session
token for wrk's Cookie header. Bench code does not import the tests, so this is its own small
copy of what `tests/support/oidc_browser.py` does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin

import httpx

SESSION_COOKIE = "samplan_session"
LOGIN_COOKIE = "samplan_login"


class LoginFailed(Exception):
    """A step of the login answered something else than a browser would have got."""


@dataclass
class _Form:
    action: str
    hidden: dict[str, str] = field(default_factory=dict)
    buttons: list[tuple[str, str, str]] = field(default_factory=list)  # name, value, text


class _FormParser(HTMLParser):
    """Every POST form of a page: its action, hidden inputs and submit buttons with their text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[_Form] = []
        self._form: _Form | None = None
        self._button: tuple[str, str] | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        if tag == "form" and attributes.get("method", "get").lower() == "post":
            self._form = _Form(action=attributes.get("action", ""))
            self.forms.append(self._form)
        elif self._form is None:
            return
        elif tag == "input" and attributes.get("type") == "hidden" and "name" in attributes:
            self._form.hidden[attributes["name"]] = attributes.get("value", "")
        elif tag == "button" and "name" in attributes:
            self._button = (attributes["name"], attributes.get("value", ""))
            self._text = []

    def handle_data(self, data: str) -> None:
        if self._button is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "button" and self._button is not None and self._form is not None:
            self._form.buttons.append((*self._button, " ".join("".join(self._text).split())))
            self._button = None
        elif tag == "form":
            self._form = None


def _expect(answer: httpx.Response, status: int, step: str) -> httpx.Response:
    if answer.status_code != status:
        raise LoginFailed(
            f"{step} answered {answer.status_code}, expected {status}: {answer.text[:200]!r}"
        )
    return answer


def _location(answer: httpx.Response, contains: str, step: str) -> str:
    target = urljoin(str(answer.url), str(answer.headers.get("location", "")))
    if contains not in target:
        raise LoginFailed(f"{step} redirected to {target!r}, not to {contains!r}")
    return target


def log_in_citizen(base_url: str, person: str) -> str:
    """The session token of a fresh citizen login as `person` (a test persona's name)."""
    with httpx.Client(trust_env=False, timeout=10.0, follow_redirects=False) as browser:
        started = _expect(browser.get(f"{base_url}/login/citizen"), 303, "GET /login/citizen")
        authorize = _location(started, "/dev-idp/citizen/authorize", "the login start")
        if not authorize.startswith(f"{base_url}/"):
            raise LoginFailed(f"the login start left {base_url}: is SAMPLAN_BASE_URL set to it?")
        page = _expect(browser.get(authorize), 200, "the provider's login page")

        parser = _FormParser()
        parser.feed(page.text)
        forms = [f for f in parser.forms if "/dev-idp/citizen/authorize" in f.action]
        if not forms:
            raise LoginFailed("the provider's page has no POST form to its authorize URL")
        form = forms[0]
        chosen = [v for name, v, text in form.buttons if name == "person_id" and person in text]
        if not chosen:
            raise LoginFailed(f"no test person {person!r} (was the database seeded?)")
        fields = {**form.hidden, "person_id": chosen[0]}

        posted = _expect(
            browser.post(urljoin(str(page.url), form.action), data=fields),
            303,
            "choosing the test person",
        )
        callback = _location(posted, "/auth/citizen/callback", "the provider")
        if LOGIN_COOKIE not in browser.cookies:
            raise LoginFailed(f"no {LOGIN_COOKIE} cookie before the callback")
        landed = _expect(browser.get(callback), 303, "the callback")
        token = landed.cookies.get(SESSION_COOKIE)
        if not token:
            raise LoginFailed(f"the callback set no {SESSION_COOKIE} cookie")
        return token
