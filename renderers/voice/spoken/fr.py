"""French spoken forms: what a French voice should read where the text was written for the eye.

Numbers that a voice reads well (`14`, `2026`) stay as digits; words are written out where
digits would be read wrongly: phone pairs, ordinals, the feminine `une heure`.
"""

from __future__ import annotations

import re
from datetime import date

from babel.dates import get_day_names, get_month_names

from renderers.voice.spoken.common import (
    apply_table,
    collapse_spaces,
    plain_spaces,
    replace_addresses,
    replace_phones,
)

LOCALE = "fr"

_UNITS = (
    "zéro un deux trois quatre cinq six sept huit neuf dix onze douze treize quatorze quinze seize"
).split()
_TENS = {2: "vingt", 3: "trente", 4: "quarante", 5: "cinquante", 6: "soixante"}


def _below_100(n: int) -> str:
    if n <= 16:
        return _UNITS[n]
    if n < 20:
        return "dix-" + _UNITS[n - 10]
    if n < 70:
        tens, unit = divmod(n, 10)
        if unit == 0:
            return _TENS[tens]
        return f"{_TENS[tens]} et un" if unit == 1 else f"{_TENS[tens]}-{_UNITS[unit]}"
    if n < 80:
        return "soixante et onze" if n == 71 else "soixante-" + _below_100(n - 60)
    return "quatre-vingts" if n == 80 else "quatre-vingt-" + _below_100(n - 80)


def _below_1000(n: int, *, last: bool) -> str:
    """`last`: nothing follows, so `cents` and `quatre-vingts` keep their plural s."""
    hundreds, rest = divmod(n, 100)
    words = _below_100(rest) if rest else ""
    if not last and words == "quatre-vingts":
        words = "quatre-vingt"
    if not hundreds:
        return words
    head = "cent" if hundreds == 1 else f"{_UNITS[hundreds]} cent"
    if not rest:
        return head + "s" if hundreds > 1 and last else head
    return f"{head} {words}"


def cardinal(n: int, *, feminine: bool = False) -> str:
    """`21` → `vingt et un` (`vingt et une` when feminine), up to 999 999 999."""
    if not 0 <= n < 1_000_000_000:
        return str(n)
    if n < 1000:
        words = _below_1000(n, last=True) if n else "zéro"
    else:
        millions, rest = divmod(n, 1_000_000)
        thousands, units = divmod(rest, 1000)
        parts = []
        if millions:
            head = _below_1000(millions, last=True)
            parts.append(f"{head} million" + ("s" if millions > 1 else ""))
        if thousands:
            head = _below_1000(thousands, last=False)
            parts.append("mille" if thousands == 1 else f"{head} mille")
        if units:
            parts.append(_below_1000(units, last=True))
        words = " ".join(parts)
    if feminine and (words == "un" or words.endswith(" un")):
        words += "e"
    return words


def ordinal(n: int, *, feminine: bool = False) -> str:
    """`1` → `premier` (`première`), `2` → `deuxième`, `21` → `vingt et unième`."""
    if n == 1:
        return "première" if feminine else "premier"
    words = cardinal(n)
    if words.endswith(("cents", "vingts")):
        words = words[:-1]
    words = words[:-1] if words.endswith("e") else words
    if words.endswith("cinq"):
        words += "u"
    elif words.endswith("neuf"):
        words = words[:-1] + "v"
    return words + "ième"


def read_phone(groups: list[str]) -> str:
    """`01 23 45 67 89` → `zéro un, vingt-trois, …`: pairs, as French people say numbers."""
    said = []
    for group in groups:
        if group == "+33":
            said.append("plus trente-trois")
        elif len(group) == 2 and group.startswith("0"):
            said.append(f"zéro {_UNITS[int(group[1])]}")
        else:
            said.append(cardinal(int(group)))
    return ", ".join(said)


_MONTHS = tuple(get_month_names("wide", locale=LOCALE).values())
_DAYS = get_day_names("wide", locale=LOCALE)


def _spoken_date(day: int, month: int, year: int) -> str | None:
    try:
        when = date(year, month, day)
    except ValueError:
        return None
    day_word = "premier" if day == 1 else str(day)
    return f"{_DAYS[when.weekday()]} {day_word} {_MONTHS[month - 1]} {year}"


def _numeric_dates(text: str) -> str:
    def dmy(match: re.Match[str]) -> str:
        d, m, y = (int(g) for g in match.groups())
        return _spoken_date(d, m, y) or match.group(0)

    def ymd(match: re.Match[str]) -> str:
        y, m, d = (int(g) for g in match.groups())
        return _spoken_date(d, m, y) or match.group(0)

    text = re.sub(r"(?<![\d/.])(\d{1,2})[/.](\d{1,2})[/.](\d{4})(?![\d/])", dmy, text)
    return re.sub(r"(?<![\d-])(\d{4})-(\d{2})-(\d{2})(?![\d-])", ymd, text)


def _hour(hours: int, minutes: int) -> str:
    # `une heure`, `vingt et une heures`: a voice reading `1 heure` may say `un heure`.
    if hours == 0:
        said = "minuit"
    elif hours in (1, 21):
        said = cardinal(hours, feminine=True) + (" heure" if hours == 1 else " heures")
    else:
        said = f"{hours} heures"
    return f"{said} {minutes}" if minutes else said


def _times(text: str) -> str:
    def one(match: re.Match[str]) -> str:
        hours, minutes = int(match.group(1)), int(match.group(2) or 0)
        if hours > 24 or minutes > 59:
            return match.group(0)
        return _hour(hours, minutes)

    text = re.sub(r"\b24 ?h ?/ ?24\b", "24 heures sur 24", text)
    text = re.sub(r"\b7 ?j ?/ ?7\b", "7 jours sur 7", text)
    text = re.sub(r"(?<![\d,.])(\d{1,2}) ?[hH](?: ?(\d{2}))?(?!\w)", one, text)
    return re.sub(r"(?<![\d,.:])(\d{1,2}):(\d{2})(?![\d:])", one, text)


def _amounts(text: str) -> str:
    def one(match: re.Match[str]) -> str:
        euros = int(re.sub(r"\D", "", match.group(1)))
        cents = int((match.group(2) or "0").ljust(2, "0"))
        if not euros and cents:
            return f"{cents} centime" + ("s" if cents > 1 else "")
        said = f"{euros} euro" + ("s" if euros > 1 else "")
        return f"{said} {cents}" if cents else said

    number = r"(\d{1,3}(?:[ .]\d{3})+|\d+)(?:,(\d{1,2}))?"
    return re.sub(rf"(?<![\d,]){number} ?(?:€|euros?\b|EUR\b)", one, text)


def _ordinals(text: str) -> str:
    def one(match: re.Match[str]) -> str:
        feminine = match.group(2) in ("re", "ère")
        return ordinal(int(match.group(1)), feminine=feminine)

    text = re.sub(r"(?<![\w,])(\d+)(er|re|ère|e|ème|è)(?!\w)", one, text)
    # `1 mars` is written but `premier mars` is said.
    months = "|".join(_MONTHS)
    return re.sub(rf"(?<![\d,])1 ({months})\b", r"premier \1", text)


def _thousands(text: str) -> str:
    # `1 500` read as two numbers would be `mille cinq cents`... or `un, cinq cents`.
    return re.sub(
        r"(?<![\d,])\d{1,3}(?: \d{3})+(?![\d,])", lambda m: m.group(0).replace(" ", ""), text
    )


# Longest first where one abbreviation starts another (`Ste` before `St`, `Mmes` before `Mme`).
ABBREVIATIONS: tuple[tuple[str, str], ...] = (
    (r"\bSte\b\.?(?=[ -])", "Sainte"),
    (r"\bSt\b\.?(?=[ -])", "Saint"),
    (r"\bMmes\b\.?", "Mesdames"),
    (r"\bMme\b\.?", "Madame"),
    (r"\bMlle\b\.?", "Mademoiselle"),
    (r"\bMM\.(?= [A-ZÀ-Ý])", "Messieurs"),
    (r"\bM\.(?= [A-ZÀ-Ý])", "Monsieur"),
    (r"\bDr\b\.?(?= [A-ZÀ-Ý])", "docteur"),
    (r"\b[aA]v\.", "avenue"),
    (r"\b[bB]d\b\.?", "boulevard"),
    (r"\b[pP]l\.", "place"),
    (r"\b[iI]mp\.", "impasse"),
    (r"\b[cC]h\.", "chemin"),
    (r"\b[rR]te\b\.?", "route"),
    (r"\b[bB]ât\b\.?", "bâtiment"),
    (r"\b[nN]°\s?", "numéro "),
    (r"\b[tT]él\b\.?", "téléphone"),
    (r"\betc\.", "et cetera"),
    (r"\bcf\.", "voir"),
    (r"(\d) ?km/h\b", r"\1 kilomètres heure"),
    (r"(\d) ?km\b", r"\1 kilomètres"),
    (r"(\d) ?min\b", r"\1 minutes"),
    (r"(\d) ?kg\b", r"\1 kilos"),
    (r"(\d) ?°C\b", r"\1 degrés"),
    (r"(\d) ?°", r"\1 degrés"),
    (r"(\d) ?%", r"\1 pour cent"),
    (r" & ", " et "),
)


def normalise(text: str) -> str:
    """French text as it should be spoken (see the module docstring)."""
    text = plain_spaces(text)
    text = replace_addresses(text, LOCALE, dot="point", at="arobase")
    text = replace_phones(text, read_phone)
    text = _numeric_dates(text)
    text = _amounts(text)
    text = _times(text)
    text = _ordinals(text)
    text = _thousands(text)
    text = apply_table(text, ABBREVIATIONS)
    return collapse_spaces(text)
