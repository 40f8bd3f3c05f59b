"""Reading rendered images back: ink masks, margins, QR modules. Pillow only."""

from __future__ import annotations

import io

import segno
from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageFont

from renderers.visual.fonts import BOLD_FILE, REGULAR_FILE


def open_image(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def ink(image: Image.Image, box: tuple[int, int, int, int], *, dark: bool = True) -> Image.Image:
    """A 1-bit mask of the text's pixels inside `box` (dark text on light, or the reverse)."""
    grey = image.convert("L").crop(box)
    return grey.point(lambda v: 255 if (v < 128) == dark else 0).convert("1")


def count(mask: Image.Image) -> int:
    return mask.histogram()[-1]


def overlap(a: Image.Image, b: Image.Image) -> float:
    """Intersection over union of two masks of the same size, each thickened by 2 pixels so
    that two layout engines' sub-pixel differences in advance widths do not count."""
    a, b = (m.convert("L").filter(ImageFilter.MaxFilter(5)).convert("1") for m in (a, b))
    union = count(ImageChops.logical_or(a, b))
    return count(ImageChops.logical_and(a, b)) / union if union else 1.0


def drawn_alone(
    text: str, size: int, bold: bool, anchor: tuple[float, float, str], box, **layout
) -> Image.Image:
    """`text` drawn black on white with DejaVu at the same anchor, cropped to `box`."""
    face = ImageFont.truetype(
        str(BOLD_FILE if bold else REGULAR_FILE),
        size,
        layout_engine=ImageFont.Layout.RAQM if layout else ImageFont.Layout.BASIC,
    )
    x, y, code = anchor
    canvas = Image.new("L", (box[2] + 40, box[3] + 40), 255)
    ImageDraw.Draw(canvas).text((x, y), text, font=face, fill=0, anchor=code, **layout)
    return ink(canvas, box)


def margin_is_blank(image: Image.Image, margin: int, tolerance: int = 24) -> list[str]:
    """Rows and columns outside the safe box that hold anything but their edge colour.

    Backgrounds may reach the edge (header, band), text may not: each row of the left and
    right margins must be the colour of its edge pixel, the bottom margin plain white.
    JPEG blurs 8×8 blocks, so the last 8 pixels before the safe box are not checked.
    """
    rgb = image.convert("RGB")
    width, height = rgb.size
    problems = []
    reach = margin - 8
    for y in range(0, height, 2):
        for x0, x1 in ((0, reach), (width - reach, width)):
            edge = rgb.getpixel((x0 if x0 == 0 else width - 1, y))
            strip = rgb.crop((x0, y, x1, y + 1))
            extrema = strip.getextrema()
            for (low, high), value in zip(extrema, edge, strict=True):
                if value - low > tolerance or high - value > tolerance:
                    problems.append(f"row {y}, columns {x0}-{x1}")
                    break
    bottom = rgb.crop((0, height - reach, width, height)).convert("L").getextrema()
    if bottom[0] < 255 - tolerance:
        problems.append("bottom margin")
    return problems


def qr_modules(image: Image.Image, box: tuple[int, int, int, int], data: str) -> bool:
    """Whether the square at `box` shows, module for module, the QR code of `data`."""
    qr = segno.make(data, error="m", micro=False)
    matrix = [list(row) for row in qr.matrix_iter(scale=1, border=2)]
    modules = len(matrix)
    grey = image.convert("L")
    step = (box[2] - box[0]) / modules
    for row_index, row in enumerate(matrix):
        for column, dark in enumerate(row):
            x = box[0] + (column + 0.5) * step
            y = box[1] + (row_index + 0.5) * step
            if (grey.getpixel((int(x), int(y))) < 128) != bool(dark):
                return False
    return True
