"""Postal addresses written per NF Z10-011 (La Poste), and the recipient of a letter.

`format_address` makes an address compliant when it can (capitals, accents, punctuation,
`bis`/`ter`, number ranges, street-type abbreviations, country line) and raises
`RenderError(INVALID_ADDRESS)` naming the line and the problem when it cannot. It never cuts a
line. `address_problems` gives each problem as a value: a code, the line, and the reason in any
language (`AddressProblem.message(locale)`), for the form the person typed the address in.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache, lru_cache

from babel import Locale

from renderers.errors import RenderError, RenderErrorCode
from renderers.i18n import babel_locale, gettext
from renderers.print.fonts import FONTS_DIR

MAX_LINES_FR = 6
MAX_LINES_ABROAD = 7  # the 7th is the country
MAX_CHARS = 38
# ASCII only: `\d` would take Arabic-Indic or full-width digits a sorting machine cannot read.
FRENCH_LAST_LINE = re.compile(r"^[0-9]{5} [A-Z0-9 ]+( CEDEX( [0-9]{1,2})?)?$", re.ASCII)
DOMESTIC = {"", "FR", "FRA", "FRANCE"}

# The number suffixes La Poste writes as one letter: "5 bis" -> "5 B".
_SUFFIX = re.compile(r"\b(\d+)\s*(bis|ter|quater)\b", re.IGNORECASE)
_SUFFIX_LETTER = {"bis": "B", "ter": "T", "quater": "Q"}

# "12 ter-14", "12-14": a range of numbers. Its hyphen is punctuation, which the street line may
# not hold, and a bare space would make "12 T 14" (two numbers?): it becomes "12 T A 14" (à).
_RANGE = re.compile(r"\b(\d+(?: [BTQ])?) ?- ?(\d+)\b")
# Unicode categories that never print: controls, format (zero-width, bidi overrides), private
# use, surrogates, unassigned, line and paragraph separators.
_UNPRINTABLE = {"Cc", "Cf", "Co", "Cs", "Cn", "Zl", "Zp"}
# Emoji and pictographs (DejaVu draws some, a sorting machine reads none), with their
# variation selectors and skin-tone modifiers.
_EMOJI = ((0x2600, 0x27BF), (0x2B00, 0x2BFF), (0xFE00, 0xFE0F), (0x1F000, 0x1FAFF))
# Two-letter codes CLDR lists that are no country of ISO 3166.
_NOT_COUNTRIES = {"EU", "EZ", "UN", "QO", "ZZ", "XA", "XB"}

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


CIVILITIES = {
    "madame": "madame",
    "mme": "madame",
    "mademoiselle": "madame",  # the administration says "Madame" to every woman
    "mlle": "madame",
    "monsieur": "monsieur",
    "m": "monsieur",
    "mr": "monsieur",
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

    @property
    def civility(self) -> str:
        """ "madame" or "monsieur" when the name starts with one (`Mme Anne Dupont`), else ""."""
        first = self.name.strip().split(" ", 1)[0].rstrip(".").casefold()
        return CIVILITIES.get(first, "")


class AddressProblemCode(StrEnum):
    TOO_FEW_LINES = "too_few_lines"
    TOO_MANY_LINES = "too_many_lines"
    TOO_LONG = "too_long"
    POSTCODE = "postcode"
    CHARACTER = "character"
    COUNTRY = "country"


@dataclass(frozen=True)
class AddressProblem:
    """Why an address cannot be printed: `line` is the printed line (1 is the name, 0 the whole
    address); `params` fill the message."""

    code: AddressProblemCode
    line: int = 0
    params: dict[str, str | int] = field(default_factory=dict)

    def message(self, locale: str) -> str:
        """The reason, naming the line, in `locale`. In a right-to-left language the values
        quoted from the address are isolated (FSI … PDI), so a French line keeps its order."""
        params = self.params
        if Locale.parse(babel_locale(locale)).character_order == "right-to-left":
            params = {k: f"\u2068{v}\u2069" if isinstance(v, str) else v for k, v in params.items()}
        return _message(self.code, locale, self.params).format(line=self.line, **params)


def _message(code: AddressProblemCode, locale: str, params: dict) -> str:
    if code is AddressProblemCode.TOO_FEW_LINES:
        return gettext(
            locale, "l’adresse doit avoir au moins une ligne de nom et une ligne de localité"
        )
    if code is AddressProblemCode.TOO_MANY_LINES:
        if params.get("abroad"):
            return gettext(locale, "{count} lignes, au plus {limit} à l’étranger, pays compris")
        return gettext(locale, "{count} lignes, au plus {limit} en France")
    if code is AddressProblemCode.TOO_LONG:
        return gettext(locale, "la ligne {line} fait {length} caractères, au plus {limit} : {text}")
    if code is AddressProblemCode.POSTCODE:
        return gettext(
            locale,
            "la ligne {line} doit être « CODE POSTAL LOCALITÉ [CEDEX nn] » avec un code postal "
            "de 5 chiffres, pas {text}",
        )
    if code is AddressProblemCode.CHARACTER:
        return gettext(
            locale, "ligne {line} : le caractère {char} ({name}) ne peut pas être imprimé"
        )
    return gettext(locale, "code pays inconnu {country} (ISO 3166, par exemple FR ou DE)")


def format_address(lines: Sequence[str], *, country: str = "FR") -> tuple[str, ...]:
    """The NF Z10-011 form of `lines` (name first, locality last; the country line is added).

    Raises `RenderError(INVALID_ADDRESS, reason)` when the address cannot be made compliant.
    """
    formatted, problems = _normalise(lines, country)
    if problems:
        detail = "; ".join(p.message("en") for p in problems)
        raise RenderError(RenderErrorCode.INVALID_ADDRESS, detail, form="letter")
    return formatted


def check_address(lines: Sequence[str], *, country: str = "FR") -> list[str]:
    """Every problem that stops `lines` being printed, in English (empty when it prints)."""
    return [problem.message("en") for problem in address_problems(lines, country=country)]


def address_problems(lines: Sequence[str], *, country: str = "FR") -> list[AddressProblem]:
    """Every problem that stops `lines` being printed (empty when `format_address` succeeds)."""
    return _normalise(lines, country)[1]


def country_line(country: str) -> str:
    """The country as its last line: the French name in capitals (`DE` -> `ALLEMAGNE`)."""
    code = country.strip().upper()
    name = _territory_names().get(code, country.strip()) if len(code) == 2 else country
    return _plain_capitals(name)


def is_domestic(country: str) -> bool:
    return _plain_capitals(country).strip() in DOMESTIC


def is_country_code(code: str) -> bool:
    """Is `code` an ISO 3166 alpha-2 code of a country (Babel's CLDR territories)?"""
    code = code.strip().upper()
    return len(code) == 2 and code.isalpha() and code in _territory_names()


def _known_country(country: str) -> bool:
    """A real code, France written out, or a country's name (printed as given)."""
    code = country.strip()
    if is_domestic(code):
        return True
    if len(code) <= 3:  # a code: it must exist
        return is_country_code(code)
    return True


def unprintable(text: str) -> list[str]:
    """The characters of `text` the shipped font cannot print (controls, zero-width and bidi
    format characters, private use, emoji…), in order, each once."""
    glyphs = _font_glyphs()
    found: list[str] = []
    for ch in unicodedata.normalize("NFC", text):
        code = ord(ch)
        emoji = any(low <= code <= high for low, high in _EMOJI)
        bad = emoji or unicodedata.category(ch) in _UNPRINTABLE or code not in glyphs
        if bad and ch not in found:
            found.append(ch)
    return found


def _character_problem(line: int, ch: str) -> AddressProblem:
    name = unicodedata.name(ch, "") or "?"
    params: dict[str, str | int] = {"char": f"U+{ord(ch):04X}", "name": name}
    return AddressProblem(AddressProblemCode.CHARACTER, line, params)


def _normalise(lines: Sequence[str], country: str) -> tuple[tuple[str, ...], list[AddressProblem]]:
    if not _known_country(country):
        return (), [AddressProblem(AddressProblemCode.COUNTRY, params={"country": repr(country)})]
    cleaned = [unicodedata.normalize("NFC", " ".join(str(line).split())) for line in lines]
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
        return (), [AddressProblem(AddressProblemCode.TOO_FEW_LINES)]
    limit = MAX_LINES_FR if domestic else MAX_LINES_ABROAD
    problems = []
    if len(cleaned) > limit:
        params = {"count": len(cleaned), "limit": limit, "abroad": "" if domestic else "yes"}
        problems.append(AddressProblem(AddressProblemCode.TOO_MANY_LINES, params=params))

    count = len(cleaned)
    out = []
    for index, line in enumerate(cleaned):
        number = index + 1
        problems += [_character_problem(number, ch) for ch in unprintable(line)]
        if index > 0:
            line = _SUFFIX.sub(lambda m: f"{m[1]} {_SUFFIX_LETTER[m[2].lower()]}", line)
        capitals = index >= count - 3
        if index >= 3 or capitals:
            # From line 4 (and on the last three lines of a short address) no punctuation.
            line = _without_punctuation(_RANGE.sub(r"\1 A \2", line))
        if capitals:
            line = _plain_capitals(line)
        if len(line) > MAX_CHARS and capitals:
            line = _abbreviate(line)
        if len(line) > MAX_CHARS:
            params = {"length": len(line), "limit": MAX_CHARS, "text": repr(line)}
            problems.append(AddressProblem(AddressProblemCode.TOO_LONG, number, params))
        out.append(line)

    if domestic:
        last = out[-1]
        typed = cleaned[-1].split(" ", 1)[0]
        if not FRENCH_LAST_LINE.match(last) or not re.fullmatch(r"[0-9]{5}", typed, re.ASCII):
            problems.append(
                AddressProblem(AddressProblemCode.POSTCODE, count, {"text": repr(last)})
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
    """The French names of the countries, by ISO 3166 alpha-2 code."""
    named = Locale("fr").territories
    return {
        k: v for k, v in named.items() if len(k) == 2 and k.isalpha() and k not in _NOT_COUNTRIES
    }


@cache
def _font_glyphs() -> frozenset[int]:
    """The code points the address font (DejaVu Sans, shipped) has a glyph for."""
    from reportlab.pdfbase.ttfonts import TTFont

    return frozenset(TTFont("address-check", str(FONTS_DIR / "DejaVuSans.ttf")).face.charToGlyph)
