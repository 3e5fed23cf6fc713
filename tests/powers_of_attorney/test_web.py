"""app/web/powers_of_attorney.py: /powers-of-attorney and /municipality/powers-of-attorney,
without JavaScript."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import httpx
import pytest

from app.people.identity_numbers import make_synthetic_identity_number
from tests.powers_of_attorney.conftest import PDF, Login, World

EN = {"Accept-Language": "en"}


def _token(page: httpx.Response) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found is not None
    return found.group(1)


async def _submit(
    client: httpx.AsyncClient, world: World, *, number: str | None = None, **changes: object
) -> httpx.Response:
    page = await client.get("/powers-of-attorney", headers=EN)
    fields: dict[str, object] = {
        "csrf_token": _token(page),
        "holder_identity_number": number or world.liv_number,
        "holder_given_name": "Liv",
        "holder_family_name": "Mikkelsen",
        "parts": ["goals_actions", "meetings"],
        "acts": "true",
        "valid_until": "2027-06-30",
    }
    fields.update(changes)
    return await client.post(
        "/powers-of-attorney",
        data=fields,
        files={"document": ("fullmakt.pdf", PDF, "application/pdf")},
        headers=EN,
        follow_redirects=False,
    )


@pytest.mark.parametrize(
    ("language", "heading"),
    [("nb", "Fullmakter"), ("nn", "Fullmakter"), ("en", "Powers of attorney")],
)
async def test_the_page_is_in_three_languages_and_never_prefills_an_identity_number(
    client: httpx.AsyncClient, login: Login, app_world: World, language: str, heading: str
) -> None:
    await login.as_person(app_world.per)
    page = await client.get("/powers-of-attorney", headers={"Accept-Language": language})
    assert page.status_code == 200
    assert f'<html lang="{language}"' in page.text and f">{heading}</h1>" in page.text
    number_input = re.search(r"<input[^>]*id=\"holder_identity_number\"[^>]*>", page.text)
    assert number_input is not None
    assert 'autocomplete="off"' in number_input.group(0) and 'value=""' in number_input.group(0)


async def test_a_page_needs_a_login(client: httpx.AsyncClient) -> None:
    answer = await client.get("/powers-of-attorney", follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"].startswith("/login")


async def test_r_rep_1_registering_through_the_form_lists_it_as_waiting(
    client: httpx.AsyncClient, login: Login, app_world: World
) -> None:
    await login.as_person(app_world.per)
    answer = await _submit(client, app_world)
    assert answer.status_code == 303, answer.text
    assert answer.headers["location"].endswith("/powers-of-attorney?done=registered")
    page = await client.get(answer.headers["location"], headers=EN)
    assert "The power of attorney is registered." in page.text
    assert "Liv Mikkelsen" in page.text and "Waiting for the coordinating unit" in page.text
    assert "Goals and actions, Meetings" in page.text
    assert app_world.liv_number not in page.text


async def test_r_id_3_an_error_keeps_every_field_but_the_identity_number(
    client: httpx.AsyncClient, login: Login, app_world: World
) -> None:
    await login.as_person(app_world.per)
    young = make_synthetic_identity_number(date(2012, 2, 2), serial=3)
    answer = await _submit(client, app_world, number=young, holder_given_name="Unge")
    assert answer.status_code == 422
    html = answer.text
    assert young not in html
    assert "<title>Error: Powers of attorney – Samplan</title>" in html
    summary = re.search(r'<div class="ds-error-summary".*?</div>', html, re.S)
    assert summary is not None
    assert 'href="#holder_identity_number"' in summary.group(0)
    assert "must be 18 or older" in summary.group(0)
    number_input = re.search(r"<input[^>]*id=\"holder_identity_number\"[^>]*>", html)
    assert number_input is not None
    assert 'value=""' in number_input.group(0) and 'aria-invalid="true"' in number_input.group(0)
    assert 'value="Unge"' in html and 'value="Mikkelsen"' in html
    assert re.search(r'value="goals_actions" id="parts-goals_actions" checked', html)
    assert re.search(r'value="meetings" id="parts-meetings" checked', html)
    assert not re.search(r'value="notes" id="parts-notes" checked', html)
    assert re.search(r'id="acts-true" checked', html)
    assert 'value="2027-06-30"' in html


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"parts": []}, "parts-all"),
        ({"valid_until": "2020-01-01"}, "valid_until"),
        ({"valid_until": "not a date"}, "valid_until"),
        ({"acts": "false", "manages_consent": "true"}, "manages_consent"),
        ({"holder_identity_number": "1" * 30}, "holder_identity_number"),
        ({"holder_given_name": "x" * 300}, "holder_given_name"),
    ],
)
async def test_each_refusal_links_the_error_summary_to_its_field(
    client: httpx.AsyncClient,
    login: Login,
    app_world: World,
    changes: dict[str, Any],
    field: str,
) -> None:
    await login.as_person(app_world.per)
    answer = await _submit(client, app_world, **changes)
    assert answer.status_code == 422
    assert f'href="#{field}"' in answer.text
    assert f'id="{field}-error"' in answer.text


async def test_a_file_that_is_not_a_pdf_is_refused_on_the_page(
    client: httpx.AsyncClient, login: Login, app_world: World
) -> None:
    await login.as_person(app_world.per)
    page = await client.get("/powers-of-attorney", headers=EN)
    answer = await client.post(
        "/powers-of-attorney",
        data={
            "csrf_token": _token(page),
            "holder_identity_number": app_world.liv_number,
            "parts": ["all"],
        },
        files={"document": ("bilde.png", b"\x89PNG\r\n", "image/png")},
        headers=EN,
    )
    assert answer.status_code == 422
    assert 'href="#document"' in answer.text and "The file is not a PDF." in answer.text


async def test_the_form_needs_the_csrf_token(
    client: httpx.AsyncClient, login: Login, app_world: World
) -> None:
    await login.as_person(app_world.per)
    answer = await client.post(
        "/powers-of-attorney",
        data={"holder_identity_number": app_world.liv_number, "parts": ["all"]},
        files={"document": ("f.pdf", PDF, "application/pdf")},
    )
    assert answer.status_code == 403


async def test_r_rep_1_the_coordinating_unit_verifies_on_its_page_and_the_holder_can_end_it(
    client: httpx.AsyncClient, login: Login, app_world: World
) -> None:
    world = app_world
    await login.as_person(world.per)
    assert (await _submit(client, world)).status_code == 303

    await login.as_employee(world.kari)
    desk = await client.get("/municipality/powers-of-attorney", headers=EN)
    assert desk.status_code == 200
    assert "Per Mikkelsen" in desk.text and "Liv Mikkelsen" in desk.text
    link = re.search(r'href="(/municipality/powers-of-attorney/[^"]+/document)"', desk.text)
    assert link is not None
    document = await client.get(link.group(1))
    assert document.status_code == 200 and document.content == PDF
    assert document.headers["content-disposition"].startswith("attachment;")
    verify = re.search(r'action="(/municipality/powers-of-attorney/[^"]+/verify)"', desk.text)
    assert verify is not None
    done = await client.post(
        verify.group(1), data={"csrf_token": _token(desk)}, follow_redirects=False
    )
    assert done.status_code == 303
    after = await client.get(done.headers["location"], headers=EN)
    assert "verified and now in force" in after.text
    assert "No powers of attorney are waiting" in after.text

    await login.as_person(world.liv)
    mine = await client.get("/powers-of-attorney", headers=EN)
    assert "Powers of attorney you hold" in mine.text and "In force" in mine.text
    end = re.search(r'action="(/powers-of-attorney/[^"]+/end)"', mine.text)
    assert end is not None
    ended = await client.post(
        end.group(1), data={"csrf_token": _token(mine)}, headers=EN, follow_redirects=True
    )
    assert ended.status_code == 200 and "It stopped at once." in ended.text
    assert "Ended" in ended.text


async def test_the_coordinating_unit_rejects_on_its_page(
    client: httpx.AsyncClient, login: Login, app_world: World
) -> None:
    await login.as_person(app_world.per)
    assert (await _submit(client, app_world)).status_code == 303
    await login.as_employee(app_world.kari)
    desk = await client.get("/municipality/powers-of-attorney", headers=EN)
    reject = re.search(r'action="(/municipality/powers-of-attorney/[^"]+/reject)"', desk.text)
    assert reject is not None
    done = await client.post(
        reject.group(1), data={"csrf_token": _token(desk)}, headers=EN, follow_redirects=True
    )
    assert done.status_code == 200 and "It will not take effect." in done.text
    await login.as_person(app_world.per)
    mine = await client.get("/powers-of-attorney", headers=EN)
    assert "Rejected by the coordinating unit" in mine.text


async def test_citizens_and_other_staff_cannot_open_the_coordinating_units_page(
    client: httpx.AsyncClient, login: Login, app_world: World
) -> None:
    await login.as_person(app_world.per)
    assert (await client.get("/municipality/powers-of-attorney")).status_code == 403
    await login.as_employee(app_world.ola)
    assert (await client.get("/municipality/powers-of-attorney")).status_code == 403


async def test_no_file_chosen_asks_for_the_file_after_the_other_fields(
    client: httpx.AsyncClient, login: Login, app_world: World
) -> None:
    await login.as_person(app_world.per)
    page = await client.get("/powers-of-attorney", headers=EN)
    fields = {
        "csrf_token": _token(page),
        "holder_identity_number": app_world.liv_number,
        "parts": ["all"],
    }
    empty_part = {"document": ("", b"", "application/octet-stream")}
    answer = await client.post("/powers-of-attorney", data=fields, files=empty_part, headers=EN)
    assert answer.status_code == 422
    assert "Choose the signed power of attorney as a PDF file." in answer.text
    assert 'href="#document"' in answer.text
    fields["parts"] = []
    answer = await client.post("/powers-of-attorney", data=fields, files=empty_part, headers=EN)
    assert 'href="#parts-all"' in answer.text
