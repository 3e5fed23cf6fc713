"""app/web/notification_settings.py: /settings/notifications without JavaScript, in nb, nn and
en; every problem next to its field, with what was typed kept."""

from __future__ import annotations

import re

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from app.i18n import Language, translations
from app.models import Channel, Frequency
from app.notifications import service as notifications
from app.notifications.addresses import BAD_EMAIL, BAD_PHONE
from app.notifications.service import PHONE_NEEDED
from app.settings import Settings
from tests.notifications.conftest import World
from tests.support.clock import FrozenClock
from tests.support.logins import citizen, log_in

PAGE = "/settings/notifications"


def _token(page: httpx.Response) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found is not None
    return found.group(1)


def _in(language: str, message: str) -> str:
    """The message as the page shows it in this language (escaped as Jinja escapes it)."""
    shown = translations(Language(language)).gettext(message)
    return shown.replace("&", "&amp;").replace("'", "&#39;").replace('"', "&#34;")


async def _post(client: httpx.AsyncClient, language: str, **fields: str) -> httpx.Response:
    headers = {"Accept-Language": language}
    page = await client.get(PAGE, headers=headers)
    return await client.post(
        PAGE,
        data={"csrf_token": _token(page), **fields},
        headers=headers,
        follow_redirects=False,
    )


@pytest.fixture
async def per_logged_in(
    client: httpx.AsyncClient,
    session: AsyncSession,
    settings: Settings,
    clock: FrozenClock,
    world: World,
) -> World:
    await log_in(client, session, settings, clock, person=world.per)
    return world


async def test_a_page_needs_a_login(client: httpx.AsyncClient) -> None:
    answer = await client.get(PAGE, follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"].startswith("/login")


@pytest.mark.parametrize("language", ["nb", "nn", "en"])
async def test_the_page_shows_the_defaults_in_three_languages(
    client: httpx.AsyncClient, per_logged_in: World, language: str
) -> None:
    page = await client.get(PAGE, headers={"Accept-Language": language})
    assert page.status_code == 200
    assert f'<html lang="{language}"' in page.text
    assert f">{_in(language, 'Notifications')}</h1>" in page.text
    assert re.search(r'id="channel-none"[^>]* checked', page.text)
    assert re.search(r'id="frequency-at_once"[^>]* checked', page.text)
    assert _in(language, "As soon as something is new, at most once an hour") in page.text


@pytest.mark.parametrize("language", ["nb", "nn", "en"])
async def test_every_problem_is_shown_by_its_field_and_what_was_typed_is_kept(
    client: httpx.AsyncClient, per_logged_in: World, language: str
) -> None:
    answer = await _post(client, language, channel="sms", frequency="daily", email="per@", phone="")
    assert answer.status_code == 422
    assert f'<html lang="{language}"' in answer.text
    assert answer.text.count(_in(language, BAD_EMAIL)) == 2  # in the summary and by the field
    assert answer.text.count(_in(language, PHONE_NEEDED)) == 2
    assert 'href="#email"' in answer.text and 'href="#phone"' in answer.text
    assert re.search(r'id="email"[^>]*value="per@"[^>]*aria-invalid="true"', answer.text)
    assert re.search(r'aria-describedby="email-description email-error"', answer.text)
    assert 'id="phone-error"' in answer.text
    assert re.search(r'id="channel-sms"[^>]* checked', answer.text)
    assert re.search(r'id="frequency-daily"[^>]* checked', answer.text)
    assert "<title>" + _in(language, "Error") in answer.text


async def test_an_unknown_choice_is_marked_on_its_group(
    client: httpx.AsyncClient, per_logged_in: World
) -> None:
    answer = await _post(client, "en", channel="fax", frequency="at_once", phone="12")
    assert answer.status_code == 422
    assert 'href="#channel-email"' in answer.text and 'id="channel-error"' in answer.text
    assert answer.text.count(_in("en", BAD_PHONE)) == 2


async def test_saving_through_the_form_keeps_the_choice(
    client: httpx.AsyncClient, session: AsyncSession, per_logged_in: World
) -> None:
    answer = await _post(
        client, "en", channel="sms", frequency="daily", email="", phone="412 34 567"
    )
    assert answer.status_code == 303, answer.text
    assert answer.headers["location"].endswith(f"{PAGE}?done=saved")
    page = await client.get(answer.headers["location"], headers={"Accept-Language": "en"})
    assert "Your choices are saved." in page.text
    assert re.search(r'id="channel-sms"[^>]* checked', page.text)
    assert re.search(r'id="frequency-daily"[^>]* checked', page.text)
    assert 'value="+4741234567"' in page.text
    stored = await notifications.get_settings(session, citizen(per_logged_in.per))
    assert (stored.channel, stored.frequency) == (Channel.SMS, Frequency.DAILY)


async def test_a_post_without_the_csrf_token_is_refused(
    client: httpx.AsyncClient, per_logged_in: World
) -> None:
    answer = await client.post(PAGE, data={"channel": "none", "frequency": "at_once"})
    assert answer.status_code == 403


async def test_staff_see_that_their_work_address_is_used_until_they_choose(
    client: httpx.AsyncClient,
    session: AsyncSession,
    settings: Settings,
    clock: FrozenClock,
    world: World,
) -> None:
    await log_in(client, session, settings, clock, staff=world.kari)
    page = await client.get(PAGE, headers={"Accept-Language": "en"})
    assert page.status_code == 200
    assert "we send notices by e-mail to your work address" in page.text
    assert f'value="{world.kari.email}"' in page.text
    assert re.search(r'id="channel-email"[^>]* checked', page.text)


async def test_without_an_sms_gateway_the_page_offers_no_text_messages(
    client: httpx.AsyncClient, per_logged_in: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(Settings, "sms_available", property(lambda _self: False))
    page = await client.get(PAGE)
    assert page.status_code == 200
    assert 'id="channel-email"' in page.text and 'id="channel-sms"' not in page.text
    assert 'id="phone"' not in page.text
    refused = await _post(client, "en", channel="sms", frequency="at_once", phone="91234567")
    assert refused.status_code == 422
    assert "does not send text messages" in refused.text
