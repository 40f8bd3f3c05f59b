"""Pictures and video of an announcement: the image card, the short captioned video."""

from renderers.visual.alt import alt_text
from renderers.visual.card import CARD, CARD_SQUARE, render_card, render_card_square
from renderers.visual.fonts import default_engine, engine_description

__all__ = [
    "CARD",
    "CARD_SQUARE",
    "alt_text",
    "default_engine",
    "engine_description",
    "render_card",
    "render_card_square",
]
