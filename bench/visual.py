"""Image cards and short videos: how fast, against a ReportLab → pypdfium2 raster baseline.

    .venv/bin/python bench/visual.py [--cards 40] [--videos 1]

Cards: the same announcements (French and Arabic, alternately) laid out and encoded as JPEG
by the Pillow renderer (raqm, and the basic-layout fallback), then by a baseline that draws
the same card with ReportLab (the letters' shaping for Arabic), rasterises it with pypdfium2
and encodes the JPEG. Video: seconds of wall time per second of video, with the share spent
encoding. Figures go in bench/README.md.
"""

from __future__ import annotations

import argparse
import io
import sys
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def messages():
    from gateway.announcement_file import load_announcement_file

    source = load_announcement_file(ROOT / "examples" / "coupure-eau.yaml")
    french = source.message("fr")
    arabic = replace(
        french,
        locale="ar",
        title="انقطاع المياه في شارع الليلك يوم الثلاثاء",
        summary="سيتم قطع المياه يوم الثلاثاء 24 نوفمبر من الساعة 8 إلى الساعة 12 في شارع "
        "الليلك بسبب أشغال على الشبكة. يرجى تخزين بعض الماء.",
    )
    return [french, arabic]


def reportlab_card(message) -> bytes:
    """The baseline: the card drawn by ReportLab (1 pt = 1 px), rasterised by pypdfium2."""
    import pypdfium2
    from reportlab.lib.colors import HexColor, white
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfgen.canvas import Canvas

    from renderers.print.bidi import is_rtl, visual
    from renderers.print.dates import full_date
    from renderers.print.fonts import BOLD, REGULAR, register_fonts
    from renderers.print.layout import para
    from renderers.print.qr import draw_qr

    register_fonts()
    width, height, margin = 1080, 1350, 60
    rtl = is_rtl(message.locale)
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(width, height))
    canvas.setFillColor(HexColor("#1F3A68"))
    canvas.rect(0, height - 170, width, 170, stroke=0, fill=1)
    canvas.setFillColor(HexColor("#F2A900"))
    canvas.rect(0, height - 250, width, 80, stroke=0, fill=1)

    def line(text, x, y, font, size, colour):
        canvas.setFillColor(colour)
        canvas.setFont(font, size)
        shown = visual(text, "R" if rtl else "L")
        if rtl:
            canvas.drawRightString(width - x, y, shown)
        else:
            canvas.drawString(x, y, shown)

    line(message.organisation, margin, height - 110, BOLD, 40, white)
    line("IMPORTANT", margin, height - 225, BOLD, 38, HexColor("#000000"))
    line(full_date(message), margin, height - 300, REGULAR, 30, HexColor("#4D4D4D"))
    room = height - 340 - 330
    for step in range(13):  # the same fit: title and summary scaled together
        title_size, summary_size = 80 - 40 * step / 12, 48 - 20 * step / 12
        styles = [
            ParagraphStyle(
                "t",
                fontName=BOLD,
                fontSize=title_size,
                leading=title_size * 1.3,
                alignment=2 if rtl else 0,
            ),
            ParagraphStyle(
                "s",
                fontName=REGULAR,
                fontSize=summary_size,
                leading=summary_size * 1.3,
                alignment=2 if rtl else 0,
            ),
        ]
        blocks = [para(message.title, styles[0]), para(message.summary, styles[1])]
        heights = [block.wrap(width - 2 * margin, height)[1] for block in blocks]
        if sum(heights) <= room:
            break
    top = height - 340
    for block, block_height in zip(blocks, heights, strict=True):
        top -= block_height
        block.drawOn(canvas, margin, top)
    draw_qr(canvas, message.public_url, margin, margin, 220)
    line(
        f"K7QM-2XPA  {message.public_url}",
        margin + 250,
        margin + 100,
        REGULAR,
        26,
        HexColor("#1A1A1A"),
    )
    canvas.showPage()
    canvas.save()
    page = pypdfium2.PdfDocument(buffer.getvalue())[0]
    image = page.render(scale=1).to_pil().convert("RGB")
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90, optimize=True, progressive=False, subsampling=0)
    return out.getvalue()


def time_cards(paths: dict, count: int, rounds: int = 5) -> list[tuple[str, float, float]]:
    """Cards per second of each path: rounds interleave the paths, so a busy neighbour on
    the machine slows them alike; the best round of each is kept."""
    sources = messages()
    for make in paths.values():
        make(sources[0])  # warm caches (fonts, QR)
    best = dict.fromkeys(paths, 0.0)
    sizes = dict.fromkeys(paths, 0)
    per_round = max(2, count // rounds)
    for _ in range(rounds):
        for label, make in paths.items():
            started = time.perf_counter()
            size = sum(len(make(sources[index % 2])) for index in range(per_round))
            best[label] = max(best[label], per_round / (time.perf_counter() - started))
            sizes[label] = size // per_round
    return [(label, best[label], sizes[label] / 1024) for label in paths]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cards", type=int, default=40)
    parser.add_argument("--videos", type=int, default=1)
    args = parser.parse_args()

    from renderers.visual import engine_description, render_card
    from renderers.visual.fonts import default_engine, raqm_available
    from renderers.visual.video import render_video

    print(f"text layout: {engine_description(default_engine())}")
    paths = {}
    if raqm_available():
        paths["Pillow, raqm"] = lambda m: render_card(m, engine="raqm").body
    paths["Pillow, basic + reshaper"] = lambda m: render_card(m, engine="basic").body
    paths["ReportLab → pypdfium2 (baseline)"] = reportlab_card
    runs = time_cards(paths, args.cards)
    baseline = runs[-1][1]
    print(f"\n| card path ({args.cards} cards, fr/ar) | cards/s | vs baseline | KiB/card |")
    print("| --- | ---: | ---: | ---: |")
    for label, rate, kib in runs:
        print(f"| {label} | {rate:.1f} | {rate / baseline:.2f}× | {kib:.0f} |")

    if args.videos:
        print("\n| video | duration | wall | wall per video second | encoding share |")
        print("| --- | ---: | ---: | ---: | ---: |")
    for index in range(args.videos):
        message = messages()[index % 2]
        stages: dict[str, float] = {}

        def note(done: float, stage: str, stages: dict[str, float] = stages) -> None:
            stages.setdefault(stage, time.perf_counter())

        started = time.perf_counter()
        rendition = render_video(message, progress=note)
        wall = time.perf_counter() - started
        encoding = time.perf_counter() - stages.get("encoding", started)
        duration = rendition.meta["duration"]
        print(
            f"| {message.locale} | {duration:.1f} s | {wall:.1f} s | {wall / duration:.3f} s/s "
            f"| {encoding / wall:.0%} |"
        )


if __name__ == "__main__":
    main()
