"""The verification QR as a Pillow image: whole pixels per module, so phones read it easily."""

from __future__ import annotations

from functools import lru_cache

import segno
from PIL import Image

QUIET_ZONE = 2  # modules; the card's white around the code adds to it


@lru_cache(maxsize=64)
def qr_image(data: str, size: int) -> Image.Image:
    """A black-on-white QR of `data` at most `size` pixels wide (a whole number per module)."""
    qr = segno.make(data, error="m", micro=False)
    rows = [list(row) for row in qr.matrix_iter(scale=1, border=QUIET_ZONE)]
    modules = len(rows)
    scale = max(1, size // modules)
    small = Image.new("1", (modules, modules), 1)
    small.putdata([0 if dark else 1 for row in rows for dark in row])
    return small.resize((modules * scale, modules * scale), Image.Resampling.NEAREST).convert("RGB")
