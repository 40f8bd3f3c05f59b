"""Postal addresses written per NF Z10-011 (La Poste), and the recipient of a letter.

`format_address` makes an address compliant when it can (capitals, accents, punctuation,
`bis`/`ter`, street-type abbreviations, country line) and raises `RenderError(INVALID_ADDRESS)`
naming the line and the problem when it cannot. It never cuts a line.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from babel import Locale

from renderers.errors import RenderError, RenderErrorCode

MAX_LINES_FR = 6
MAX_LINES_ABROAD = 7  # the 7th is the country
MAX_CHARS = 38
FRENCH_LAST_LINE = re.compile(r"^\d{5} [A-Z0-9 ]+( CEDEX( \d{1,2})?)?$")
DOMESTIC = {"", "FR", "FRA", "FRANCE"}

# The number suffixes La Poste writes as one letter: "5 bis" -> "5 B".
_SUFFIX = re.compile(r"\b(\d+)\s*(bis|ter|quater)\b", re.IGNORECASE)
_SUFFIX_LETTER = {"bis": "B", "ter": "T", "quater": "Q"}

# La Poste's abbreviations of street types and common words, used only when a line
# would otherwise be over 38 characters (the standard abbreviates long labels only).
ABBREVIATIONS = {
    "ALLEE": "ALL",
    "AVENUE": "AV",
    "BATIMENT": "BAT",
    "BOULEVARD": "BD",
    "CHEMIN": "CHE",
    "CHAUSSEE": "CHS",
    "DOCTEUR": "DR",
    "ESCALIER": "ESC",
    "FAUBOURG": "FG",
    "GENERAL": "GAL",
    "GRANDE": "GDE",
    "IMPASSE": "IMP",
    "LIEU DIT": "LD",
    "MARECHAL": "MAL",
    "MONSIEUR": "M",
    "PLACE": "PL",
    "PRESIDENT": "PDT",
    "QUARTIER": "QUA",
    "RESIDENCE": "RES",
    "ROUTE": "RTE",
    "SAINT": "ST",
    "SAINTE": "STE",
    "SQUARE": "SQ",
}


@dataclass(frozen=True)
class PostalRecipient:
    """A citizen who receives letters: `name` is line 1, `address` the lines after it.

    `address` ends with the "postcode locality" line; `country` is an ISO code or a name
    (`FR` by default); `locale` is the language of their letters.
    """

    reference: str
    name: str
    address: tuple[str, ...]
    country: str = "FR"
    large_print: bool = False
    locale: str = "fr"

    def __post_init__(self) -> None:
        object.__setattr__(self, "address", tuple(self.address))

    def address_lines(self) -> tuple[str, ...]:
        """The address block as printed; raises `RenderError(INVALID_ADDRESS)`."""
        return format_address((self.name, *self.address), country=self.country)


def format_address(lines: Sequence[str], *, country: str = "FR") -> tuple[str, ...]:
    """The NF Z10-011 form of `lines` (name first, locality last; the country line is added).

    Raises `RenderError(INVALID_ADDRESS, reason)` when the address cannot be made compliant.
    """
    formatted, problems = _normalise(lines, country)
    if problems:
        raise RenderError(RenderErrorCode.INVALID_ADDRESS, "; ".join(problems), form="letter")
    return formatted


def check_address(lines: Sequence[str], *, country: str = "FR") -> list[str]:
    """Every problem that stops `lines` being printed (empty when `format_address` succeeds)."""
    return _normalise(lines, country)[1]


def country_line(country: str) -> str:
    """The country as its last line: the French name in capitals (`DE` -> `ALLEMAGNE`)."""
    code = country.strip().upper()
    name = _territory_names().get(code, country.strip()) if len(code) == 2 else country
    return _plain_capitals(name)


def is_domestic(country: str) -> bool:
    return _plain_capitals(country).strip() in DOMESTIC


def _normalise(lines: Sequence[str], country: str) -> tuple[tuple[str, ...], list[str]]:
    cleaned = [" ".join(str(line).split()) for line in lines]
    cleaned = [line for line in cleaned if line]  # blank lines are dropped, not printed
    domestic = is_domestic(country)
    if domestic:
        if cleaned and _plain_capitals(cleaned[-1]) == "FRANCE":
            cleaned.pop()
    else:
        country_name = country_line(country)
        if cleaned and _plain_capitals(cleaned[-1]) == country_name:
            cleaned.pop()
        cleaned.append(country_name)
    if len(cleaned) < 2:
        return (), ["the address needs at least a name line and a locality line"]
    limit = MAX_LINES_FR if domestic else MAX_LINES_ABROAD
    problems = []
    if len(cleaned) > limit:
        where = "in France" if domestic else "abroad, country included"
        problems.append(f"{len(cleaned)} lines, at most {limit} {where}")

    count = len(cleaned)
    out = []
    for index, line in enumerate(cleaned):
        number = index + 1
        if index > 0:
            line = _SUFFIX.sub(lambda m: f"{m[1]} {_SUFFIX_LETTER[m[2].lower()]}", line)
        capitals = index >= count - 3
        if index >= 3 or capitals:
            # From line 4 (and on the last three lines of a short address) no punctuation.
            line = _without_punctuation(line)
        if capitals:
            line = _plain_capitals(line)
        if len(line) > MAX_CHARS and capitals:
            line = _abbreviate(line)
        if len(line) > MAX_CHARS:
            problems.append(
                f"line {number} is {len(line)} characters, at most {MAX_CHARS}: {line!r}"
            )
        out.append(line)

    if domestic:
        last = out[-1]
        if not FRENCH_LAST_LINE.match(last):
            problems.append(
                f"line {count} must be 'POSTCODE LOCALITY [CEDEX nn]' "
                f"with a 5-digit postcode, not {last!r}"
            )
    return tuple(out), problems


def _plain_capitals(text: str) -> str:
    """Capitals without accents: `Église` -> `EGLISE`, `cœur` -> `COEUR`."""
    text = text.replace("œ", "oe").replace("Œ", "OE").replace("æ", "ae").replace("Æ", "AE")
    text = text.replace("ß", "ss")
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return stripped.upper()


def _without_punctuation(text: str) -> str:
    # Apostrophes, hyphens, commas, full stops... become spaces: "L'ÉGLISE" -> "L EGLISE".
    spaced = "".join(" " if unicodedata.category(ch).startswith("P") else ch for ch in text)
    return " ".join(spaced.split())


def _abbreviate(line: str) -> str:
    words = line
    for long, short in ABBREVIATIONS.items():
        words = re.sub(rf"\b{long}\b", short, words)
        if len(words) <= MAX_CHARS:
            break
    return words


@lru_cache(maxsize=1)
def _territory_names() -> dict[str, str]:
    return dict(Locale("fr").territories)
