"""The card's look, shared by the image card and the video frames: colours, header, band,
blocks of text, the verification footer. All text stays inside the safe margins; only flat
backgrounds (header, band) reach the edges.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

from PIL import Image, ImageDraw

from renderers.errors import RenderError, RenderErrorCode
from renderers.i18n import gettext
from renderers.message import Message, Urgency
from renderers.visual.alt import urgency_label
from renderers.visual.qr import qr_image
from renderers.visual.textlayout import DrawnLine, Typesetter, WordTooWideError

WHITE = "#FFFFFF"
NAVY = "#1F3A68"
INK = "#1A1A1A"
GREY = "#4D4D4D"
RULE = "#C8C8C8"
# Background and text of the urgency band; dark text on amber keeps the contrast above 4.5:1.
BANDS: dict[Urgency, tuple[str, str]] = {
    Urgency.URGENT: ("#B00020", WHITE),
    Urgency.IMPORTANT: ("#F2A900", "#000000"),
    Urgency.INFO: ("#DCE7F5", NAVY),
}
LOGO_TILE = 112
LOGO_MAX_PIXELS = 25_000_000  # a logo bigger than this is a mistake, or a decompression bomb
ORGANISATION_SIZES = (40, 36, 32, 28)


@dataclass(frozen=True)
class Fitted:
    """Blocks of wrapped lines at the sizes that fit."""

    lines: tuple[tuple[str, ...], ...]
    sizes: tuple[int, ...]
    height: int


def open_logo(logo: bytes) -> Image.Image:
    """The organisation's logo as RGBA; anything Pillow cannot read is a typed error."""
    try:
        with Image.open(io.BytesIO(logo)) as image:
            if image.width * image.height > LOGO_MAX_PIXELS:
                raise RenderError(
                    RenderErrorCode.INVALID_INPUT,
                    f"logo: {image.width}×{image.height} pixels is too large",
                    form="card",
                )
            return image.convert("RGBA")
    except (OSError, ValueError, Image.DecompressionBombError) as error:
        raise RenderError(
            RenderErrorCode.INVALID_INPUT, f"logo: not a readable image ({error})", form="card"
        ) from None


def fit_blocks(
    setter: Typesetter,
    texts: Sequence[str],
    ranges: Sequence[tuple[int, int, bool]],
    width: float,
    height: float,
    *,
    form: str,
    steps: int = 12,
) -> Fitted:
    """The largest sizes (scaled together from max to min) at which every block fits.

    `ranges` gives (largest, smallest, bold) per text. Raises TOO_LONG naming the sizes when
    even the smallest do not fit, or the word that is wider than the line.
    """
    need = 0
    too_wide: WordTooWideError | None = None
    for step in range(steps + 1):
        sizes = tuple(round(hi - (hi - lo) * step / steps) for hi, lo, _ in ranges)
        try:
            lines = tuple(
                tuple(setter.wrap(text, size, width, bold=bold))
                for text, size, (_, _, bold) in zip(texts, sizes, ranges, strict=True)
            )
        except WordTooWideError as error:
            too_wide = error
            continue
        too_wide = None
        need = block_height(setter, lines, sizes)
        if need <= height:
            return Fitted(lines, sizes, need)
    smallest = ", ".join(f"{lo} px" for _, lo, _ in ranges)
    if too_wide is not None:
        raise RenderError(
            RenderErrorCode.TOO_LONG,
            f"the word {too_wide.word!r} is wider than the {form} ({too_wide.width:.0f} px) "
            f"even at {too_wide.size} px",
            form=form,
        )
    raise RenderError(
        RenderErrorCode.TOO_LONG,
        f"the text needs {need} px of height at the smallest sizes ({smallest}), "
        f"the {form} has {height:.0f} px: shorten the title or the summary",
        form=form,
    )


def block_height(setter: Typesetter, lines: Sequence[Sequence[str]], sizes: Sequence[int]) -> int:
    gaps = sum(round(size * 0.6) for size, block in zip(sizes[1:], lines[1:], strict=True) if block)
    return sum(len(b) * setter.line_height(s) for b, s in zip(lines, sizes, strict=True)) + gaps


def logo_tile(logo: Image.Image) -> Image.Image:
    """The logo fitted on a white tile, so a dark logo stays visible on the navy header."""
    tile = Image.new("RGB", (LOGO_TILE, LOGO_TILE), WHITE)
    fitted = logo.copy()
    fitted.thumbnail((LOGO_TILE - 16, LOGO_TILE - 16), Image.Resampling.LANCZOS)
    offset = ((LOGO_TILE - fitted.width) // 2, (LOGO_TILE - fitted.height) // 2)
    tile.paste(fitted, offset, fitted)
    return tile


class Painter:
    """Draws the card's parts top to bottom on one image and keeps every line it drew."""

    def __init__(self, image: Image.Image, setter: Typesetter, margin: int) -> None:
        self.image = image
        self.canvas = ImageDraw.Draw(image)
        self.setter = setter
        self.margin = margin
        self.left, self.right = margin, image.width - margin
        self.lines: list[DrawnLine] = []
        self.qr: dict[str, object] = {}  # what the QR says and where it is, for checks

    def lines_at(
        self,
        lines: Sequence[str],
        top: float,
        size: int,
        *,
        bold: bool = False,
        fill: str = INK,
        role: str,
        centre: bool = False,
        left: float | None = None,
        right: float | None = None,
    ) -> float:
        """Draw wrapped lines from `top`; return the bottom of the last one."""
        for line in lines:
            self.lines.append(
                self.setter.draw(
                    self.canvas,
                    line,
                    left=self.left if left is None else left,
                    right=self.right if right is None else right,
                    top=top,
                    size=size,
                    bold=bold,
                    fill=fill,
                    centre=centre,
                    role=role,
                )
            )
            top += self.setter.line_height(size)
        return top

    def header(self, organisation: str, logo: Image.Image | None) -> float:
        """Full-width navy bar: the logo on a white tile at the start side, then the name."""
        top = self.margin
        left, right = self.left, self.right
        tile = logo_tile(logo) if logo is not None else None
        if tile is not None and self.setter.rtl:
            right -= tile.width + 24
        elif tile is not None:
            left += tile.width + 24
        name = fit_blocks(
            self.setter,
            [organisation],
            [(ORGANISATION_SIZES[0], ORGANISATION_SIZES[-1], True)],
            right - left,
            LOGO_TILE,
            form="card",
            steps=len(ORGANISATION_SIZES) - 1,
        )
        content = max(name.height, tile.height if tile is not None else 0)
        bottom = top + content + 28
        self.canvas.rectangle((0, 0, self.image.width, bottom), fill=NAVY)
        if tile is not None:
            x = self.right - tile.width if self.setter.rtl else self.left
            self.image.paste(tile, (x, top + (content - tile.height) // 2))
        self.lines_at(
            name.lines[0],
            top + (content - name.height) / 2,
            name.sizes[0],
            bold=True,
            fill=WHITE,
            role="organisation",
            left=left,
            right=right,
        )
        return bottom

    def band(self, message: Message, top: float, size: int = 38) -> float:
        """Full-width band saying how urgent the announcement is."""
        background, colour = BANDS[message.urgency]
        height = self.setter.line_height(size) + 28
        self.canvas.rectangle((0, top, self.image.width, top + height), fill=background)
        label = urgency_label(message).upper()
        self.lines_at([label], top + 14, size, bold=True, fill=colour, role="urgency", centre=True)
        return top + height

    def verification(self, message: Message, bottom: float, qr_size: int) -> float:
        """QR at the start side, the code and the public URL beside it; returns its top."""
        data = message.public_url or message.verification_code
        if not data:
            return bottom
        qr = qr_image(data, qr_size)
        top = bottom - qr.height
        x = self.right - qr.width if self.setter.rtl else self.left
        self.image.paste(qr, (round(x), round(top)))
        box = (round(x), round(top), round(x) + qr.width, round(top) + qr.height)
        self.qr = {"data": data, "box": box}
        left, right = self.left, self.right
        if self.setter.rtl:
            right -= qr.width + 28
        else:
            left += qr.width + 28
        label = gettext(message.locale, "Vérifier l’authenticité : {code}").format(
            code=message.verification_code
        )
        texts = [label] + ([message.public_url] if message.public_url else [])
        ranges = [(30, 22, True)] + ([(26, 18, False)] if message.public_url else [])
        fitted = fit_blocks(self.setter, texts, ranges, right - left, qr.height, form="card")
        y = top + (qr.height - fitted.height) / 2
        for lines, size, role, bold in zip(
            fitted.lines, fitted.sizes, ("verification", "url"), (True, False), strict=False
        ):
            y = self.lines_at(lines, y, size, bold=bold, role=role, left=left, right=right)
            y += round(size * 0.6)
        rule_y = top - 28
        self.canvas.line((self.left, rule_y, self.right, rule_y), fill=RULE, width=2)
        return rule_y
