"""Mail-merge benchmark: personalised letters through `merge_letters`, against WeasyPrint.

    .venv/bin/python bench/letters.py [--letters 10000] [--weasyprint 1000] [--workers 2]

Each run happens in a fresh child process so its peak RSS (getrusage) is its own; with
workers, the peak of the parent and of the busiest worker are added (a safe upper bound).
Goals: >= 800 letters/s, peak RSS <= 150 MB whatever the number, >= 20x WeasyPrint.
"""

from __future__ import annotations

import argparse
import multiprocessing
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

GOAL_RATE = 800
GOAL_RSS_MB = 150
GOAL_RATIO = 20


def recipients(count: int):
    from renderers.print import PostalRecipient

    for n in range(count):
        yield PostalRecipient(
            reference=f"C{n:07d}",
            name=f"Madame Camille Lefèvre {n}",
            address=("Appartement 12", f"{n % 300 + 1} bis rue de l’Église", "01234 Saint-Crieur"),
            large_print=n % 20 == 0,
            locale="en" if n % 4 == 0 else "fr",
        )


def announcement():
    from gateway.announcement_file import load_announcement_file

    return load_announcement_file(ROOT / "examples" / "coupure-eau.yaml")


def run_merge(count: int, workers: int, out: str, queue) -> None:
    from renderers.print import merge_letters

    source = announcement()
    started = time.perf_counter()
    result = merge_letters(
        source.message, recipients(count), Path(out), place="Saint-Crieur", workers=workers
    )
    elapsed = time.perf_counter() - started
    pages = sum(o.pages for o in (result.standard, result.large_print) if o)
    self_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    workers_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    queue.put((result.letters, pages, elapsed, self_mb, workers_mb))


def weasy_html(count: int) -> str:
    """The same letter in HTML/CSS: window address, body, QR (SVG) and code in the footer."""
    from html import escape

    import segno

    from renderers.print import PostalRecipient  # noqa: F401 - same data as the ReportLab run

    message = announcement().message()
    qr = segno.make(message.public_url, error="m").svg_inline(scale=2, border=2)
    body = "".join(f"<p>{escape(p)}</p>" for p in message.body.split("\n\n"))
    css = """
    @page { size: A4; margin: 0 }
    body { font-family: 'DejaVu Sans'; font-size: 11pt; margin: 0 }
    .page { position: relative; width: 210mm; height: 297mm; page-break-after: always }
    .sender { position: absolute; left: 20mm; top: 15mm; font-weight: bold }
    .window { position: absolute; left: 110mm; top: 45mm; width: 85mm; font-size: 10pt }
    .body { position: absolute; left: 20mm; top: 88mm; width: 170mm }
    .footer { position: absolute; left: 20mm; bottom: 12mm; display: flex; gap: 4mm }
    """
    pages = []
    for recipient in recipients(count):
        address = "<br>".join(escape(line) for line in recipient.address_lines())
        pages.append(
            f'<div class="page"><div class="sender">{escape(message.organisation)}</div>'
            f'<div class="window">{address}</div><div class="body">'
            f"<p>Objet : {escape(message.title)}</p>{body}</div>"
            f'<div class="footer">{qr}<div>Vérifier l’authenticité : '
            f"{message.verification_code}<br>{message.public_url}</div></div></div>"
        )
    return f"<html><head><style>{css}</style></head><body>{''.join(pages)}</body></html>"


def run_weasyprint(count: int, out: str, queue) -> None:
    from weasyprint import HTML

    started = time.perf_counter()
    HTML(string=weasy_html(count)).write_pdf(Path(out) / "weasyprint.pdf")
    elapsed = time.perf_counter() - started
    queue.put((count, count, elapsed, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 0))


def in_child(target, *args):
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    process = context.Process(target=target, args=(*args, queue))
    process.start()
    result = queue.get()
    process.join()
    return result


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--letters", type=int, default=10_000)
    parser.add_argument("--weasyprint", type=int, default=1_000, help="0 to skip")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        rows = []
        small = max(args.letters // 5, 100)
        for count in (small, args.letters):
            letters, pages, elapsed, parent_mb, worker_mb = in_child(
                run_merge, count, args.workers, f"{tmp}/merge-{count}"
            )
            rss = parent_mb + (worker_mb if args.workers > 1 else 0)
            rows.append((letters, pages, elapsed, rss))
            print(
                f"ReportLab merge: {letters:,} letters ({pages:,} pages) in {elapsed:.2f} s = "
                f"{letters / elapsed:,.0f} letters/s; peak RSS {rss:.0f} MB "
                f"(parent {parent_mb:.0f} + worker {worker_mb:.0f}, {args.workers} worker(s))"
            )
        letters, _, elapsed, rss = rows[-1]
        rate = letters / elapsed
        ok = True
        print(f"{verdict(rate >= GOAL_RATE)}  rate {rate:,.0f} letters/s (goal >= {GOAL_RATE})")
        flat = rss <= GOAL_RSS_MB and rows[-1][3] <= rows[0][3] * 1.25
        print(
            f"{verdict(flat)}  peak RSS {rss:.0f} MB for {letters:,} vs {rows[0][3]:.0f} MB for "
            f"{rows[0][0]:,} (goal <= {GOAL_RSS_MB} MB, flat)"
        )
        ok &= rate >= GOAL_RATE and flat
        if args.weasyprint:
            count, _, w_elapsed, w_rss, _ = in_child(run_weasyprint, args.weasyprint, tmp)
            w_rate = count / w_elapsed
            ratio = rate / w_rate
            print(
                f"WeasyPrint: {count:,} letters in {w_elapsed:.1f} s = {w_rate:,.1f} letters/s; "
                f"peak RSS {w_rss:.0f} MB"
            )
            print(
                f"{verdict(ratio >= GOAL_RATIO)}  {ratio:,.0f}x WeasyPrint (goal >= {GOAL_RATIO}x)"
            )
            ok &= ratio >= GOAL_RATIO
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
