"""Lines of text for Pillow: measured, wrapped between words only, drawn in either direction.

With raqm, Pillow is given logical text and a direction; with basic layout each line is first
shaped and put in visual order (renderers/print/bidi.py, as the letters do). Either way the
text is wrapped in logical order and never inside a word: a word wider than the line raises
`WordTooWideError`, for the caller to try a smaller size or refuse.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import regex
from bidi import get_display
from PIL import ImageDraw, ImageFont

from renderers.i18n import language
from renderers.print.bidi import has_rtl, is_rtl, visual
from renderers.visual.fonts import Engine, default_engine, font
from renderers.visual.typography import typeset, units

# Grouped numbers (`01 23 45 67 89`) read left to right as one unit even in Arabic; raqm gets
# them isolated (LRI…PDI), which DejaVu draws as nothing. The basic path does the same in bidi.py.
_NUMBER_GROUPS = regex.compile(r"(?<!\d)\d+(?:[ \u00a0\u202f.,:/-]\d+)+(?!\d)")
LINE_HEIGHT = 1.3  # of the font size: room for Arabic letters' tails and accents


class WordTooWideError(ValueError):
    def __init__(self, word: str, size: int, width: float) -> None:
        self.word, self.size, self.width = word, size, width
        super().__init__(f"{word!r} is wider than {width:.0f} px at {size} px")


@dataclass(frozen=True)
class DrawnLine:
    """A line as drawn: its logical text, size, and ink box (x0, y0, x1, y1) on the image."""

    role: str
    text: str
    size: int
    bold: bool
    box: tuple[int, int, int, int]
    anchor: tuple[float, float, str]

    def as_meta(self) -> dict[str, Any]:
        return {
            "role": self.role,
            "text": self.text,
            "size": self.size,
            "bold": self.bold,
            "box": self.box,
            "anchor": self.anchor,
        }


class Typesetter:
    """Measures, wraps and draws text of one locale with one layout engine."""

    def __init__(self, locale: str, engine: Engine | None = None) -> None:
        self.locale = locale
        self.engine: Engine = engine or default_engine()
        self.rtl = is_rtl(locale)
        self.language = language(locale)

    def font(self, size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
        return font(size, bold=bold, engine=self.engine)

    def prepared(self, text: str) -> tuple[str, dict[str, Any]]:
        """What Pillow draws for a logical line, and the layout arguments it needs."""
        if self.engine == "raqm":
            isolated = _NUMBER_GROUPS.sub(lambda m: f"\u2066{m[0]}\u2069", text)
            direction = "rtl" if self.rtl else "ltr"
            return isolated, {"direction": direction, "language": self.language}
        if self.rtl and not has_rtl(text):
            # A Latin-only line of a right-to-left paragraph (`12h.`) still takes the
            # paragraph's direction, as raqm gives it: the full stop goes to the left.
            return str(get_display(text, base_dir="R")), {}
        return visual(text, "R" if self.rtl else "L"), {}

    def length(self, text: str, size: int, bold: bool = False) -> float:
        drawn, options = self.prepared(text)
        return float(self.font(size, bold).getlength(drawn, **options))

    def line_height(self, size: int) -> int:
        return round(size * LINE_HEIGHT)

    def wrap(self, text: str, size: int, width: float, *, bold: bool = False) -> list[str]:
        """Logical lines no wider than `width`; each paragraph (`\\n`) starts a line."""
        lines: list[str] = []
        for paragraph in typeset(text, self.locale).splitlines():
            current = ""
            for word in units(paragraph):
                if self.length(word, size, bold) > width:
                    raise WordTooWideError(word, size, width)
                candidate = f"{current} {word}" if current else word
                if current and self.length(candidate, size, bold) > width:
                    lines.append(current)
                    current = word
                else:
                    current = candidate
            if current:
                lines.append(current)
        return lines

    def draw(
        self,
        canvas: ImageDraw.ImageDraw,
        line: str,
        *,
        left: float,
        right: float,
        top: float,
        size: int,
        bold: bool = False,
        fill: str = "#000000",
        centre: bool = False,
        role: str = "",
    ) -> DrawnLine:
        """Draw one logical line between `left` and `right`, at the start side or centred."""
        line = typeset(line, self.locale)  # idempotent: wrapped lines are typeset already
        drawn, options = self.prepared(line)
        face = self.font(size, bold)
        if centre:
            x, anchor = (left + right) / 2, "ma"
        elif self.rtl:
            x, anchor = right, "ra"
        else:
            x, anchor = left, "la"
        canvas.text((x, top), drawn, font=face, fill=fill, anchor=anchor, **options)
        box = canvas.textbbox((x, top), drawn, font=face, anchor=anchor, **options)
        return DrawnLine(role, line, size, bold, tuple(round(v) for v in box), (x, top, anchor))  # type: ignore[arg-type]
