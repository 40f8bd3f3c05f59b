"""DejaVu Sans for Pillow, and which text layout Pillow can do on this machine.

Pillow shapes Arabic and orders right-to-left text itself only with libraqm, which needs the
system's FriBiDi; without it Pillow silently lays text out left to right, unshaped. The card
then shapes and reorders each line itself (arabic-reshaper + python-bidi, as the letters do).
"""

from __future__ import annotations

from functools import cache
from typing import Literal

from PIL import ImageFont, features

from renderers.print.fonts import FONTS_DIR

Engine = Literal["raqm", "basic"]
REGULAR_FILE = FONTS_DIR / "DejaVuSans.ttf"
BOLD_FILE = FONTS_DIR / "DejaVuSans-Bold.ttf"


@cache
def raqm_available() -> bool:
    return bool(features.check("raqm"))


def default_engine() -> Engine:
    """`raqm` when Pillow can shape and reorder text itself, else `basic`."""
    return "raqm" if raqm_available() else "basic"


def engine_description(engine: Engine) -> str:
    """What a preview or `crieur render` says about the text layout in use."""
    if engine == "raqm":
        return f"raqm {features.version('raqm')} (Pillow shapes and orders the text)"
    return "basic layout + arabic-reshaper/python-bidi (libraqm/FriBiDi not found)"


@cache
def font(size: int, *, bold: bool = False, engine: Engine = "raqm") -> ImageFont.FreeTypeFont:
    layout = ImageFont.Layout.RAQM if engine == "raqm" else ImageFont.Layout.BASIC
    path = BOLD_FILE if bold else REGULAR_FILE
    return ImageFont.truetype(str(path), size, layout_engine=layout)
