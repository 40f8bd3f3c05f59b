"""French-aware smart encoding: swap characters outside GSM-7 for close GSM-7 ones.

Two policies on top of `off`:
- `punctuation`: typographic apostrophes, quotes, dashes, ellipsis and special spaces become
  their ASCII forms; zero-width characters and soft hyphens are removed.
- `full`: also letters (œ→oe, ç→c, â→a, Ê→E…) and symbols (° → " degrés", n° → "no").
  ° becomes " degrés" (é is GSM-7): "38 °C" → "38 degrés C", readable, meaning kept.

Rules that hold whatever the policy:
- a character already in GSM-7 is never changed, and `?` is never produced;
- a replacement is kept only when it saves segments: a text that stays UCS-2 (Arabic, emoji)
  is returned unchanged, so the preview shows exactly what is sent.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from enum import StrEnum

from renderers.sms.gsm import GSM_CHARS, analyse, is_gsm


class SmartPolicy(StrEnum):
    OFF = "off"
    PUNCTUATION = "punctuation"
    FULL = "full"


def _table(pairs: dict[str, str]) -> dict[str, str]:
    return {ch: to for chars, to in pairs.items() for ch in chars}


PUNCTUATION = _table(
    {
        "\u2018\u2019\u201a\u201b\u2032\u2035\u02b9\u02bb\u02bc\u02bd\u02c8\u00b4`\uff07": "'",
        "\u00ab\u00bb\u201c\u201d\u201e\u201f\u2033\u02ba\u02ee\u275d\u275e\u301d\u301e\uff02": '"',
        "\u2039": "<",
        "\u203a": ">",
        "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u2043\ufe63\uff0d": "-",
        "\u2026": "...",
        "\u00a0\u202f\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
        "\u205f\u3000\t\v": " ",
        "\u200b\u200c\u200d\u2060\ufeff\u00ad": "",
        "\u00b7\u2022": ".",  # middle dot of inclusive writing (habitant·es) reads as a dot
        "\u2028\u2029": "\n",
    }
)

LETTERS = _table(
    {
        "œ": "oe", "Œ": "OE", "ç": "c",
        "âá": "a", "êë": "e", "îïí": "i", "ôó": "o", "ûú": "u", "ÿ": "y",
        "ÀÂÁÃ": "A", "ÈÊË": "E", "ÎÏÍ": "I", "ÔÓÕ": "O", "ÙÛÚ": "U", "Ÿ": "Y",
        "×": "x", "÷": "/", "\u2215\u2044": "/",
        "°": " degrés", "º": "o",
    }
)  # fmt: skip

# A space typed before ° or a guillemet's inner non-breaking space would double up.
_DEGREE = re.compile(r"[ \u00a0\u202f]?°(?=(\w)?)")
_NUMERO = re.compile(r"\b([nN])°[ \u00a0\u202f]?")
_GUILLEMET_SPACES = (re.compile("«[\u00a0\u202f]+"), re.compile("[\u00a0\u202f]+»"))


def _punctuation(text: str) -> str:
    text = _GUILLEMET_SPACES[0].sub("«", text)
    text = _GUILLEMET_SPACES[1].sub("»", text)
    return "".join(PUNCTUATION.get(ch, ch) for ch in text)


def _fallback(ch: str) -> str:
    """Compatibility decomposition without marks (ﬁ → fi, ² → 2), if it lands in GSM-7."""
    decomposed = unicodedata.normalize("NFKD", ch)
    base = "".join(c for c in decomposed if not unicodedata.combining(c))
    return base if base and is_gsm(base) and "?" not in base else ch


def _letters(text: str) -> str:
    text = _NUMERO.sub(r"\1o ", text)
    text = _DEGREE.sub(lambda m: " degrés" + (" " if m.group(1) else ""), text)
    out = []
    for ch in text:
        if ch in GSM_CHARS:
            out.append(ch)
        else:
            out.append(LETTERS.get(ch) or _fallback(ch))
    return "".join(out)


def apply_policy(text: str, policy: SmartPolicy | str) -> str:
    """The replacements of `policy`, applied unconditionally (no saving check)."""
    policy = SmartPolicy(policy)
    if policy is SmartPolicy.OFF:
        return text
    text = _punctuation(text)
    if policy is SmartPolicy.FULL:
        text = _letters(text)
    return text


def smart_encode(
    text: str,
    policy: SmartPolicy | str = SmartPolicy.FULL,
    parts: Callable[[str], int] = lambda text: analyse(text).segments,
) -> str:
    """The text to send under `policy`: the least-changed GSM-7 candidate with fewest `parts`
    (SMS segments; cell-broadcast pages)."""
    policy = SmartPolicy(policy)
    levels = [SmartPolicy.PUNCTUATION, SmartPolicy.FULL]
    levels = levels[: levels.index(policy) + 1] if policy is not SmartPolicy.OFF else []
    # Only a text that becomes GSM-7 gains anything; one that stays UCS-2 is sent as written.
    candidates = [text, *(c for c in (apply_policy(text, p) for p in levels) if is_gsm(c))]
    # min() keeps the first of equals: the least-changed text wins a tie.
    return min(candidates, key=parts)
