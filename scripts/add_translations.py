"""Add translations to the three catalogues from JSON files: {"msgid": ["nb", "nn"], ...}.

English uses the msgid itself. Usage: python scripts/add_translations.py FILE.json [...]
Existing translations are replaced by the file's; the catalogues stay sorted. A lock file keeps
two runs from writing at once.
"""

from __future__ import annotations

import fcntl
import json
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

CATALOGUES = Path(__file__).resolve().parent.parent / "app" / "translations"


def main(paths: list[str]) -> None:
    wanted: dict[str, list[str]] = {}
    for path in paths:
        wanted.update(json.loads(Path(path).read_text()))
    with (CATALOGUES / ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        for index, language in enumerate(["nb", "nn", "en"]):
            po_path = CATALOGUES / language / "LC_MESSAGES" / "messages.po"
            with po_path.open("rb") as po_file:
                catalog = read_po(po_file, locale=language)
            for msgid, (nb, nn) in wanted.items():
                text = [nb, nn, msgid][index]
                if msgid in catalog:
                    catalog[msgid].string = text
                else:
                    catalog.add(msgid, text)
            with po_path.open("wb") as po_file:
                write_po(
                    po_file, catalog, sort_output=True, no_location=True, width=100
                )
    print(f"added {len(wanted)} messages")


if __name__ == "__main__":
    main(sys.argv[1:])
