"""quality.md A3: every interface string exists in all three catalogues; content pages too."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from app.i18n import TRANSLATIONS_DIR, Language, negotiate

ROOT = Path(__file__).resolve().parent.parent
KEYWORDS = {"_": None, "gettext": None, "gettext_noop": None, "ngettext": (1, 2)}
METHOD_MAP = [("app/**.py", "python"), ("templates/**.html", "jinja2")]
OPTIONS = {"templates/**.html": {"extensions": "jinja2.ext.i18n"}}


def _source_messages() -> set[str]:
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        ROOT, METHOD_MAP, OPTIONS, KEYWORDS
    ):
        found.add(message if isinstance(message, str) else message[0])
    return found


@pytest.mark.parametrize("language", list(Language))
def test_every_interface_string_is_translated(language: Language) -> None:
    path = TRANSLATIONS_DIR / language.value / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as po_file:
        catalog = read_po(po_file)
    translated = {message.id for message in catalog if message.id and message.string}
    missing = sorted(_source_messages() - translated)
    assert missing == [], f"untranslated in {language.value}: {missing}"
    assert not any(message.fuzzy for message in catalog if message.id)


@pytest.mark.parametrize("page", ["about", "accessibility", "start"])
def test_every_content_page_has_the_same_outline_in_three_languages(page: str) -> None:
    outlines = {}
    for language in Language:
        html = (ROOT / "templates" / "content" / f"{page}.{language.value}.html").read_text()
        outlines[language] = re.findall(r"<(h[1-6])\b", html)
        assert outlines[language].count("h1") == 1
    assert outlines[Language.NB] == outlines[Language.NN] == outlines[Language.EN]


@pytest.mark.parametrize(
    ("cookie", "header", "expected"),
    [
        (None, None, Language.NB),
        ("nn", "en", Language.NN),
        ("xx", "en-GB,en;q=0.9", Language.EN),
        (None, "en;q=0.5, nn;q=0.8", Language.NN),
        (None, "no", Language.NB),
        (None, "de-DE, fr;q=0.9", Language.NB),
        (None, "nn;q=abc, en;q=0.1", Language.EN),
        (None, "," * 5000, Language.NB),
    ],
)
def test_language_is_negotiated_from_cookie_then_header(
    cookie: str | None, header: str | None, expected: Language
) -> None:
    assert negotiate(cookie, header) is expected
