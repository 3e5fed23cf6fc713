"""Sign-in end to end over real HTTP: the portal and its built-in provider, as in `make run`."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from sqlalchemy import select, text, update
from sqlalchemy.ext.asyncio import AsyncEngine

from app.models import AuditEvent, LoginAttempt, UserSession
from tests.support.live_server import LiveServer
from tests.support.oidc_browser import Browser, button_value, form_action, hidden_fields

# People with nobody to act for land where they were going; Liv, Lars and Mari choose first.
CITIZENS = ["Emma Solberg", "Jonas Vik", "Nora Aasen", "Per Mikkelsen", "Tor Aasen"]


def to_provider(
    browser: Browser, server: LiveServer, realm: str, next_path: str = "/", fault: str | None = None
) -> httpx.Response:
    """Start a login; return the provider's login page."""
    started = browser.get(f"{server.url}/login/{realm}", params={"next": next_path})
    assert started.status_code == 303
    location = started.headers["location"]
    if fault:
        location += f"&test_fault={fault}"
    page = browser.get(location)
    assert page.status_code == 200, page.text[:500]
    return page


def choose(
    browser: Browser,
    page: httpx.Response,
    realm: str,
    label: str,
    extra: dict[str, str] | None = None,
) -> httpx.Response:
    """Pick a persona on the provider's page; returns the redirect to Samplan's callback."""
    fields = hidden_fields(page.text, f"/dev-idp/{realm}/authorize")
    button = "person_id" if realm == "citizen" else "employee_id"
    fields[button] = button_value(page.text, button, label)
    fields.update(extra or {})
    answer = browser.post(form_action(page.text, str(page.url), "/dev-idp/"), data=fields)
    assert answer.status_code == 303, answer.text[:500]
    return answer


def log_in(
    browser: Browser,
    server: LiveServer,
    realm: str,
    label: str,
    *,
    next_path: str = "/",
    fault: str | None = None,
) -> httpx.Response:
    page = to_provider(browser, server, realm, next_path, fault)
    return browser.follow(choose(browser, page, realm, label))


def log_in_again(browser: Browser, server: LiveServer, realm: str) -> httpx.Response:
    """A second login in the same browser: the provider's single sign-on answers at once."""
    started = browser.get(f"{server.url}/login/{realm}")
    return browser.follow(started)


def me(browser: Browser, server: LiveServer) -> httpx.Response:
    return browser.get(f"{server.url}/api/v1/me")


@pytest.mark.parametrize("name", CITIZENS)
def test_every_demo_citizen_logs_in_through_the_real_round_trip(
    signin_server: LiveServer, browser: Browser, name: str
) -> None:
    landing = log_in(browser, signin_server, "citizen", name)
    assert landing.status_code == 200 and str(landing.url) == f"{signin_server.url}/"
    who = me(browser, signin_server).json()
    assert who["kind"] == "citizen" and who["name"] == name
    assert name in landing.text  # every page shows who is logged in


def test_a_staff_member_logs_in_through_the_employee_provider(
    signin_server: LiveServer, browser: Browser
) -> None:
    log_in(browser, signin_server, "employee", "Ingrid Berg")
    who = me(browser, signin_server).json()
    assert who["kind"] == "employee" and who["name"] == "Ingrid Berg"
    assert who["municipality_id"] is not None and who["person_id"] is None


def test_the_authorize_request_carries_pkce_state_nonce_acr_and_language(
    signin_server: LiveServer, browser: Browser
) -> None:
    browser.client.cookies.set("samplan_lang", "nn")
    started = browser.get(f"{signin_server.url}/login/citizen")
    query = parse_qs(urlsplit(started.headers["location"]).query)
    assert query["code_challenge_method"] == ["S256"] and len(query["code_challenge"][0]) == 43
    assert query["acr_values"] == ["idporten-loa-high"] and query["ui_locales"] == ["nn"]
    assert len(query["state"][0]) >= 32 and len(query["nonce"][0]) >= 32
    assert query["redirect_uri"] == [f"{signin_server.url}/auth/citizen/callback"]
    cookie = started.headers["set-cookie"]
    assert "samplan_login=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie


def test_the_session_cookie_is_http_only_and_the_id_rotates_at_every_login(
    signin_server: LiveServer, browser: Browser
) -> None:
    page = to_provider(browser, signin_server, "citizen")
    callback = choose(browser, page, "citizen", "Emma Solberg")
    landing = browser.get(callback.headers["location"])
    cookie = landing.headers["set-cookie"]
    assert "samplan_session=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    first = browser.client.cookies["samplan_session"]
    assert log_in_again(browser, signin_server, "citizen").status_code == 200
    assert browser.client.cookies["samplan_session"] != first
    stale = httpx.get(f"{signin_server.url}/api/v1/me", cookies={"samplan_session": first})
    assert stale.status_code == 401


def test_r_id_3_no_identity_number_in_any_url_of_the_flow(
    signin_server: LiveServer, browser: Browser
) -> None:
    from tests.support.log_scan import findings

    log_in(browser, signin_server, "citizen", "Jonas Vik")
    assert findings(browser.visited) == []


def test_case_open_redirect_in_the_return_address_is_ignored(
    signin_server: LiveServer, browser: Browser
) -> None:
    landing = log_in(
        browser, signin_server, "citizen", "Nora Aasen", next_path="https://evil.example/steal"
    )
    assert str(landing.url) == f"{signin_server.url}/"


def test_the_return_address_brings_the_person_back_where_they_were(
    signin_server: LiveServer, browser: Browser
) -> None:
    landing = log_in(browser, signin_server, "citizen", "Nora Aasen", next_path="/sessions")
    assert str(landing.url) == f"{signin_server.url}/sessions"


def test_a_page_that_needs_a_login_sends_the_person_to_log_in(
    signin_server: LiveServer, browser: Browser
) -> None:
    response = browser.get(f"{signin_server.url}/sessions")
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=%2Fsessions"
    assert me(browser, signin_server).status_code == 401
    assert me(browser, signin_server).headers["content-type"] == "application/problem+json"


async def test_logins_are_written_to_the_audit_log(
    signin_server: LiveServer, browser: Browser, signin_db: AsyncEngine
) -> None:
    log_in(browser, signin_server, "employee", "Sara Lie")
    async with signin_db.connect() as connection:
        rows = (
            await connection.execute(
                select(AuditEvent.action, AuditEvent.outcome).where(
                    AuditEvent.actor_employee_id.is_not(None)
                )
            )
        ).all()
    assert ("login.employee", "succeeded") in rows


def test_logout_ends_the_session_here_and_at_the_provider(
    signin_server: LiveServer, browser: Browser
) -> None:
    landing = log_in(browser, signin_server, "citizen", "Per Mikkelsen")
    token = hidden_fields(landing.text, "/logout")["csrf_token"]
    out = browser.post(f"{signin_server.url}/logout", data={"csrf_token": token})
    assert out.status_code == 303
    end_session = urlsplit(out.headers["location"])
    assert end_session.path == "/dev-idp/citizen/logout"
    query = parse_qs(end_session.query)
    assert query["client_id"] == ["samplan"] and query["state"]
    assert query["post_logout_redirect_uri"] == [f"{signin_server.url}/logged-out"]
    assert me(browser, signin_server).status_code == 401
    provider_page = browser.get(out.headers["location"])
    assert "frontchannel-logout" in provider_page.text
    assert browser.get(f"{signin_server.url}/logged-out?state=forged").status_code == 200


async def test_case_23_front_channel_logout_ends_the_right_session(
    signin_server: LiveServer, browser: Browser, signin_db: AsyncEngine
) -> None:
    log_in(browser, signin_server, "citizen", "Emma Solberg")
    async with signin_db.connect() as connection:
        sid = (
            await connection.execute(
                select(UserSession.provider_sid).order_by(UserSession.created_at.desc()).limit(1)
            )
        ).scalar_one()
    url = f"{signin_server.url}/auth/citizen/frontchannel-logout"
    wrong = httpx.get(url, params={"iss": "https://evil.example", "sid": sid})
    assert wrong.status_code == 200 and me(browser, signin_server).status_code == 200
    right = httpx.get(url, params={"iss": f"{signin_server.url}/dev-idp/citizen", "sid": sid})
    assert right.status_code == 200 and right.headers["cache-control"] == "no-store"
    assert f"frame-ancestors {signin_server.url}" in right.headers["content-security-policy"]
    assert me(browser, signin_server).status_code == 401


def test_my_sessions_lists_each_browser_and_logs_out_everywhere(signin_server: LiveServer) -> None:
    laptop, phone = Browser(), Browser()
    try:
        log_in(laptop, signin_server, "citizen", "Emma Solberg")
        log_in(phone, signin_server, "citizen", "Emma Solberg")
        page = laptop.get(f"{signin_server.url}/sessions")
        assert page.status_code == 200 and page.text.count('/end"') >= 2
        token = hidden_fields(page.text, "/sessions/end-all")["csrf_token"]
        out = laptop.post(f"{signin_server.url}/sessions/end-all", data={"csrf_token": token})
        assert out.headers["location"] == "/logged-out"
        assert me(phone, signin_server).status_code == 401
        assert me(laptop, signin_server).status_code == 401
    finally:
        laptop.close()
        phone.close()


# --- oidc.md § 8: every refusal is a clear page, no session, and an audit entry ------------


def _refused(
    browser: Browser, server: LiveServer, response: httpx.Response, status: int = 400
) -> None:
    assert response.status_code == status, response.text[:300]
    assert "text/html" in response.headers["content-type"]
    assert "samplan_session" not in browser.client.cookies
    assert "Traceback" not in response.text
    assert me(browser, server).status_code == 401


@pytest.mark.parametrize(
    ("fault", "status"),
    [
        ("wrong_iss", 400),
        ("wrong_aud", 400),
        ("aud_extra_untrusted", 400),
        ("wrong_nonce", 400),
        ("no_nonce", 400),
        ("alg_none", 400),
        ("hs256_with_secret", 400),
        ("other_key", 400),
        ("expired", 400),
        ("iat_future", 400),
        ("no_iat", 400),
        ("no_sub", 400),
        ("no_pid", 403),
        ("bad_pid_checksum", 400),
        ("low_acr", 403),
        ("no_acr", 403),
        ("no_iss_param", 400),
        ("wrong_iss_param", 400),
        ("error_access_denied", 400),
        ("unknown_kid", 400),
    ],
)
async def test_case_refused_id_tokens_and_callbacks(
    signin_server: LiveServer,
    browser: Browser,
    signin_db: AsyncEngine,
    fault: str,
    status: int,
) -> None:
    response = log_in(browser, signin_server, "citizen", "Jonas Vik", fault=fault)
    _refused(browser, signin_server, response, status)
    async with signin_db.connect() as connection:
        outcomes = (
            await connection.execute(
                select(AuditEvent.outcome).order_by(AuditEvent.occurred_at.desc()).limit(1)
            )
        ).scalar_one()
    assert outcomes == "refused"


def test_case_1_a_callback_without_state_is_refused(
    signin_server: LiveServer, browser: Browser
) -> None:
    response = browser.get(f"{signin_server.url}/auth/citizen/callback?code=abc")
    _refused(browser, signin_server, response)


def test_case_2_a_replayed_callback_is_refused(signin_server: LiveServer, browser: Browser) -> None:
    page = to_provider(browser, signin_server, "citizen")
    callback = choose(browser, page, "citizen", "Emma Solberg").headers["location"]
    assert browser.get(callback).status_code == 303
    browser.client.cookies.delete("samplan_session")
    _refused(browser, signin_server, browser.get(callback))


def test_login_csrf_a_callback_in_another_browser_is_refused(
    signin_server: LiveServer, browser: Browser
) -> None:
    page = to_provider(browser, signin_server, "citizen")
    callback = choose(browser, page, "citizen", "Emma Solberg").headers["location"]
    victim = Browser()
    try:
        _refused(victim, signin_server, victim.get(callback))
    finally:
        victim.close()


def test_case_4_a_cancelled_login_says_so(signin_server: LiveServer, browser: Browser) -> None:
    response = log_in(
        browser, signin_server, "citizen", "Emma Solberg", fault="error_access_denied"
    )
    _refused(browser, signin_server, response)
    assert "cancelled" in response.text or "avbrutt" in response.text


async def test_pkce_verifier_mismatch_is_refused(
    signin_server: LiveServer, browser: Browser, signin_db: AsyncEngine
) -> None:
    page = to_provider(browser, signin_server, "citizen")
    async with signin_db.begin() as connection:
        await connection.execute(update(LoginAttempt).values(code_verifier="x" * 64))
    callback = choose(browser, page, "citizen", "Emma Solberg")
    _refused(browser, signin_server, browser.follow(callback))


async def test_no_login_attempt_outlives_its_callback(
    signin_server: LiveServer, browser: Browser, signin_db: AsyncEngine
) -> None:
    async with signin_db.begin() as connection:
        await connection.execute(text("DELETE FROM login_attempt"))
    log_in(browser, signin_server, "citizen", "Emma Solberg")
    async with signin_db.connect() as connection:
        left = (await connection.execute(select(LoginAttempt.id))).all()
    assert left == []


# --- Acting for someone (R-REP-4): offered from what the access module returns ---------------


def _choose_context(
    browser: Browser, server: LiveServer, page: httpx.Response, person: str
) -> httpx.Response:
    fields = hidden_fields(page.text, "/acting-for")
    fields["person"] = person
    return browser.follow(browser.post(f"{server.url}/acting-for", data=fields))


def _option_value(page: httpx.Response, name: str) -> str:
    import re

    match = re.search(
        r'<input[^>]*name="person"[^>]*value="([^"]+)"[^>]*>\s*<label[^>]*>' + re.escape(name),
        page.text,
    )
    assert match, f"{name} is not offered"
    return match.group(1)


def test_r_rep_4_a_parent_chooses_to_act_for_their_child_and_every_page_says_so(
    signin_server: LiveServer, browser: Browser
) -> None:
    page = log_in(browser, signin_server, "citizen", "Lars Solberg")
    assert urlsplit(str(page.url)).path == "/acting-for"
    assert "Emma Solberg" in page.text and "Jonas Vik" not in page.text
    landing = _choose_context(browser, signin_server, page, _option_value(page, "Emma Solberg"))
    assert str(landing.url) == f"{signin_server.url}/"
    assert "Emma Solberg" in landing.text  # "You are acting for Emma Solberg" in the header
    who = me(browser, signin_server).json()
    assert who["name"] == "Lars Solberg" and who["acting_for_person_id"] is not None


def test_r_rep_1_a_representative_may_act_for_the_adult_who_gave_the_power_of_attorney(
    signin_server: LiveServer, browser: Browser
) -> None:
    page = log_in(browser, signin_server, "citizen", "Liv Mikkelsen")
    assert "Per Mikkelsen" in page.text
    _choose_context(browser, signin_server, page, "myself")
    assert me(browser, signin_server).json()["acting_for_person_id"] is None


def test_r_age_4_a_parent_of_a_16_year_old_is_not_offered_to_act_for_her(
    signin_server: LiveServer, browser: Browser
) -> None:
    landing = log_in(browser, signin_server, "citizen", "Tor Aasen")
    assert str(landing.url) == f"{signin_server.url}/"


async def test_acting_for_someone_not_offered_is_refused_and_audited(
    signin_server: LiveServer, browser: Browser, signin_db: AsyncEngine
) -> None:
    page = log_in(browser, signin_server, "citizen", "Mari Vik")
    emma = _option_value(log_in_page_for_lars(signin_server), "Emma Solberg")
    fields = hidden_fields(page.text, "/acting-for")
    fields["person"] = emma
    refused = browser.post(f"{signin_server.url}/acting-for", data=fields)
    assert refused.status_code == 403 and "text/html" in refused.headers["content-type"]
    assert me(browser, signin_server).json()["acting_for_person_id"] is None
    async with signin_db.connect() as connection:
        outcomes = (
            (
                await connection.execute(
                    select(AuditEvent.outcome).where(AuditEvent.action == "context.choose")
                )
            )
            .scalars()
            .all()
        )
    assert "denied" in outcomes


def log_in_page_for_lars(server: LiveServer) -> httpx.Response:
    other = Browser()
    try:
        return log_in(other, server, "citizen", "Lars Solberg")
    finally:
        other.close()
