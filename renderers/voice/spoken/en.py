"""English spoken forms (British, to match the default en-GB voice).

Phone numbers are French (the citizens live in France) but an English speaker says them digit
by digit; dates follow the French day/month order they were written in.
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

LOCALE = "en"

_UNITS = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen"
).split()
_TENS = "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()


def _below_1000(n: int) -> str:
    hundreds, rest = divmod(n, 100)
    if rest < 20:
        words = _UNITS[rest] if rest else ""
    else:
        tens, unit = divmod(rest, 10)
        words = _TENS[tens] + (f"-{_UNITS[unit]}" if unit else "")
    if not hundreds:
        return words
    head = f"{_UNITS[hundreds]} hundred"
    return f"{head} and {words}" if words else head


def cardinal(n: int) -> str:
    """`21` → `twenty-one`, `1500` → `one thousand five hundred`, up to 999 999 999."""
    if not 0 <= n < 1_000_000_000:
        return str(n)
    if n == 0:
        return "zero"
    millions, rest = divmod(n, 1_000_000)
    thousands, units = divmod(rest, 1000)
    parts = []
    if millions:
        parts.append(f"{_below_1000(millions)} million")
    if thousands:
        parts.append(f"{_below_1000(thousands)} thousand")
    if units:
        # British "and" before a last part under a hundred: "one thousand and five".
        joiner = "and " if parts and units < 100 else ""
        parts.append(joiner + _below_1000(units))
    return " ".join(parts)


_IRREGULAR_ORDINALS = {
    "one": "first",
    "two": "second",
    "three": "third",
    "five": "fifth",
    "eight": "eighth",
    "nine": "ninth",
    "twelve": "twelfth",
}


def ordinal(n: int) -> str:
    """`1` → `first`, `22` → `twenty-second`, `40` → `fortieth`."""
    words = cardinal(n)
    head, sep, last = words.rpartition("-") if "-" in words else words.rpartition(" ")
    if last in _IRREGULAR_ORDINALS:
        last = _IRREGULAR_ORDINALS[last]
    elif last.endswith("y"):
        last = last[:-1] + "ieth"
    else:
        last += "th"
    return head + sep + last


def read_phone(groups: list[str]) -> str:
    """`01 23 45 67 89` → `zero one, two three, …`: digit by digit, a pause between groups."""
    said = []
    for group in groups:
        if group == "+33":
            said.append("plus three three")
        else:
            said.append(" ".join(_UNITS[int(d)] for d in group))
    return ", ".join(said)


_MONTHS = tuple(get_month_names("wide", locale=LOCALE).values())
_DAYS = get_day_names("wide", locale=LOCALE)
_MONTH_ALT = "|".join(_MONTHS)


def _spoken_date(day: int, month: int, year: int) -> str | None:
    try:
        when = date(year, month, day)
    except ValueError:
        return None
    return f"{_DAYS[when.weekday()]} the {ordinal(day)} of {_MONTHS[month - 1]} {year}"


def _dates(text: str) -> str:
    def dmy(match: re.Match[str]) -> str:
        d, m, y = (int(g) for g in match.groups())
        return _spoken_date(d, m, y) or match.group(0)

    def ymd(match: re.Match[str]) -> str:
        y, m, d = (int(g) for g in match.groups())
        return _spoken_date(d, m, y) or match.group(0)

    text = re.sub(r"(?<![\d/.])(\d{1,2})[/.](\d{1,2})[/.](\d{4})(?![\d/])", dmy, text)
    text = re.sub(r"(?<![\d-])(\d{4})-(\d{2})-(\d{2})(?![\d-])", ymd, text)
    # "24 November" is read "twenty-four November"; people say "the twenty-fourth of November".
    text = re.sub(
        rf"(?<![\d,.])(\d{{1,2}})(?:st|nd|rd|th)? ({_MONTH_ALT})\b",
        lambda m: f"the {ordinal(int(m.group(1)))} of {m.group(2)}",
        text,
    )
    return re.sub(
        rf"\b({_MONTH_ALT}) (\d{{1,2}})(?:st|nd|rd|th)?(?![\d:])",
        lambda m: f"{m.group(1)} {ordinal(int(m.group(2)))}",
        text,
    )


def _clock(hours: int, minutes: int, suffix: str) -> str:
    """Twelve-hour clock as said in Britain: `2.30 p.m.`, `8 a.m.`, `noon`, `midnight`."""
    if minutes == 0 and suffix == "" and hours in (0, 12, 24):
        return "midnight" if hours in (0, 24) else "noon"
    if not suffix:
        suffix = "a.m." if hours < 12 or hours == 24 else "p.m."
        hours = hours % 12 or 12
    if minutes == 0:
        return f"{hours} {suffix}"
    said_minutes = f"oh {minutes}" if minutes < 10 else str(minutes)
    return f"{hours} {said_minutes} {suffix}"


def _times(text: str) -> str:
    def twelve(match: re.Match[str]) -> str:
        hours, minutes = int(match.group(1)), int(match.group(2) or 0)
        suffix = "a.m." if match.group(3).lower().startswith("a") else "p.m."
        if not 1 <= hours <= 12 or minutes > 59:
            return match.group(0)
        return _clock(hours, minutes, suffix)

    def twenty_four(match: re.Match[str]) -> str:
        hours, minutes = int(match.group(1)), int(match.group(2) or 0)
        if hours > 24 or minutes > 59:
            return match.group(0)
        return _clock(hours, minutes, "")

    text = re.sub(
        r"(?<![\d,.])(\d{1,2})(?:[:.](\d{2}))? ?([ap]\.?m\.?)(?!\w)", twelve, text, flags=re.I
    )
    text = re.sub(r"(?<![\d,.:])(\d{1,2}):(\d{2})(?![\d:])", twenty_four, text)
    # French-style "14h30" left in a translation.
    return re.sub(r"(?<![\d,.])(\d{1,2}) ?h(?: ?(\d{2}))?(?!\w)", twenty_four, text)


_CURRENCIES = {"€": ("euro", "cent"), "£": ("pound", "pence"), "$": ("dollar", "cent")}


def _money(units: int, cents: int, symbol: str) -> str:
    major, minor = _CURRENCIES[symbol]
    if not units and cents:
        return f"{cents} {minor}" + ("s" if minor == "cent" and cents > 1 else "")
    said = f"{units} {major}" + ("s" if units != 1 else "")
    return f"{said} {cents}" if cents else said


def _amounts(text: str) -> str:
    def before(match: re.Match[str]) -> str:
        units = int(match.group(2).replace(",", ""))
        return _money(units, int(match.group(3) or 0), match.group(1))

    def after(match: re.Match[str]) -> str:
        units = int(re.sub(r"\D", "", match.group(1)))
        return _money(units, int(match.group(2) or 0), "€")

    text = re.sub(r"([€£$]) ?(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d{2}))?(?!\d)", before, text)
    return re.sub(r"(?<![\d,.])(\d+)(?:[.,](\d{2}))? ?(?:€|euros?\b)", after, text)


def _ordinals(text: str) -> str:
    return re.sub(
        r"(?<![\w,.])(\d+)(?:st|nd|rd|th)(?!\w)", lambda m: ordinal(int(m.group(1))), text
    )


# "St" is Saint before a name ("St Mary's") and Street after one ("High St"); "Dr" likewise
# Doctor or Drive. A capital letter after the abbreviation is the cheapest sign of a name.
ABBREVIATIONS: tuple[tuple[str, str], ...] = (
    (r"\bSt\b\.?(?= [A-Z]|-)", "Saint"),
    (r"\bSt\b\.?", "Street"),
    (r"\bDr\b\.?(?= [A-Z])", "Doctor"),
    (r"\bDr\b\.?", "Drive"),
    (r"\bRd\b\.?", "Road"),
    (r"\bAve?\b\.?", "Avenue"),
    (r"\bSq\b\.?", "Square"),
    (r"\bBlvd\b\.?", "Boulevard"),
    (r"\bMrs\b\.?", "Missus"),
    (r"\bMr\b\.?", "Mister"),
    (r"\bNo\.(?= ?\d)", "number"),
    (r"\bapprox\.", "approximately"),
    (r"\betc\.", "et cetera"),
    (r"\be\.g\.", "for example"),
    (r"\bi\.e\.", "that is"),
    (r"(\d) ?km/h\b", r"\1 kilometres per hour"),
    (r"(\d) ?km\b", r"\1 kilometres"),
    (r"(\d) ?mins?\b", r"\1 minutes"),
    (r"(\d) ?kg\b", r"\1 kilos"),
    (r"(\d) ?°C\b", r"\1 degrees"),
    (r"(\d) ?%", r"\1 percent"),
    (r" & ", " and "),
)


def normalise(text: str) -> str:
    """English text as it should be spoken (see the module docstring)."""
    text = plain_spaces(text)
    text = replace_addresses(text, LOCALE, dot="dot", at="at")
    text = replace_phones(text, read_phone)
    text = _amounts(text)
    text = _dates(text)
    text = _times(text)
    text = _ordinals(text)
    text = apply_table(text, ABBREVIATIONS)
    return collapse_spaces(text)
