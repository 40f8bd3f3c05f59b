"""GSM-7 / UCS-2 detection and segment counting, exactly as carriers bill (GSM 03.38)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Encoding = Literal["GSM-7", "UCS-2"]

GSM_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
# Each costs an escape septet plus its own code.
GSM_EXTENSION = frozenset("^{}\\[~]|€\f")
GSM_CHARS = GSM_BASIC | GSM_EXTENSION

# (single message, each part of a multipart message), in the encoding's units.
CAPACITY: dict[str, tuple[int, int]] = {"GSM-7": (160, 153), "UCS-2": (70, 67)}


def is_gsm(text: str) -> bool:
    """True when every character of `text` exists in the GSM-7 alphabet (basic or extension)."""
    return all(ch in GSM_CHARS for ch in text)


def encoding_of(text: str) -> Encoding:
    return "GSM-7" if is_gsm(text) else "UCS-2"


def char_units(ch: str, encoding: Encoding) -> int:
    """Septets (GSM-7) or UTF-16 code units (UCS-2) that one code point costs."""
    if encoding == "GSM-7":
        return 2 if ch in GSM_EXTENSION else 1
    return 2 if ord(ch) > 0xFFFF else 1


def count_units(text: str, encoding: Encoding | None = None) -> int:
    encoding = encoding or encoding_of(text)
    return sum(char_units(ch, encoding) for ch in text)


@dataclass(frozen=True)
class SMSAnalysis:
    """How a carrier sees a text: encoding, billed segments and what each part carries."""

    encoding: Encoding
    segments: int
    units: int
    parts: tuple[str, ...]
    per_segment: int  # capacity of each segment in `units` (160/153 or 70/67)

    @property
    def characters(self) -> int:
        return sum(len(part) for part in self.parts)

    @property
    def text(self) -> str:
        return "".join(self.parts)

    @property
    def remaining(self) -> int:
        """Units still free in the last segment (greedy filling may leave one unusable)."""
        return self.per_segment - count_units(self.parts[-1], self.encoding)


def split_parts(text: str, encoding: Encoding, per_part: int | None = None) -> tuple[str, ...]:
    """Greedy filling; a 2-unit character that would straddle a boundary moves whole.

    `per_part` gives parts of one fixed size (cell-broadcast pages) instead of SMS segments."""
    single, multi = CAPACITY[encoding] if per_part is None else (per_part, per_part)
    if count_units(text, encoding) <= single:
        return (text,)
    parts: list[str] = []
    current: list[str] = []
    used = 0
    for ch in text:
        cost = char_units(ch, encoding)
        if used + cost > multi:
            parts.append("".join(current))
            current, used = [], 0
        current.append(ch)
        used += cost
    parts.append("".join(current))
    return tuple(parts)


def analyse(text: str) -> SMSAnalysis:
    """Encoding, segments and parts of `text` as sent (no replacement is made here)."""
    encoding = encoding_of(text)
    parts = split_parts(text, encoding)
    single, multi = CAPACITY[encoding]
    return SMSAnalysis(
        encoding=encoding,
        segments=len(parts),
        units=count_units(text, encoding),
        parts=parts,
        per_segment=single if len(parts) == 1 else multi,
    )
