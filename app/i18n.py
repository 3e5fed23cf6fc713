"""Languages of the interface: Bokmål, Nynorsk and English, from Babel catalogues.

The .po files are the single source; they are compiled in memory at start-up, so there is no
build step and no stale .mo file. The choice is remembered in a cookie; without one the
browser's Accept-Language decides, and Bokmål is the default.
"""

from __future__ import annotations

import io
from enum import StrEnum
from functools import cache
from pathlib import Path

from babel import Locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations
from starlette.requests import HTTPConnection

from app.cookies import read_cookie

TRANSLATIONS_DIR = Path(__file__).parent / "translations"
LANGUAGE_COOKIE = "samplan_lang"


class Language(StrEnum):
    NB = "nb"
    NN = "nn"
    EN = "en"

    @property
    def html_lang(self) -> str:
        return self.value

    @property
    def native_name(self) -> str:
        return {"nb": "Norsk bokmål", "nn": "Norsk nynorsk", "en": "English"}[self.value]

    @property
    def babel_locale(self) -> Locale:
        return Locale.parse({"nb": "nb_NO", "nn": "nn_NO", "en": "en_GB"}[self.value])


DEFAULT_LANGUAGE = Language.NB


def gettext_noop(message: str) -> str:
    """Mark a string for the catalogues where it is defined; it is translated where shown."""
    return message


@cache
def translations(language: Language) -> Translations:
    po_path = TRANSLATIONS_DIR / language.value / "LC_MESSAGES" / "messages.po"
    with po_path.open("rb") as po_file:
        catalog = read_po(po_file, locale=language.babel_locale)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer)


def parse_language(value: str | None) -> Language | None:
    if value is None:
        return None
    try:
        return Language(value.strip().lower())
    except ValueError:
        return None


def negotiate(cookie_value: str | None, accept_language: str | None) -> Language:
    """Cookie first, then Accept-Language; a malformed header is ignored, never an error."""
    chosen = parse_language(cookie_value)
    if chosen is not None:
        return chosen
    for tag in _accepted_tags(accept_language or ""):
        primary = tag.split("-")[0]
        if primary in ("nb", "no"):
            return Language.NB
        if primary == "nn":
            return Language.NN
        if primary == "en":
            return Language.EN
    return DEFAULT_LANGUAGE


def _accepted_tags(header: str) -> list[str]:
    weighted: list[tuple[float, int, str]] = []
    for position, part in enumerate(header[:1000].split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        params = params.strip()
        if params.startswith("q="):
            try:
                quality = float(params[2:])
            except ValueError:
                continue
        if tag and quality > 0:
            weighted.append((-quality, position, tag.lower()))
    return [tag for _, _, tag in sorted(weighted)]


def language_of(connection: HTTPConnection) -> Language:
    cached = getattr(connection.state, "language", None)
    if isinstance(cached, Language):
        return cached
    language = negotiate(
        read_cookie(connection, LANGUAGE_COOKIE), connection.headers.get("accept-language")
    )
    connection.state.language = language
    return language
