"""Words as a reader expects them: French spacing, and the units a line may never split.

French puts a narrow no-break space (U+202F) before `: ; ! ?` and inside « »; being
no-break, it keeps the sign on the line of the word before it. In any language a sign typed
alone after a space ("mot ?") sticks to its word, and an opening sign to the next one.
"""

from __future__ import annotations

from functools import cache

import regex
from babel.dates import get_month_names

from renderers.i18n import babel_locale, language

NNBSP = "\u202f"
# Spaces a line may break at: every space but the no-break ones.
_BREAKING_SPACE = regex.compile(r"[^\S\u00a0\u202f\u2007]+")
_CLOSING_ONLY = regex.compile(r"[:;!?»)\]…,.%]+")
_OPENING_ONLY = regex.compile(r"[«(\[¿¡]+")

_SPACE_BEFORE_HIGH = regex.compile(r"[ \u00a0\u202f]+([;!?»])")
_SPACE_BEFORE_COLON = regex.compile(r"(?<=\S)[ \u00a0\u202f]+:(?=\s|$)")
_ATTACHED_HIGH = regex.compile(r"(?<=[\p{L}\p{N}»)\]’'\"])([;!?]+)(?=\s|$)")
# A colon right after a letter, then a space: "Attention: l’eau"; never "8:30" or "https://".
_ATTACHED_COLON = regex.compile(r"(?<=\p{L}):(?=\s|$)")
_AFTER_OPENING_GUILLEMET = regex.compile(r"«[ \u00a0\u202f]*")
_BEFORE_CLOSING_GUILLEMET = regex.compile(r"(?<=\S)(?<!\u202f)»")


def french_spacing(text: str) -> str:
    """`Attention: coupée!` → `Attention\u202f: coupée\u202f!` (and « ») ; idempotent."""
    text = _SPACE_BEFORE_HIGH.sub(NNBSP + r"\1", text)
    text = _SPACE_BEFORE_COLON.sub(NNBSP + ":", text)
    text = _ATTACHED_HIGH.sub(NNBSP + r"\1", text)
    text = _ATTACHED_COLON.sub(NNBSP + ":", text)
    text = _AFTER_OPENING_GUILLEMET.sub("«" + NNBSP, text)
    return _BEFORE_CLOSING_GUILLEMET.sub(NNBSP + "»", text)


# `01 23 45 67 89`, `1 234,50`; a number and its unit: `8 h`, `12 €`, `5 km`, `20 %`.
_NUMBER_GROUPS = regex.compile(r"(?<!\S)\d+(?: \d{2,3})+(?!\d)")
_NUMBER_UNIT = regex.compile(r"(?<=\d) (?=(?:h|min|s|€|\$|£|%|km|m|cm|mm|kg|g|l|°C?)(?:\W|$))")


@cache
def _before_month(locale: str) -> regex.Pattern[str]:
    """A day number and the month after it (`24 novembre`), from the locale's CLDR months."""
    months = get_month_names("wide", locale=babel_locale(locale)).values()
    return regex.compile(r"(?<=\d) (?=(?:" + "|".join(map(regex.escape, months)) + r")\b)", regex.I)


def keep_numbers_together(text: str, locale: str = "fr") -> str:
    """A phone number, a grouped amount, a number and its unit, a day and its month never
    break across lines."""
    text = _NUMBER_GROUPS.sub(lambda m: m[0].replace(" ", "\u00a0"), text)
    text = _NUMBER_UNIT.sub("\u00a0", text)
    return _before_month(locale).sub("\u00a0", text)


def typeset(text: str, locale: str) -> str:
    """The text with the typography of its language (French spacing for `fr`)."""
    text = keep_numbers_together(text, locale)
    return french_spacing(text) if language(locale) == "fr" else text


def units(text: str) -> list[str]:
    """The pieces a line may break between: words, with lone signs glued to their word."""
    pieces: list[str] = []
    for token in _BREAKING_SPACE.split(text.strip()):
        if not token:
            continue
        if pieces and _CLOSING_ONLY.fullmatch(token):
            pieces[-1] += NNBSP + token
        elif pieces and _OPENING_ONLY.fullmatch(pieces[-1]):
            pieces[-1] += NNBSP + token
        else:
            pieces.append(token)
    return pieces
