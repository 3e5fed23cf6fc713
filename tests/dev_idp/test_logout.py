"""RP-initiated logout with front-channel logout, as ID-porten does it."""

from __future__ import annotations

import html
import re
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from app.dev_idp.logout import LOGOUT_CSP
from tests.dev_idp.support import IdpServer, log_in, new_login, redeem, verified_claims


async def _logged_in(
    http: httpx.AsyncClient, server: IdpServer, realm: str = "citizen"
) -> tuple[dict[str, object], str]:
    login = await log_in(http, server, new_login(server, realm))
    body = (await redeem(http, server, login)).json()
    claims = (await verified_claims(http, server, realm, body["id_token"]))[1]
    return claims, str(body["id_token"])


def _logout_params(server: IdpServer, **overrides: str | None) -> dict[str, str]:
    params: dict[str, str | None] = {
        "client_id": "samplan",
        "post_logout_redirect_uri": f"{server.url}/logged-out",
        "state": "logout-state-1",
        **overrides,
    }
    return {name: value for name, value in params.items() if value is not None}


def _iframe_src(page: str) -> str | None:
    match = re.search(r'<iframe src="([^"]+)" title="[^"]+" hidden>', page)
    return html.unescape(match.group(1)) if match else None


def _return_link(page: str) -> str | None:
    main = page.split('<main id="main"', 1)[1].split("</main>", 1)[0]
    match = re.search(r'<a class="ds-link" href="([^"]+)">', main)
    return html.unescape(match.group(1)) if match else None


async def test_logout_ends_the_session_and_notifies_the_client_by_sid(
    http: httpx.AsyncClient, idp_server: IdpServer
) -> None:
    claims, _ = await _logged_in(http, idp_server)
    response = await http.get("/dev-idp/citizen/logout", params=_logout_params(idp_server))
    assert response.status_code == 200
    assert response.headers["content-security-policy"] == LOGOUT_CSP
    directives = dict(part.strip().split(" ", 1) for part in LOGOUT_CSP.split(";"))
    assert directives["frame-src"] == "'self'" and directives["frame-ancestors"] == "'none'"
    assert directives["script-src"] == "'self'" and "unsafe" not in LOGOUT_CSP

    frame = _iframe_src(response.text)
    assert frame is not None
    assert frame.startswith(f"{idp_server.url}/auth/citizen/frontchannel-logout?")
    assert parse_qs(urlsplit(frame).query) == {
        "iss": [idp_server.issuer("citizen")],
        "sid": [claims["sid"]],
    }
    back = f"{idp_server.url}/logged-out?state=logout-state-1"
    assert _return_link(response.text) == back
    assert 'http-equiv="refresh"' not in response.text  # no timed redirect (WCAG 2.2.1)
    assert "<script" not in response.text.split("</head>")[1]

    cleared = response.headers["set-cookie"]
    assert cleared.startswith('samplan_devidp_citizen=""') or "Max-Age=0" in cleared
    assert "Path=/dev-idp/citizen" in cleared
    # The provider's session is over: a new request shows the login page again.
    again = await http.get("/dev-idp/citizen/authorize", params=new_login(idp_server).params)
    assert again.status_code == 200


async def test_logout_revokes_the_sessions_access_tokens(
    http: httpx.AsyncClient, idp_server: IdpServer
) -> None:
    login = await log_in(http, idp_server, new_login(idp_server))
    token = (await redeem(http, idp_server, login)).json()["access_token"]
    await http.get("/dev-idp/citizen/logout", params=_logout_params(idp_server))
    info = await http.get("/dev-idp/citizen/userinfo", headers={"Authorization": f"Bearer {token}"})
    assert info.status_code == 401


async def test_post_logout_with_an_id_token_hint_finds_the_session_without_the_cookie(
    http: httpx.AsyncClient, idp_server: IdpServer
) -> None:
    claims, id_token = await _logged_in(http, idp_server)
    async with httpx.AsyncClient(base_url=idp_server.url) as other_browser:
        response = await other_browser.post(
            "/dev-idp/citizen/logout",
            data=_logout_params(idp_server, client_id=None, id_token_hint=id_token),
        )
    frame = _iframe_src(response.text)
    assert frame is not None and parse_qs(urlsplit(frame).query)["sid"] == [claims["sid"]]
    assert _return_link(response.text) == f"{idp_server.url}/logged-out?state=logout-state-1"
    # The session behind the first browser's cookie is gone too.
    again = await http.get("/dev-idp/citizen/authorize", params=new_login(idp_server).params)
    assert again.status_code == 200


@pytest.mark.parametrize(
    "change",
    [
        {"post_logout_redirect_uri": "https://evil.example/logged-out"},
        {"post_logout_redirect_uri": None},
        {"client_id": "someone-else"},
        {"client_id": None},
        {"state": "tab\there"},
        {"id_token_hint": "not.a.token"},
    ],
)
async def test_a_logout_request_that_does_not_check_out_is_not_sent_anywhere(
    http: httpx.AsyncClient, idp_server: IdpServer, change: dict[str, str | None]
) -> None:
    await _logged_in(http, idp_server)
    response = await http.get(
        "/dev-idp/citizen/logout",
        params=_logout_params(idp_server, **change),
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 200
    assert _return_link(response.text) is None
    assert "http-equiv" not in response.text
    assert "You can close this window." in response.text


async def test_a_hint_from_the_other_realm_is_not_trusted(
    http: httpx.AsyncClient, idp_server: IdpServer
) -> None:
    _, employee_token = await _logged_in(http, idp_server, "employee")
    response = await http.get(
        "/dev-idp/citizen/logout",
        params=_logout_params(idp_server, id_token_hint=employee_token),
    )
    assert _return_link(response.text) is None and _iframe_src(response.text) is None


async def test_logout_without_a_session_still_returns_to_the_client(
    http: httpx.AsyncClient, idp_server: IdpServer
) -> None:
    response = await http.get("/dev-idp/citizen/logout", params=_logout_params(idp_server))
    assert _iframe_src(response.text) is None
    assert _return_link(response.text) == f"{idp_server.url}/logged-out?state=logout-state-1"


async def test_employee_logout_has_no_front_channel(
    http: httpx.AsyncClient, idp_server: IdpServer
) -> None:
    await _logged_in(http, idp_server, "employee")
    response = await http.get(
        "/dev-idp/employee/logout", params=_logout_params(idp_server, state=None)
    )
    assert _iframe_src(response.text) is None
    assert _return_link(response.text) == f"{idp_server.url}/logged-out"
    again = await http.get(
        "/dev-idp/employee/authorize", params=new_login(idp_server, "employee").params
    )
    assert again.status_code == 200
