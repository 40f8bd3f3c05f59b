"""Mail merge: thousands of letters into one PDF and a CSV manifest for the mailroom.

Letters are rendered by chunks (one ReportLab canvas per chunk, the letter laid out once per
chunk and locale as form XObjects) and each chunk is streamed into the output PDF, so memory
stays flat whatever the number of letters. With `workers > 1` chunks render in parallel
processes; the parent appends them in order.

Output files in `out_dir`:
- `letters.pdf` + `letters.csv`: standard print;
- `letters-large-print.pdf` + `letters-large-print.csv`: large print, printed apart;
- `rejects.csv`: citizens whose address fails NF Z10-011 (not printed), with the reason.
Manifest columns: sequence, reference, pages, large_print, first_page, locale.
"""

from __future__ import annotations

import csv
import io
from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from renderers.csvsafe import safe_writer
from renderers.errors import RenderError
from renderers.message import Message
from renderers.print.address import PostalRecipient
from renderers.print.layout import sizes_for
from renderers.print.letter import LetterLayout, letter_content, new_canvas
from renderers.print.pdfjoin import PDFJoiner

MANIFEST_COLUMNS = ("sequence", "reference", "pages", "large_print", "first_page", "locale")
REJECT_COLUMNS = ("reference", "reason")
CHUNK_SIZE = 500  # letters per canvas: bounds memory (a canvas holds its pages until saved)

Progress = Callable[[int], None]  # called with the number of citizens handled so far


@dataclass(frozen=True)
class MergeOutput:
    """One PDF of the merge and its manifest."""

    pdf: Path
    manifest: Path
    letters: int
    pages: int


@dataclass(frozen=True)
class MergeResult:
    """Paths and counts of a merge; `standard` / `large_print` are None when empty."""

    standard: MergeOutput | None
    large_print: MergeOutput | None
    rejects_csv: Path
    rejected: int
    letters: int = field(init=False)

    def __post_init__(self) -> None:
        outputs = (self.standard, self.large_print)
        object.__setattr__(self, "letters", sum(o.letters for o in outputs if o is not None))

    def rejects(self) -> list[tuple[str, str]]:
        """(reference, reason) of every rejected citizen, read back from `rejects.csv`."""
        with open(self.rejects_csv, newline="", encoding="utf-8") as handle:
            return [(row["reference"], row["reason"]) for row in csv.DictReader(handle)]


# One job = one chunk of letters of one output: picklable plain values only.
@dataclass(frozen=True)
class _Job:
    messages: dict[str, Message]
    place: str
    large_print: bool
    title: str
    letters: tuple[tuple[str, tuple[str, ...], str, str], ...]  # reference, address, locale,
    # civility


def merge_letters(
    message_for_locale: Callable[[str], Message] | Message,
    recipients: Iterable[PostalRecipient],
    out_dir: Path,
    *,
    progress: Progress | None = None,
    place: str = "",
    workers: int = 1,
    chunk_size: int = CHUNK_SIZE,
) -> MergeResult:
    """`merge_letters(message_for_locale, recipients, out_dir, *, progress=None) -> MergeResult`.

    `message_for_locale` gives the announcement in a recipient's locale (or is one Message
    for everyone). Recipients are streamed, never held; bad addresses go to `rejects.csv`.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    messages = _MessageCache(message_for_locale)
    outputs = {
        False: _Output(out_dir / "letters.pdf", out_dir / "letters.csv"),
        True: _Output(out_dir / "letters-large-print.pdf", out_dir / "letters-large-print.csv"),
    }
    rejects_path = out_dir / "rejects.csv"
    rejected = 0
    handled = 0
    runner = _Runner(workers)
    try:
        with open(rejects_path, "w", newline="", encoding="utf-8") as rejects_file:
            rejects = safe_writer(rejects_file)
            rejects.writerow(REJECT_COLUMNS)
            for recipient in recipients:
                handled += 1
                try:
                    address = recipient.address_lines()
                    message = messages.get(recipient.locale)
                except RenderError as error:
                    rejects.writerow((recipient.reference, error.detail))
                    rejected += 1
                    continue
                output = outputs[recipient.large_print]
                output.pending.append(
                    (recipient.reference, address, message.locale, recipient.civility)
                )
                if len(output.pending) >= chunk_size:
                    runner.submit(output, output.take_job(messages.all(), place))
                    runner.collect(block=False)
                    if progress is not None:
                        progress(handled)
            for output in outputs.values():
                if output.pending:
                    runner.submit(output, output.take_job(messages.all(), place))
            runner.collect(block=True)
            if progress is not None:
                progress(handled)
    finally:
        runner.shutdown()
        for output in outputs.values():
            output.close()
    return MergeResult(
        standard=outputs[False].result(),
        large_print=outputs[True].result(),
        rejects_csv=rejects_path,
        rejected=rejected,
    )


def render_chunk(job: _Job) -> tuple[bytes, tuple[int, ...]]:
    """Render one chunk to a PDF; return it and the page count of each letter."""
    buffer = io.BytesIO()
    canvas = new_canvas(buffer, title=job.title)
    sizes = sizes_for(job.large_print)
    layouts: dict[tuple[str, str], LetterLayout] = {}  # one per language and greeting
    pages = []
    for reference, address, locale, civility in job.letters:
        layout = layouts.get((locale, civility))
        if layout is None:
            message = job.messages[locale]
            content = letter_content(message, place=job.place, civility=civility)
            layout = layouts[locale, civility] = LetterLayout(canvas, content, sizes)
        pages.append(layout.draw(canvas, address, reference))
    canvas.save()
    return buffer.getvalue(), tuple(pages)


class _MessageCache:
    """The announcement per locale, asked for once per locale."""

    def __init__(self, source: Callable[[str], Message] | Message) -> None:
        self.source = source
        self.by_locale: dict[str, Message] = {}

    def get(self, locale: str) -> Message:
        if locale not in self.by_locale:
            source = self.source
            message = source if isinstance(source, Message) else source(locale)
            self.by_locale[locale] = message
        return self.by_locale[locale]

    def all(self) -> dict[str, Message]:
        # Keyed by the message's own locale, which is what the letters carry.
        return {message.locale: message for message in self.by_locale.values()}


class _Output:
    """One PDF + manifest being written, opened at its first letter."""

    def __init__(self, pdf: Path, manifest: Path) -> None:
        self.pdf_path = pdf
        self.manifest_path = manifest
        self.pending: list[tuple[str, tuple[str, ...], str, str]] = []
        self.large_print = "large" in pdf.stem
        self.joiner: PDFJoiner | None = None
        self.manifest_file: TextIO | None = None
        self.letters = 0

    def take_job(self, messages: dict[str, Message], place: str) -> _Job:
        title = next(iter(messages.values())).title if messages else ""
        job = _Job(messages, place, self.large_print, title, tuple(self.pending))
        self.pending = []
        return job

    def append(self, job: _Job, pdf: bytes, pages: tuple[int, ...]) -> None:
        if self.joiner is None:
            self.joiner = PDFJoiner(self.pdf_path, title=job.title)
            self.manifest_file = open(self.manifest_path, "w", newline="", encoding="utf-8")  # noqa: SIM115
            safe_writer(self.manifest_file).writerow(MANIFEST_COLUMNS)
        assert self.manifest_file is not None
        writer = safe_writer(self.manifest_file)
        first_page = self.joiner.pages + 1
        for (reference, _, locale, _civility), count in zip(job.letters, pages, strict=True):
            self.letters += 1
            large = "yes" if self.large_print else "no"
            writer.writerow((self.letters, reference, count, large, first_page, locale))
            first_page += count
        self.joiner.append(pdf)

    def close(self) -> None:
        if self.joiner is not None:
            self.joiner.close()
        if self.manifest_file is not None:
            self.manifest_file.close()

    def result(self) -> MergeOutput | None:
        if self.joiner is None:
            return None
        return MergeOutput(self.pdf_path, self.manifest_path, self.letters, self.joiner.pages)


class _Runner:
    """Runs chunk jobs inline or in worker processes; hands results back in order."""

    def __init__(self, workers: int) -> None:
        self.pool = ProcessPoolExecutor(workers) if workers > 1 else None
        self.limit = 2 * workers  # chunks in flight: bounds the memory of the parent
        self.queue: deque[tuple[_Output, _Job, Future]] = deque()

    def submit(self, output: _Output, job: _Job) -> None:
        if self.pool is None:
            output.append(job, *render_chunk(job))
            return
        self.queue.append((output, job, self.pool.submit(render_chunk, job)))
        while len(self.queue) > self.limit:
            self._finish_one()

    def collect(self, *, block: bool) -> None:
        """Append the finished chunks at the head of the queue (all of them if `block`)."""
        while self.queue and (block or self.queue[0][2].done()):
            self._finish_one()

    def _finish_one(self) -> None:
        output, job, future = self.queue.popleft()
        output.append(job, *future.result())

    def shutdown(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(cancel_futures=True)
