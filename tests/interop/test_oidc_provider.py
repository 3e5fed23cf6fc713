"""Samplan's citizen login, end to end, against panva's oidc-provider configured like ID-porten.

Nothing is mocked: the scripted browser (tests/interop/support.py) makes every request over
loopback and follows every redirect by hand, asserting each hop, with one cookie jar per origin.
"""

from __future__ import annotations

from urllib.parse import urljoin

import httpx

from app.people.identity_numbers import parse_identity_number
from tests.interop.conftest import OidcProvider
from tests.interop.support import (
    Browser,
    hidden_value,
    location,
    only_form,
    origin,
    query,
    without_query,
)
from tests.support.live_server import LiveServer

# A documented TestID number (ID-porten's own example): synthetic, month + 80.
TEST_PID = "21879498012"
HIGH = "idporten-loa-high"
SUBSTANTIAL = "idporten-loa-substantial"
MAX_PROVIDER_HOPS = 8
LOGIN_COOKIE = "samplan_login"
SESSION_COOKIE = "samplan_session"


def start_login(browser: Browser, samplan: LiveServer, provider: OidcProvider, path: str) -> str:
    """GET Samplan's login URL; assert the authorization request; return its URL."""
    response = browser.get(f"{samplan.url}{path}")
    assert response.status_code == 303, response.text[:500]
    authorize = location(response)
    assert without_query(authorize) == provider.authorization_endpoint
    params = query(authorize)
    assert params["response_type"] == "code"
    assert params["client_id"] == provider.client_id
    assert params["redirect_uri"] == provider.redirect_uri
    assert "openid" in params["scope"].split()
    assert len(params["state"]) >= 16
    assert len(params["nonce"]) >= 16
    assert params["code_challenge_method"] == "S256"
    assert 43 <= len(params["code_challenge"]) <= 128
    assert params["acr_values"] == HIGH
    assert params["ui_locales"]
    assert browser.cookies(samplan.url).get(LOGIN_COOKIE), "no samplan_login cookie"
    return authorize


def authenticate(browser: Browser, provider: OidcProvider, authorize: str, acr: str) -> str:
    """Walk the provider's redirects, fill in TestID, and return the callback URL to Samplan."""
    sent = query(authorize)
    url = authorize
    for _ in range(MAX_PROVIDER_HOPS):
        assert origin(url) == provider.issuer, f"left the provider for {without_query(url)}"
        response = browser.get(url)
        if response.status_code == 200:
            form = only_form(response)
            assert "pid" in form.fields
            assert acr in form.selects["acr"]
            response = browser.submit(response, form, pid=TEST_PID, acr=acr)
        assert response.status_code in (302, 303), (
            f"{without_query(url)} answered {response.status_code}: {response.text[:500]}"
        )
        url = location(response)
        if url.startswith(provider.redirect_uri):
            break
    else:
        raise AssertionError(f"no redirect back to Samplan within {MAX_PROVIDER_HOPS} hops")
    assert without_query(url) == provider.redirect_uri
    params = query(url)
    assert "error" not in params, params
    assert params["code"]
    assert params["state"] == sent["state"]
    assert params["iss"] == provider.issuer  # RFC 9207
    return url


def log_in(
    browser: Browser,
    samplan: LiveServer,
    provider: OidcProvider,
    *,
    acr: str = HIGH,
    path: str = "/login/citizen",
) -> httpx.Response:
    """A whole login up to and including Samplan's answer to the callback."""
    authorize = start_login(browser, samplan, provider, path)
    callback = authenticate(browser, provider, authorize, acr)
    return browser.get(callback)


def me(client: httpx.Client, samplan: LiveServer) -> httpx.Response:
    return client.get(f"{samplan.url}/api/v1/me", headers={"accept": "application/json"})


def assert_unauthenticated(response: httpx.Response) -> None:
    assert response.status_code == 401, response.text[:500]
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["status"] == 401


def test_the_provider_advertises_what_id_porten_does(oidc_provider: OidcProvider) -> None:
    metadata = oidc_provider.metadata
    assert metadata["issuer"] == oidc_provider.issuer
    assert metadata["authorization_response_iss_parameter_supported"] is True
    assert metadata["code_challenge_methods_supported"] == ["S256"]
    assert metadata["response_types_supported"] == ["code"]
    assert metadata["id_token_signing_alg_values_supported"] == ["RS256"]
    assert set(metadata["acr_values_supported"]) == {HIGH, SUBSTANTIAL}
    assert {"pid", "acr", "amr", "sid", "locale", "auth_time"} <= set(metadata["claims_supported"])
    assert metadata["end_session_endpoint"] == f"{oidc_provider.issuer}/session/end"
    keys = httpx.get(metadata["jwks_uri"], timeout=5).json()["keys"]
    assert [(key["kty"], key["alg"], bool(key["kid"])) for key in keys] == [("RSA", "RS256", True)]
    # The identity number used below is a valid synthetic one, as TestID hands out.
    assert parse_identity_number(TEST_PID, allow_synthetic=True)


def test_citizen_logs_in_and_gets_a_session(
    browser: Browser, samplan: LiveServer, oidc_provider: OidcProvider
) -> None:
    response = log_in(browser, samplan, oidc_provider)

    assert response.status_code == 303, response.text[:500]
    # Citizens pass the "whom do you act for" step, which sends them on when there is nobody.
    assert location(response) == f"{samplan.url}/acting-for?next=%2F"
    assert SESSION_COOKIE in response.cookies, "the callback set no samplan_session cookie"
    onwards = browser.client(samplan.url).get(location(response))
    assert onwards.status_code == 303 and location(onwards) == f"{samplan.url}/"
    assert browser.cookies(samplan.url).get(SESSION_COOKIE)

    signed_in = me(browser.client(samplan.url), samplan)
    assert signed_in.status_code == 200, signed_in.text[:500]
    assert signed_in.json()["kind"] == "citizen"

    with httpx.Client(follow_redirects=False, timeout=10) as stranger:
        assert_unauthenticated(me(stranger, samplan))


def test_login_returns_to_the_page_it_started_from(
    browser: Browser, samplan: LiveServer, oidc_provider: OidcProvider
) -> None:
    response = log_in(browser, samplan, oidc_provider, path="/login/citizen?next=/about")

    assert response.status_code == 303, response.text[:500]
    assert location(response) == f"{samplan.url}/acting-for?next=%2Fabout"
    assert browser.cookies(samplan.url).get(SESSION_COOKIE)
    onwards = browser.client(samplan.url).get(location(response))
    assert onwards.status_code == 303 and location(onwards) == f"{samplan.url}/about"


def test_substantial_is_refused_where_high_is_required(
    browser: Browser, samplan: LiveServer, oidc_provider: OidcProvider
) -> None:
    response = log_in(browser, samplan, oidc_provider, acr=SUBSTANTIAL)

    assert 400 <= response.status_code < 500, (response.status_code, response.text[:500])
    assert response.headers["content-type"].startswith("text/html")
    assert SESSION_COOKIE not in response.cookies
    assert not browser.cookies(samplan.url).get(SESSION_COOKIE)
    assert_unauthenticated(me(browser.client(samplan.url), samplan))


def test_logout_ends_the_session_here_and_at_the_provider(
    browser: Browser, samplan: LiveServer, oidc_provider: OidcProvider
) -> None:
    assert log_in(browser, samplan, oidc_provider).status_code == 303
    samplan_client = browser.client(samplan.url)
    assert me(samplan_client, samplan).status_code == 200

    start = browser.get(f"{samplan.url}/")
    assert start.status_code == 200, start.text[:500]
    token = hidden_value(start.text, "csrf_token")
    response = browser.post(f"{samplan.url}/logout", {"csrf_token": token})

    assert response.status_code == 303, response.text[:500]
    end_session = location(response)
    assert without_query(end_session) == oidc_provider.end_session_endpoint
    params = query(end_session)
    assert params["client_id"] == oidc_provider.client_id
    assert params["post_logout_redirect_uri"] == oidc_provider.post_logout_redirect_uri
    assert params["state"]
    assert_unauthenticated(me(samplan_client, samplan))

    # The provider's logout page submits itself (ID-porten asks no question); do what it does.
    page = browser.get(end_session)
    assert page.status_code == 200, page.text[:500]
    confirmed = browser.submit(page, only_form(page))
    assert confirmed.status_code == 303, confirmed.text[:500]
    back = location(confirmed)
    assert without_query(back) == oidc_provider.post_logout_redirect_uri
    assert query(back) == {"state": params["state"]}
    logged_out = browser.get(back)
    assert logged_out.status_code == 200, logged_out.text[:500]
    assert_unauthenticated(me(samplan_client, samplan))

    # The provider's session is gone too: the next login asks for TestID again.
    authorize = start_login(browser, samplan, oidc_provider, "/login/citizen")
    first_hop = location(browser.get(authorize))
    assert urljoin(oidc_provider.issuer, "/interaction/") in first_hop
