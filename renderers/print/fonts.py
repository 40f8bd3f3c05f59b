"""DejaVu Sans, registered once and embedded in every PDF.

Helvetica cannot show the narrow no-break space Babel puts in French numbers (`1 234,50 €`),
nor non-Latin names; DejaVu covers French and Arabic glyphs.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

FONTS_DIR = Path(__file__).resolve().parent / "fonts"
REGULAR = "CrieurSans"
BOLD = "CrieurSans-Bold"


@cache
def register_fonts() -> None:
    """Register the fonts with ReportLab (idempotent); `<b>` in paragraphs maps to bold."""
    pdfmetrics.registerFont(TTFont(REGULAR, str(FONTS_DIR / "DejaVuSans.ttf")))
    pdfmetrics.registerFont(TTFont(BOLD, str(FONTS_DIR / "DejaVuSans-Bold.ttf")))
    addMapping(REGULAR, 0, 0, REGULAR)
    addMapping(REGULAR, 1, 0, BOLD)
    addMapping(REGULAR, 0, 1, REGULAR)  # no italic face shipped: italics fall back upright
    addMapping(REGULAR, 1, 1, BOLD)


def text_width(text: str, size: float, *, bold: bool = False) -> float:
    register_fonts()
    return pdfmetrics.stringWidth(text, BOLD if bold else REGULAR, size)
