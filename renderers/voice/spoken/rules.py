"""Spoken rules shared by the languages whose numbers num2words says (es, pt, ar).

Hand tables stay only for what no library knows: the abbreviations of each language. Numbers,
amounts and ordinals go through num2words; dates and times through Babel (CLDR), so each
language gets its own month names, word order and clock.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, time
from decimal import Decimal

from babel.dates import format_date, format_time
from num2words import num2words

from renderers.voice.spoken.common import (
    apply_table,
    collapse_spaces,
    plain_spaces,
    replace_addresses,
    replace_phones,
)


@dataclass(frozen=True)
class SpokenRules:
    """What differs from one language to the next; the order of the steps does not."""

    locale: str
    dot: str
    at: str
    euros: Callable[[int, int], str]  # (euros, cents) -> words
    clock: Callable[[time], str]  # 14:30 as the language says it
    abbreviations: tuple[tuple[str, str], ...] = ()
    per_cent: str = ""
    read_phone: Callable[[list[str]], str] | None = None
    ordinal_marks: str = ""  # `º`/`ª` after a number (es, pt); `ª` is feminine


def words(n: int, locale: str, **kwargs: object) -> str:
    return str(num2words(n, lang=locale, **kwargs))


def phone_in_pairs(locale: str, zero: str, plus: str) -> Callable[[list[str]], str]:
    """`01 23 …` → `cero uno, veintitrés, …`: pairs, as the number is written."""

    def read(groups: list[str]) -> str:
        said = []
        for group in groups:
            if group == "+33":
                said.append(f"{plus} {words(33, locale)}")
            elif len(group) == 2 and group.startswith("0"):
                said.append(f"{zero} {words(int(group[1]), locale)}")
            else:
                said.append(words(int(group), locale))
        return ", ".join(said)

    return read


def euros_by_num2words(locale: str, joiner: str) -> Callable[[int, int], str]:
    """num2words' euros, without the `… con cero céntimos` / `cero euros con …` it adds."""

    def say(euros: int, cents: int) -> str:
        amount = Decimal(euros) + Decimal(cents) / 100
        said = str(num2words(amount, lang=locale, to="currency", currency="EUR"))
        major, _, minor = said.partition(joiner)
        if not cents:
            return major
        return minor if not euros else said

    return say


def clock_by_babel(locale: str) -> Callable[[time], str]:
    return lambda moment: format_time(moment, format="short", locale=locale)


def _dates(text: str, locale: str) -> str:
    def spoken(day: int, month: int, year: int, written: str) -> str:
        try:
            return format_date(date(year, month, day), format="full", locale=locale)
        except ValueError:
            return written

    text = re.sub(
        r"(?<![\d/.])(\d{1,2})[/.](\d{1,2})[/.](\d{4})(?![\d/])",
        lambda m: spoken(int(m[1]), int(m[2]), int(m[3]), m[0]),
        text,
    )
    return re.sub(
        r"(?<![\d-])(\d{4})-(\d{2})-(\d{2})(?![\d-])",
        lambda m: spoken(int(m[3]), int(m[2]), int(m[1]), m[0]),
        text,
    )


def _times(text: str, clock: Callable[[time], str]) -> str:
    """`14h30`, `14 h` (French habits a translation keeps) → the language's own clock."""

    def one(match: re.Match[str]) -> str:
        hours, minutes = int(match[1]), int(match[2] or 0)
        if hours > 23 or minutes > 59:
            return match[0]
        return clock(time(hours, minutes))

    return re.sub(r"(?<![\d,.:])(\d{1,2}) ?[hH](?: ?(\d{2}))?(?!\w)", one, text)


def _amounts(text: str, say: Callable[[int, int], str]) -> str:
    def one(match: re.Match[str]) -> str:
        euros = int(re.sub(r"\D", "", match[1]))
        cents = int((match[2] or "0").ljust(2, "0"))
        return say(euros, cents)

    number = r"(\d{1,3}(?:[ .]\d{3})+|\d+)(?:[,.](\d{1,2}))?"
    text = re.sub(rf"(?<![\d,]){number} ?(?:€|euros?\b|EUR\b)", one, text)
    return re.sub(rf"€ ?{number}(?![\d])", one, text)


def _ordinals(text: str, rules: SpokenRules) -> str:
    if not rules.ordinal_marks:
        return text

    def one(match: re.Match[str]) -> str:
        said = words(int(match[1]), rules.locale, to="ordinal")
        if match[2] == "ª":  # primera, vigésima primera: every word takes the feminine
            said = re.sub(r"o\b", "a", said)
        return said

    return re.sub(rf"(?<![\w,])(\d+)\.?([{rules.ordinal_marks}])", one, text)


def _thousands(text: str) -> str:
    return re.sub(
        r"(?<![\d,])\d{1,3}(?:[ .]\d{3})+(?![\d,])",
        lambda m: re.sub(r"\D", "", m[0]),
        text,
    )


def normalise(text: str, rules: SpokenRules) -> str:
    """`text` as a voice of `rules.locale` should read it."""
    text = plain_spaces(text)
    text = replace_addresses(text, rules.locale, dot=rules.dot, at=rules.at)
    if rules.read_phone is not None:
        text = replace_phones(text, rules.read_phone)
    text = _dates(text, rules.locale)
    text = _amounts(text, rules.euros)
    text = _times(text, rules.clock)
    text = _ordinals(text, rules)
    text = _thousands(text)
    if rules.per_cent:
        text = re.sub(r"(\d) ?%", rf"\1 {rules.per_cent}", text)
    text = apply_table(text, rules.abbreviations)
    return collapse_spaces(text)
