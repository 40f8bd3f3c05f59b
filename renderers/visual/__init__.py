"""Pictures and video of an announcement: the image card, the short captioned video, and the
texts of picture and video posts.

Names are loaded on first use, so a channel that only needs `renderers.visual.media` does not
load Pillow or the encoder.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "CARD": "renderers.visual.card",
    "CARD_SQUARE": "renderers.visual.card",
    "render_card": "renderers.visual.card",
    "render_card_square": "renderers.visual.card",
    "render_video": "renderers.visual.video",
    "VIDEO": "renderers.visual.video",
    "alt_text": "renderers.visual.alt",
    "default_engine": "renderers.visual.fonts",
    "engine_description": "renderers.visual.fonts",
    "Media": "renderers.visual.media",
    "media_of": "renderers.visual.media",
    "with_media": "renderers.visual.media",
    "render_instagram": "renderers.visual.posts",
    "render_linkedin": "renderers.visual.posts",
    "render_tiktok": "renderers.visual.posts",
    "render_caption": "renderers.visual.posts",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'renderers.visual' has no attribute {name!r}")
    return getattr(importlib.import_module(_EXPORTS[name]), name)
