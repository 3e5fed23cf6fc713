"""The only words a notification ever carries (R-NOTE-1): something is new, and where to log in.

No name, plan, message or number, whatever caused it. The server does not know which language
the person reads, so an e-mail says it in Bokmål, Nynorsk and English, as public services do.
The texts are written out here rather than taken from the catalogues: every notification reads
the same, and nothing a translator adds can put content into one.
"""

from __future__ import annotations

from dataclasses import dataclass

SUBJECTS = {
    "nb": "Du har noe nytt i Samplan",
    "nn": "Du har noko nytt i Samplan",
    "en": "You have something new in Samplan",
}
PARAGRAPHS = {
    "nb": "Du har noe nytt i Samplan. Logg inn på {url} for å se det. "
    "Du kan ikke svare på denne e-posten.",
    "nn": "Du har noko nytt i Samplan. Logg inn på {url} for å sjå det. "
    "Du kan ikkje svare på denne e-posten.",
    "en": "You have something new in Samplan. Log in at {url} to see it. "
    "You cannot reply to this e-mail.",
}
SMS = "Du har noe nytt i Samplan. Logg inn på {url}"


@dataclass(frozen=True)
class EmailText:
    subject: str
    body: str


def login_url(base_url: str) -> str:
    return base_url.rstrip("/") + "/"


def email_text(base_url: str) -> EmailText:
    url = login_url(base_url)
    return EmailText(
        subject=" / ".join(SUBJECTS.values()),
        body="\n\n".join(paragraph.format(url=url) for paragraph in PARAGRAPHS.values()) + "\n",
    )


def sms_text(base_url: str) -> str:
    return SMS.format(url=login_url(base_url))
