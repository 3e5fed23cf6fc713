"""The authorization endpoint: refusals like ID-porten's, the login page, single sign-on."""

from __future__ import annotations

import re

import httpx
import pytest
from sqlalchemy import select

from app.db import make_engine, make_sessionmaker
from app.models import Person
from app.people.pid_vault import PidVault
from tests.dev_idp.support import (
    SYNTHETIC_PID,
    IdpServer,
    buttons,
    callback_of,
    csrf_token,
    log_in,
    new_login,
    redeem,
    verified_claims,
)

_K1 = (3, 7, 6, 1, 8, 9, 4, 5, 2)
_K2 = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)


def _valid_number(date_part: str) -> str:
    """DDMMYY + the first individual number (1900s) whose control digits both exist."""
    for individual in range(100, 500):
        nine = f"{date_part}{individual}"
        k1 = (11 - sum(int(d) * w for d, w in zip(nine, _K1, strict=True)) % 11) % 11
        k2 = (11 - sum(int(d) * w for d, w in zip(f"{nine}{k1}", _K2, strict=True)) % 11) % 11
        if k1 < 10 and k2 < 10:
            return f"{nine}{k1}{k2}"
    raise AssertionError("no valid number for that date")


REAL_LOOKING = _valid_number("150590")  # month 05: not synthetic
H_NUMBER = _valid_number("154590")  # month + 40


@pytest.mark.parametrize(
    "change",
    [
        {"client_id": "someone-else"},
        {"client_id": None},
        {"redirect_uri": "https://evil.example/callback"},
        {"redirect_uri": "REDIRECT/"},  # a trailing slash is another address
        {"redirect_uri": None},
    ],
)
async def test_an_unknown_client_or_redirect_uri_gets_a_page_never_a_redirect(
    http: httpx.AsyncClient, idp_server: IdpServer, change: dict[str, str | None]
) -> None:
    if change.get("redirect_uri") == "REDIRECT/":
        change = {"redirect_uri": idp_server.redirect_uri("citizen") + "/"}
    login = new_login(idp_server, "citizen", **change)
    response = await http.get(
        "/dev-idp/citizen/authorize", params=login.params, headers={"Accept-Language": "en"}
    )
    assert response.status_code == 400
    assert "location" not in response.headers
    assert "not registered with the test login" in response.text


async def test_the_other_realms_redirect_uri_is_refused(
    http: httpx.AsyncClient, idp_server: IdpServer
) -> None:
    login = new_login(idp_server, "employee", redirect_uri=idp_server.redirect_uri("citizen"))
    response = await http.get("/dev-idp/employee/authorize", params=login.params)
    assert response.status_code == 400 and "location" not in response.headers


@pytest.mark.parametrize(
    ("change", "mentions"),
    [
        ({"nonce": None}, "nonce"),
        ({"code_challenge": None}, "code_challenge"),
        ({"code_challenge": "a" * 42 + "="}, "code_challenge"),
        ({"code_challenge_method": None}, "code_challenge_method"),
        ({"code_challenge_method": "plain"}, "code_challenge_method"),
        ({"scope": "profile"}, "openid"),
        ({"response_type": "token"}, "response_type"),
        ({"acr_values": "Level4"}, "acr_values"),
        ({"prompt": "consent"}, "prompt"),
        ({"test_fault": "no_such_fault"}, "test_fault"),
    ],
)
async def test_other_mistakes_go_back_to_the_client_as_invalid_request(
    http: httpx.AsyncClient, idp_server: IdpServer, change: dict[str, str | None], mentions: str
) -> None:
    login = new_login(idp_server, "citizen", **change)
    response = await http.get("/dev-idp/citizen/authorize", params=login.params)
    assert response.headers["location"].startswith(idp_server.redirect_uri("citizen") + "?")
    callback = callback_of(response)
    assert callback["error"] == "invalid_request"
    assert mentions in callback["error_description"]
    assert callback["state"] == login.params["state"]
    assert callback["iss"] == idp_server.issuer("citizen")


async def test_a_missing_state_is_refused_without_one(
    http: httpx.AsyncClient, idp_server: IdpServer
) -> None:
    login = new_login(idp_server, state=None)
    callback = callback_of(await http.get("/dev-idp/citizen/authorize", params=login.params))
    assert callback["error"] == "invalid_request" and "state" not in callback


async def test_a_repeated_parameter_is_refused(
    http: httpx.AsyncClient, idp_server: IdpServer
) -> None:
    login = new_login(idp_server)
    params = httpx.QueryParams([*login.params.items(), ("nonce", "second")])
    callback = callback_of(await http.get("/dev-idp/citizen/authorize", params=params))
    assert callback["error"] == "invalid_request" and "nonce" in callback["error_description"]


async def test_the_login_page_lists_people_by_name_and_age_never_by_number(
    http: httpx.AsyncClient, idp_server: IdpServer
) -> None:
    page = await http.get(
        "/dev-idp/citizen/authorize", params=new_login(idp_server, ui_locales="en").params
    )
    assert page.status_code == 200
    assert page.headers["cache-control"] == "no-store"
    labels = [label for _, label in buttons(page.text, "person_id")]
    assert "Emma Solberg, age 9" in labels and "Per Mikkelsen, age 58" in labels
    engine = make_engine(idp_server.database_url)
    try:
        async with make_sessionmaker(engine)() as session:
            people = list(await session.scalars(select(Person)))
    finally:
        await engine.dispose()
    assert len(labels) == len(people)
    vault = PidVault(idp_server.settings().resolved_data_key())
    for person in people:
        assert vault.decrypt(person.pid_encrypted) not in page.text
    assert not re.search(r"<title>[^<]*\d{11}", page.text)


async def test_the_level_defaults_to_high_and_only_allowed_levels_are_offered(
    http: httpx.AsyncClient, idp_server: IdpServer
) -> None:
    either = new_login(idp_server, acr_values="idporten-loa-substantial")
    page = (await http.get("/dev-idp/citizen/authorize", params=either.params)).text
    assert re.findall(r'name="acr" id="acr-(\w+)" value="\w+"( checked)?', page) == [
        ("high", " checked"),
        ("substantial", ""),
    ]
    high_only = new_login(idp_server)
    page = (await http.get("/dev-idp/citizen/authorize", params=high_only.params)).text
    assert re.findall(r'name="acr" id="acr-(\w+)"', page) == ["high"]
    form = {**high_only.params, "csrf_token": csrf_token(page), "pid": SYNTHETIC_PID}
    refused = await http.post("/dev-idp/citizen/authorize", data={**form, "acr": "substantial"})
    assert refused.status_code == 422 and "location" not in refused.headers


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "exactly 11 digits"),
        ("2187949801", "exactly 11 digits"),
        ("21879498013", "control digits"),
        (REAL_LOOKING, "Only synthetic test numbers"),
        (H_NUMBER, "H-numbers"),
    ],
)
async def test_a_bad_typed_number_shows_why_without_echoing_it(
    http: httpx.AsyncClient, idp_server: IdpServer, typed: str, message: str
) -> None:
    login = new_login(idp_server, ui_locales="en")
    page = (await http.get("/dev-idp/citizen/authorize", params=login.params)).text
    form = {**login.params, "csrf_token": csrf_token(page), "pid": typed, "use_pid": "1"}
    response = await http.post("/dev-idp/citizen/authorize", data=form)
    assert response.status_code == 422
    assert message in response.text
    assert 'id="pid-error"' in response.text
    assert 'aria-describedby="pid-description pid-error" aria-invalid="true"' in response.text
    if typed:
        assert typed not in response.text
    # The page still carries the request, so the person can try again.
    assert f'name="state" value="{login.params["state"]}"' in response.text


async def test_the_login_form_needs_the_csrf_token(
    http: httpx.AsyncClient, idp_server: IdpServer
) -> None:
    login = new_login(idp_server)
    await http.get("/dev-idp/citizen/authorize", params=login.params)
    form = {**login.params, "pid": SYNTHETIC_PID, "use_pid": "1"}
    assert (await http.post("/dev-idp/citizen/authorize", data=form)).status_code == 403


async def test_an_unknown_person_or_employee_is_not_found(
    http: httpx.AsyncClient, idp_server: IdpServer
) -> None:
    for realm, field in (("citizen", "person_id"), ("employee", "employee_id")):
        login = new_login(idp_server, realm)
        page = (await http.get(f"/dev-idp/{realm}/authorize", params=login.params)).text
        form = {**login.params, "csrf_token": csrf_token(page), field: "not-a-uuid"}
        assert (await http.post(f"/dev-idp/{realm}/authorize", data=form)).status_code == 404


async def test_single_sign_on_answers_at_once_until_prompt_login(
    http: httpx.AsyncClient, idp_server: IdpServer
) -> None:
    first = await log_in(http, idp_server, new_login(idp_server))
    cookie = next(c for c in http.cookies.jar if c.name == "samplan_devidp_citizen")
    assert cookie.path == "/dev-idp/citizen" and cookie.has_nonstandard_attr("HttpOnly")
    first_claims = (
        await verified_claims(
            http, idp_server, "citizen", (await redeem(http, idp_server, first)).json()["id_token"]
        )
    )[1]

    second = new_login(idp_server)
    response = await http.get("/dev-idp/citizen/authorize", params=second.params)
    second.callback = callback_of(response)  # no page: straight back with a code
    body = (await redeem(http, idp_server, second)).json()
    claims = (await verified_claims(http, idp_server, "citizen", body["id_token"]))[1]
    assert claims["sid"] == first_claims["sid"] and claims["pid"] == first_claims["pid"]
    assert claims["auth_time"] == first_claims["auth_time"]
    assert claims["nonce"] == second.params["nonce"]

    forced = new_login(idp_server, prompt="login")
    assert (await http.get("/dev-idp/citizen/authorize", params=forced.params)).status_code == 200


async def test_a_session_at_substantial_does_not_answer_a_request_for_high(
    http: httpx.AsyncClient, idp_server: IdpServer
) -> None:
    lower = new_login(idp_server, acr_values="idporten-loa-substantial")
    await log_in(http, idp_server, lower, acr="substantial")
    higher = new_login(idp_server)
    assert (await http.get("/dev-idp/citizen/authorize", params=higher.params)).status_code == 200


async def test_prompt_none_without_a_session_is_login_required(
    http: httpx.AsyncClient, idp_server: IdpServer
) -> None:
    login = new_login(idp_server, prompt="none")
    callback = callback_of(await http.get("/dev-idp/citizen/authorize", params=login.params))
    assert callback["error"] == "login_required"
    assert callback["state"] == login.params["state"]


@pytest.mark.parametrize(("ui_locales", "cookie", "lang"), [
    ("nn", None, "nn"),
    ("se en", None, "en"),
    ("nn", "en", "en"),  # the person's own choice wins, as at ID-porten
    (None, None, "nb"),
])  # fmt: skip
async def test_the_page_language_follows_ui_locales_unless_the_person_chose(
    idp_server: IdpServer, ui_locales: str | None, cookie: str | None, lang: str
) -> None:
    cookies = {"samplan_lang": cookie} if cookie else {}
    async with httpx.AsyncClient(base_url=idp_server.url, cookies=cookies) as http:
        login = new_login(idp_server, ui_locales=ui_locales)
        page = await http.get("/dev-idp/citizen/authorize", params=login.params)
    assert f'<html lang="{lang}"' in page.text
