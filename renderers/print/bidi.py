"""Right-to-left text for ReportLab, which neither shapes Arabic nor reorders it.

arabic-reshaper picks each letter's contextual form (Arabic Presentation Forms-B, which the
shipped DejaVu Sans covers) in logical order; the paragraph is wrapped in logical order, and
only then is each line put in visual order with python-bidi. Reordering before wrapping would
put the end of a paragraph on its first line.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from xml.sax.saxutils import escape

from arabic_reshaper import ArabicReshaper
from babel import Locale
from bidi import get_display
from reportlab.lib.enums import TA_JUSTIFY, TA_LEFT, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Paragraph

from renderers.i18n import language

# Hebrew, Arabic, Syriac, Thaana, N'Ko… and the Arabic presentation forms.
RTL_CHARACTERS = re.compile(r"[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff]")

# Numbers written in groups (`01 23 45 67 89`, `1 234,50`) read left to right as one unit; the
# bidi algorithm alone would reverse the groups of a phone number inside Arabic text.
_NUMBER_GROUPS = re.compile(r"(?<![\d])\d+(?:[ \u00a0\u202f.,:/-]\d+)+(?![\d])")
_ISOLATES = re.compile("[\u2066-\u2069]")
RTL_SUFFIX = "-rtl"

# Harakat are dropped (ReportLab cannot place combining marks; print Arabic usually omits
# them) and the Allah ligature is off: DejaVu Sans has no glyph for it.
_RESHAPER = ArabicReshaper(
    configuration={
        "delete_harakat": True,
        "support_ligatures": True,
        "ARABIC LIGATURE ALLAH": False,
    }
)


@cache
def is_rtl(locale: str) -> bool:
    """Whether `locale` is written right to left (CLDR, through Babel)."""
    return Locale.parse(language(locale)).text_direction == "rtl"


def has_rtl(value: str) -> bool:
    return RTL_CHARACTERS.search(value) is not None


def base_direction(value: str) -> str:
    """`R` or `L`: the direction of the first strong character (Unicode rule P2)."""
    for char in value:
        kind = unicodedata.bidirectional(char)
        if kind in ("R", "AL"):
            return "R"
        if kind == "L":
            return "L"
    return "L"


def _reordered(shaped: str, direction: str) -> str:
    isolated = _NUMBER_GROUPS.sub(lambda m: f"\u2066{m[0]}\u2069", shaped)
    return _ISOLATES.sub("", str(get_display(isolated, base_dir=direction)))


def visual(value: str, direction: str | None = None) -> str:
    """One line, shaped and in visual order, ready for `drawString`; other text unchanged."""
    if not has_rtl(value):
        return value
    return _reordered(_RESHAPER.reshape(value), direction or base_direction(value))


def mirrored(style: ParagraphStyle) -> ParagraphStyle:
    """The same style for a right-to-left page: left becomes right, right becomes left."""
    flip = {TA_LEFT: TA_RIGHT, TA_JUSTIFY: TA_RIGHT, TA_RIGHT: TA_LEFT}
    return ParagraphStyle(
        style.name + RTL_SUFFIX,
        parent=style,
        alignment=flip.get(style.alignment, style.alignment),
        leftIndent=style.rightIndent,
        rightIndent=style.leftIndent,
    )


class RTLParagraph(Paragraph):
    """A paragraph of plain text holding right-to-left script, wrapped then reordered per line.

    `text` is plain (not ReportLab markup); `\\n` forces a line break. The pieces ReportLab
    makes when it splits the paragraph over pages are already in visual order.
    """

    def __init__(self, text: str | None, style: ParagraphStyle, **kwargs) -> None:
        self.logical = text if kwargs.get("frags") is None else None
        self.laid_out_for: float | None = None
        super().__init__("" if self.logical is not None else text, style, **kwargs)

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        if self.logical is not None and self.laid_out_for != availWidth:
            width = availWidth - self.style.leftIndent - self.style.rightIndent
            lines = self.visual_lines(width)
            logical = self.logical
            Paragraph.__init__(self, "<br/>".join(escape(line) for line in lines), self.style)
            self.logical, self.laid_out_for = logical, availWidth
        return super().wrap(availWidth, availHeight)

    def visual_lines(self, width: float) -> list[str]:
        assert self.logical is not None
        # On a right-to-left page every paragraph is right to left, even one opening with
        # a Latin name ("Saint-Crieur, في 21 نوفمبر"); elsewhere its first letter decides.
        rtl_page = self.style.name.endswith(RTL_SUFFIX)
        direction = "R" if rtl_page else base_direction(self.logical)
        font, size = self.style.fontName, self.style.fontSize
        lines: list[str] = []
        for block in self.logical.split("\n"):
            current = ""
            for word in _RESHAPER.reshape(block).split():
                candidate = f"{current} {word}" if current else word
                if current and stringWidth(candidate, font, size) > width:
                    lines.append(current)
                    current = word
                else:
                    current = candidate
            lines.append(current)
        return [_reordered(line, direction) for line in lines]
