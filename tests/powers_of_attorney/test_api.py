"""app/api/powers_of_attorney.py through the JSON API, with real sessions (R-REP-1, R-REP-3)."""

from __future__ import annotations

import re
import uuid
from datetime import date

import httpx
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.access import audit
from app.models import AuditEvent
from app.people.identity_numbers import make_synthetic_identity_number
from tests.powers_of_attorney.conftest import PDF, Login, World

API = "/api/v1"
PROBLEM = "application/problem+json"


def _form(world: World, **changes: object) -> dict[str, object]:
    fields: dict[str, object] = {
        "holder_identity_number": world.liv_number,
        "holder_given_name": "Liv",
        "holder_family_name": "Mikkelsen",
        "parts": ["goals_actions", "messages"],
        "acts": "true",
    }
    fields.update(changes)
    return fields


async def _register(
    client: httpx.AsyncClient,
    world: World,
    *,
    content: bytes = PDF,
    filename: str = "fullmakt.pdf",
    **changes: object,
) -> httpx.Response:
    return await client.post(
        f"{API}/powers-of-attorney",
        data=_form(world, **changes),
        files={"document": (filename, content, "application/pdf")},
        headers={"Accept-Language": "en"},
    )


async def _registered(client: httpx.AsyncClient, login: Login, world: World) -> str:
    await login.as_person(world.per)
    answer = await _register(client, world)
    assert answer.status_code == 201, answer.text
    return str(answer.json()["id"])


async def _choose(client: httpx.AsyncClient, person_id: str) -> httpx.Response:
    """Choose whom to act for through the page, with its CSRF token, as a browser would."""
    page = await client.get("/")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token is not None
    return await client.post(
        "/acting-for",
        data={"csrf_token": token.group(1), "person": person_id, "next": "/"},
        follow_redirects=False,
    )


async def test_r_rep_1_register_answers_201_and_never_carries_the_identity_number(
    client: httpx.AsyncClient, login: Login, app_world: World
) -> None:
    world = app_world
    await login.as_person(world.per)
    answer = await _register(client, world, filename="Fullmakt Per.pdf")
    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert body["status"] == "awaiting_verification"
    assert body["granter"] == {"id": str(world.per.id), "name": "Per Mikkelsen"}
    assert body["holder"] == {"id": str(world.liv.id), "name": "Liv Mikkelsen"}
    assert body["parts"] == ["goals_actions", "messages"] and body["all_parts"] is False
    assert body["acts"] is True and body["manages_consent"] is False
    assert body["document"] == {"filename": "Fullmakt Per.pdf", "size": len(PDF)}
    assert body["you_are"] == "granter"
    assert world.liv_number not in answer.text

    await login.as_person(world.liv)
    held = await client.get(f"{API}/powers-of-attorney")
    assert [(item["id"], item["you_are"]) for item in held.json()] == [(body["id"], "holder")]


async def test_bad_input_is_a_problem_document_that_never_repeats_the_number(
    client: httpx.AsyncClient, login: Login, app_world: World
) -> None:
    world = app_world
    await login.as_person(world.per)
    young = make_synthetic_identity_number(date(2010, 1, 1), serial=4)
    cases = [
        ({"content": b"GIF89a"}, "not_a_pdf"),
        ({"content": b""}, "empty_file"),
        ({"holder_identity_number": young}, "holder_too_young"),
        ({"holder_identity_number": "12345678901"}, "bad_identity_number"),
        ({"parts": ["diary"]}, "unknown_part"),
        ({"valid_until": "2026-11-22"}, "end_date_in_past"),
    ]
    for changes, code in cases:
        answer = await _register(client, world, **changes)  # type: ignore[arg-type]
        assert answer.status_code == 422, (code, answer.text)
        assert answer.headers["content-type"] == PROBLEM
        assert answer.json()["type"] == f"urn:samplan:problem:{code}"
        assert answer.json()["detail"]
        assert world.liv_number not in answer.text and young not in answer.text
    assert (await client.get(f"{API}/powers-of-attorney")).json() == []


async def test_r_rep_3_a_confidential_address_gives_the_same_neutral_refusal(
    client: httpx.AsyncClient, login: Login, app_world: World, session: AsyncSession
) -> None:
    world = app_world
    world.liv.confidential_address = True
    await session.flush()
    await login.as_person(world.per)
    answer = await _register(client, world)
    assert answer.status_code == 422
    assert answer.json()["detail"] == (
        "This power of attorney cannot be registered in the portal. Contact the coordinating unit."
    )


async def test_nobody_logged_in_gets_401(client: httpx.AsyncClient, app_world: World) -> None:
    assert (await client.get(f"{API}/powers-of-attorney")).status_code == 401
    assert (await _register(client, app_world)).status_code == 401


async def test_r_rep_1_acting_for_is_offered_only_after_the_coordinating_unit_verifies(
    client: httpx.AsyncClient, login: Login, app_world: World
) -> None:
    world = app_world
    power_id = await _registered(client, login, world)

    await login.as_person(world.liv)
    before = await client.get("/acting-for", follow_redirects=False)
    assert before.status_code == 303  # nobody to choose yet
    assert (await _choose(client, str(world.per.id))).status_code == 403

    await login.as_employee(world.kari)
    pending = await client.get(f"{API}/municipality/powers-of-attorney/pending")
    assert [item["id"] for item in pending.json()] == [power_id]
    verified = await client.post(f"{API}/powers-of-attorney/{power_id}/verify")
    assert verified.status_code == 200 and verified.json()["status"] == "in_force"
    assert (await client.get(f"{API}/municipality/powers-of-attorney/pending")).json() == []

    await login.as_person(world.liv)
    after = await client.get("/acting-for")
    assert after.status_code == 200 and "Per Mikkelsen" in after.text
    assert (await _choose(client, str(world.per.id))).status_code == 303
    assert (await client.get(f"{API}/me")).json()["acting_for_person_id"] == str(world.per.id)


async def test_r_rep_1_a_rejected_one_is_never_offered(
    client: httpx.AsyncClient, login: Login, app_world: World
) -> None:
    world = app_world
    power_id = await _registered(client, login, world)
    await login.as_employee(world.kari)
    rejected = await client.post(f"{API}/powers-of-attorney/{power_id}/reject")
    assert rejected.status_code == 200 and rejected.json()["status"] == "rejected"
    again = await client.post(f"{API}/powers-of-attorney/{power_id}/verify")
    assert again.status_code == 409
    await login.as_person(world.liv)
    assert (await client.get("/acting-for", follow_redirects=False)).status_code == 303


async def _verified_and_chosen(client: httpx.AsyncClient, login: Login, world: World) -> str:
    power_id = await _registered(client, login, world)
    await login.as_employee(world.kari)
    assert (await client.post(f"{API}/powers-of-attorney/{power_id}/verify")).status_code == 200
    await login.as_person(world.liv)
    assert (await _choose(client, str(world.per.id))).status_code == 303
    return power_id


async def test_r_rep_1_when_the_granter_ends_it_the_holder_loses_access_on_the_next_request(
    client: httpx.AsyncClient, login: Login, app_world: World
) -> None:
    world = app_world
    power_id = await _verified_and_chosen(client, login, world)
    liv_cookie = client.cookies.get("samplan_session")

    await login.as_person(world.per)
    ended = await client.post(f"{API}/powers-of-attorney/{power_id}/end")
    assert ended.status_code == 200 and ended.json()["status"] == "ended"

    assert liv_cookie is not None
    client.cookies.set("samplan_session", liv_cookie)
    me = (await client.get(f"{API}/me")).json()
    assert me["acting_for_person_id"] is None
    assert (await client.get("/acting-for", follow_redirects=False)).status_code == 303


async def test_r_rep_1_when_the_holder_ends_it_their_context_ends_at_once(
    client: httpx.AsyncClient, login: Login, app_world: World
) -> None:
    world = app_world
    power_id = await _verified_and_chosen(client, login, world)
    ended = await client.post(f"{API}/powers-of-attorney/{power_id}/end")
    assert ended.status_code == 200 and ended.json()["you_are"] == "holder"
    assert (await client.get(f"{API}/me")).json()["acting_for_person_id"] is None
    assert (await client.post(f"{API}/powers-of-attorney/{power_id}/end")).status_code == 409


async def test_someone_else_ending_it_gets_404(
    client: httpx.AsyncClient, login: Login, app_world: World
) -> None:
    world = app_world
    power_id = await _registered(client, login, world)
    await login.as_employee(world.kari)
    assert (await client.post(f"{API}/powers-of-attorney/{power_id}/end")).status_code == 404
    await login.as_person(world.per)
    unknown = await client.post(f"{API}/powers-of-attorney/{uuid.uuid4()}/end")
    assert unknown.status_code == 404 and unknown.headers["content-type"] == PROBLEM


async def test_the_coordinating_unit_endpoints_refuse_citizens_other_staff_and_other_municipalities(
    client: httpx.AsyncClient, login: Login, app_world: World
) -> None:
    world = app_world
    power_id = await _registered(client, login, world)
    one = f"{API}/powers-of-attorney/{power_id}"
    pending = f"{API}/municipality/powers-of-attorney/pending"
    for person in (world.per, world.liv):
        await login.as_person(person)
        assert (await client.get(pending)).status_code == 403
        assert (await client.post(one + "/verify")).status_code == 403
        assert (await client.post(one + "/reject")).status_code == 403
        assert (await client.get(one + "/document")).status_code == 403
    await login.as_employee(world.ola)  # home care, same municipality
    assert (await client.get(pending)).status_code == 403
    assert (await client.post(one + "/verify")).status_code == 403
    assert (await client.get(one + "/document")).status_code == 403
    await login.as_employee(world.siv)  # coordinating unit of another municipality
    assert (await client.get(pending)).json() == []
    assert (await client.post(one + "/verify")).status_code == 404
    assert (await client.post(one + "/reject")).status_code == 404
    assert (await client.get(one + "/document")).status_code == 404


async def test_the_coordinating_unit_downloads_the_document_as_an_attachment(
    client: httpx.AsyncClient, login: Login, app_world: World, session: AsyncSession
) -> None:
    world = app_world
    await login.as_person(world.per)
    created = await _register(client, world, filename="../Fullmakt for Per Åsen.pdf")
    power_id = created.json()["id"]
    await login.as_employee(world.kari)
    answer = await client.get(f"{API}/powers-of-attorney/{power_id}/document")
    assert answer.status_code == 200
    assert answer.content == PDF
    assert answer.headers["content-type"] == "application/pdf"
    assert answer.headers["content-disposition"] == (
        'attachment; filename="Fullmakt for Per _sen.pdf"; '
        "filename*=UTF-8''Fullmakt%20for%20Per%20%C3%85sen.pdf"
    )
    assert answer.headers["cache-control"] == "no-store"
    await audit.seal_pending(session)
    logged = await session.scalar(
        select(AuditEvent.id).where(
            AuditEvent.action == "power_of_attorney.document.download",
            AuditEvent.actor_employee_id == world.kari.id,
        )
    )
    assert logged is not None


def _schema_names(schema: object) -> set[str]:
    names: set[str] = set()
    if isinstance(schema, dict):
        for key, value in schema.items():
            names.add(str(key))
            names |= _schema_names(value)
    elif isinstance(schema, list):
        for value in schema:
            names |= _schema_names(value)
    return names


async def test_the_openapi_schema_describes_every_route_and_no_output_has_an_identity_number(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    schema = (await client.get(f"{API}/openapi.json")).json()
    paths = schema["paths"]
    assert set(paths[f"{API}/powers-of-attorney"]) == {"get", "post"}
    for path in ("/end", "/verify", "/reject"):
        assert "post" in paths[f"{API}/powers-of-attorney/{{power_id}}{path}"]
    assert "get" in paths[f"{API}/powers-of-attorney/{{power_id}}/document"]
    assert "get" in paths[f"{API}/municipality/powers-of-attorney/pending"]
    out = schema["components"]["schemas"]["PowerOfAttorneyOut"]
    names = _schema_names(out) | _schema_names(schema["components"]["schemas"]["PersonRef"])
    assert not any("identity" in name or "pid" in name for name in names)
