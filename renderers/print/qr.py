"""QR codes drawn as one vector path inside a form XObject, defined once per document.

Building the path is the costly part of a letter; drawing a defined form is one `Do`
operator, so every page reuses the same form.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache

import segno
from reportlab.pdfgen.canvas import Canvas

BORDER = 2  # quiet zone in modules; the white margin around the footer adds to it


@lru_cache(maxsize=256)
def qr_runs(data: str) -> tuple[int, tuple[tuple[int, int, int], ...]]:
    """The symbol size in modules and its dark runs (x, y from the bottom, length)."""
    qr = segno.make(data, error="m", micro=False)
    modules = int(qr.symbol_size(scale=1, border=BORDER)[0])
    runs: list[tuple[int, int, int]] = []
    for row_index, row in enumerate(qr.matrix_iter(scale=1, border=BORDER)):
        y = modules - row_index - 1
        start = None
        # One rectangle per run of dark modules keeps the path short.
        for x, dark in enumerate((*row, 0)):
            if dark and start is None:
                start = x
            elif not dark and start is not None:
                runs.append((start, y, x - start))
                start = None
    return modules, tuple(runs)


def qr_form_name(data: str) -> str:
    return "qr" + hashlib.sha1(data.encode("utf-8")).hexdigest()[:12]


def define_qr_form(canvas: Canvas, data: str) -> tuple[str, int]:
    """Define (once per canvas) the form for `data`; return its name and size in modules."""
    modules, runs = qr_runs(data)
    name = qr_form_name(data)
    if canvas.hasForm(name):
        return name, modules
    canvas.beginForm(name, 0, 0, modules, modules)
    path = canvas.beginPath()
    for x, y, length in runs:
        path.rect(x, y, length, 1)
    canvas.setFillColorRGB(0, 0, 0)
    canvas.drawPath(path, stroke=0, fill=1)
    canvas.endForm()
    return name, modules


def draw_qr(canvas: Canvas, data: str, x: float, y: float, size: float) -> None:
    """Draw the QR for `data` as a `size`-point square with its lower-left corner at (x, y)."""
    name, modules = define_qr_form(canvas, data)
    canvas.saveState()
    canvas.translate(x, y)
    canvas.scale(size / modules, size / modules)
    canvas.doForm(name)
    canvas.restoreState()
