"""PDFium is not thread-safe: the compose preview's page images are rendered one at a time.

A browser loads the notice and the letter images together; on a threaded server (gunicorn's
threads, the test live server) two renders at once crashed the process with a segmentation
fault. The renders run in a child process here, so a crash is a failed test, not a dead run."""

from __future__ import annotations

import subprocess
import sys

SCRIPT = """
import io
from concurrent.futures import ThreadPoolExecutor
from reportlab.pdfgen import canvas

from gateway.console.preview import page_png

def pdf(n):
    out = io.BytesIO()
    page = canvas.Canvas(out)
    for line in range(60):
        page.drawString(40, 800 - 12 * line, f"page {n}, line {line}: " + "Crieur " * 8)
    page.save()
    return out.getvalue()

documents = [pdf(n) for n in range(8)]
with ThreadPoolExecutor(8) as pool:
    images = list(pool.map(page_png, documents * 6))
assert all(image[:4] == b"\\x89PNG" for image in images)
print(len(images))
"""


def test_page_images_rendered_from_many_threads_at_once():
    done = subprocess.run(
        [sys.executable, "-c", "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE',"
         " 'gateway.settings'); django.setup(); exec(open(0).read())"],
        input=SCRIPT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "48"
