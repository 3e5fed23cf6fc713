"""Who a verified login becomes: a known person, a new person outside production, known staff."""

from __future__ import annotations

from datetime import date

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth import service as auth
from app.auth.errors import LoginRefused
from app.auth.id_token import VerifiedLogin
from app.auth.metadata import ProviderDirectory
from app.auth.providers import provider
from app.models import Realm
from app.people import service as people
from app.people.identity_numbers import make_synthetic_identity_number, parse_identity_number
from app.people.pid_vault import PidVault
from app.settings import Environment, Settings
from tests.support.clock import FrozenClock

VAULT = PidVault(b"auth-service-test")


def _tools(settings: Settings, clock: FrozenClock) -> auth.SignInTools:
    http = httpx.AsyncClient()  # never used: these calls do not reach a provider
    return auth.SignInTools(
        settings=settings,
        directory=ProviderDirectory(http, clock),
        http=http,
        vault=VAULT,
        clock=clock,
    )


def _login(claims: dict[str, object], pid: str | None = None) -> VerifiedLogin:
    number = parse_identity_number(pid, allow_synthetic=True) if pid else None
    return VerifiedLogin(
        subject="s", acr="idporten-loa-high", sid="x", claims=claims, identity_number=number
    )


async def test_an_unknown_staff_member_is_told_to_ask_the_coordinating_unit(
    session: AsyncSession, settings: Settings, clock: FrozenClock
) -> None:
    with pytest.raises(LoginRefused) as refused:
        await auth._open_session(
            session,
            _tools(settings, clock),
            provider(settings, Realm.EMPLOYEE),
            _login({"sub": "nobody"}),
            user_agent="",
        )
    assert refused.value.reason == "employee_unknown" and refused.value.status == 403
    assert "coordinating unit" in refused.value.detail


async def test_r_id_4_new_citizen_gets_birth_date_from_the_number_outside_production(
    session: AsyncSession, settings: Settings, clock: FrozenClock
) -> None:
    pid = make_synthetic_identity_number(date(2012, 6, 1), serial=4)
    login = _login({"sub": "s"}, pid)
    token = await auth._open_session(
        session, _tools(settings, clock), provider(settings, Realm.CITIZEN), login, user_agent=""
    )
    assert token and login.identity_number is not None
    person = await people.find_person(session, login.identity_number, vault=VAULT)
    assert person is not None and person.birth_date == date(2012, 6, 1)


async def test_r_id_4_production_does_not_invent_people_from_a_token(
    session: AsyncSession, settings: Settings, clock: FrozenClock
) -> None:
    production = settings.model_copy(update={"env": Environment.PRODUCTION})
    pid = make_synthetic_identity_number(date(1980, 1, 2), serial=5)
    with pytest.raises(LoginRefused) as refused:
        await auth._open_session(
            session,
            _tools(production, clock),
            provider(settings, Realm.CITIZEN),
            _login({"sub": "s"}, pid),
            user_agent="",
        )
    assert refused.value.reason == "person_not_registered"
