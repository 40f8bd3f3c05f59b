"""The image card: one announcement as a 1080×1350 (4:5) or 1080×1080 baseline JPEG.

Organisation and logo, urgency band, date, title, summary, verification code and QR. The
title and summary take the largest sizes at which they fit; below the smallest sizes the
card is refused (TOO_LONG), never cut.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image

from renderers.errors import RenderError, RenderErrorCode
from renderers.message import Message, Rendition
from renderers.print.dates import full_date
from renderers.visual.alt import alt_text
from renderers.visual.design import GREY, INK, WHITE, Painter, fit_blocks, open_logo
from renderers.visual.fonts import Engine, engine_description
from renderers.visual.textlayout import Typesetter

MEDIA_TYPE = "image/jpeg"
MAX_BYTES = 8 * 1024 * 1024  # Instagram's limit for a feed image
JPEG_QUALITY = 90


@dataclass(frozen=True)
class CardFormat:
    form: str
    width: int
    height: int
    margin: int = 60
    qr: int = 220
    title: tuple[int, int] = (80, 40)  # largest and smallest size, pixels
    summary: tuple[int, int] = (48, 28)


CARD = CardFormat("card", 1080, 1350)
CARD_SQUARE = CardFormat("card-square", 1080, 1080, qr=180, title=(72, 38), summary=(44, 26))


def render_card(
    message: Message, *, logo: bytes | None = None, engine: Engine | None = None
) -> Rendition:
    """`render_card(message, *, logo=None) -> Rendition` (form "card", 1080×1350 JPEG)."""
    return render_card_format(message, CARD, logo=logo, engine=engine)


def render_card_square(
    message: Message, *, logo: bytes | None = None, engine: Engine | None = None
) -> Rendition:
    """The 1080×1080 variant (form "card-square") for networks that prefer squares."""
    return render_card_format(message, CARD_SQUARE, logo=logo, engine=engine)


def render_card_format(
    message: Message,
    fmt: CardFormat,
    *,
    logo: bytes | None = None,
    engine: Engine | None = None,
) -> Rendition:
    if not message.title.strip():
        raise RenderError(RenderErrorCode.MISSING_FIELD, "the title is empty", form=fmt.form)
    image, painter, sizes = paint_card(message, fmt, logo=logo, engine=engine)
    data = encode_jpeg(image, fmt.form)
    return Rendition(
        form=fmt.form,
        locale=message.locale,
        media_type=MEDIA_TYPE,
        body=data,
        meta={
            "width": fmt.width,
            "height": fmt.height,
            "alt": alt_text(message),
            "layout": engine_description(painter.setter.engine),
            "engine": painter.setter.engine,
            "sizes": sizes,
            "safe_box": (fmt.margin, fmt.margin, fmt.width - fmt.margin, fmt.height - fmt.margin),
            "lines": tuple(line.as_meta() for line in painter.lines),
            "qr": painter.qr,
            "bytes": len(data),
        },
    )


def paint_card(
    message: Message,
    fmt: CardFormat,
    *,
    logo: bytes | None = None,
    engine: Engine | None = None,
) -> tuple[Image.Image, Painter, dict[str, int]]:
    """The card as a Pillow image, the painter that drew it and the sizes the text got."""
    setter = Typesetter(message.locale, engine)
    image = Image.new("RGB", (fmt.width, fmt.height), WHITE)
    painter = Painter(image, setter, fmt.margin)
    top = painter.header(message.organisation, open_logo(logo) if logo else None)
    top = painter.band(message, top) + 36
    top = painter.lines_at([full_date(message)], top, 30, fill=GREY, role="date") + 16
    bottom = painter.verification(message, fmt.height - fmt.margin, fmt.qr) - 32
    texts = [message.title] + ([message.summary] if message.summary.strip() else [])
    ranges = [(*fmt.title, True), (*fmt.summary, False)][: len(texts)]
    width = painter.right - painter.left
    fitted = fit_blocks(setter, texts, ranges, width, bottom - top, form=fmt.form)
    roles = ("title", "summary")
    for index, (lines, size) in enumerate(zip(fitted.lines, fitted.sizes, strict=True)):
        if index:
            top += round(size * 0.6)
        top = painter.lines_at(lines, top, size, bold=index == 0, fill=INK, role=roles[index])
    return image, painter, dict(zip(roles, fitted.sizes, strict=False))


def encode_jpeg(image: Image.Image, form: str) -> bytes:
    """Baseline (not progressive) JPEG, full colour resolution so coloured text stays sharp."""
    buffer = io.BytesIO()
    image.save(
        buffer, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=False, subsampling=0
    )
    data = buffer.getvalue()
    if len(data) > MAX_BYTES:
        raise RenderError(
            RenderErrorCode.TOO_LONG, f"{len(data)} bytes, more than {MAX_BYTES}", form=form
        )
    return data
