"""`make locales-check`: fail when the catalogs are stale or a locale misses strings.

Extracts the fixed words from the code as `make locales-update` does, then compares: every
word must be in every catalog, translated (not fuzzy) in every locale but the source (fr),
and no catalog may keep words the code no longer uses.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
LOCALES = ROOT / "locales"
SOURCE = "fr"
EXTRACT = ["-k", "gettext:2", "-k", "ngettext:2,3", "-F", "babel.cfg", "--no-location"]


def extracted() -> set[str]:
    with tempfile.TemporaryDirectory() as tmp:
        pot = Path(tmp) / "crieur.pot"
        subprocess.run(
            [
                sys.executable,
                "-m",
                "babel.messages.frontend",
                "-q",
                "extract",
                *EXTRACT,
                "-o",
                str(pot),
                "renderers",
                "channels",
                "gateway",
            ],
            cwd=ROOT,
            check=True,
        )
        with pot.open("rb") as f:
            return {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(f) if m.id}


def _ids(message) -> str:
    return message.id if isinstance(message.id, str) else message.id[0]


def _translated(message) -> bool:
    strings = message.string if isinstance(message.string, tuple) else (message.string,)
    return not message.fuzzy and all(strings)


def coverage() -> dict[str, tuple[int, int]]:
    """Per locale: (words translated, words in the code); the source locale counts as whole."""
    wanted = extracted()
    result: dict[str, tuple[int, int]] = {}
    for po_path in sorted(LOCALES.glob("*/LC_MESSAGES/crieur.po")):
        locale = po_path.parts[-3]
        with po_path.open("rb") as f:
            catalog = read_po(f, locale=locale)
        done = {_ids(m) for m in catalog if m.id and (locale == SOURCE or _translated(m))}
        result[locale] = (len(wanted & done), len(wanted))
    return result


def problems() -> list[str]:
    wanted = extracted()
    found: list[str] = []
    for po_path in sorted(LOCALES.glob("*/LC_MESSAGES/crieur.po")):
        locale = po_path.parts[-3]
        with po_path.open("rb") as f:
            catalog = read_po(f, locale=locale)
        ids = {_ids(m): m for m in catalog if m.id}
        for word in sorted(wanted - set(ids)):
            found.append(f"{locale}: missing {word!r} (run make locales-update)")
        for word in sorted(set(ids) - wanted):
            found.append(f"{locale}: stale {word!r} is no longer in the code")
        if locale == SOURCE:
            continue
        for word in sorted(wanted & set(ids)):
            if not _translated(ids[word]):
                found.append(f"{locale}: untranslated {word!r}")
    return found


def main() -> int:
    found = problems()
    for line in found:
        print(line, file=sys.stderr)
    if found:
        print(f"locales-check: {len(found)} problem(s)", file=sys.stderr)
        return 1
    print(f"locales-check: {len(extracted())} words, every catalog complete")
    return 0


if __name__ == "__main__":
    sys.exit(main())
