"""Append the pages of many small PDFs to one PDF file as they come, in flat memory.

ReportLab keeps every page of a canvas in memory until `save()`. A mail merge therefore
renders letters by chunks (a few hundred per canvas) and this writer streams each chunk's
pages to disk: objects are renumbered and written at once; only the cross-reference entries
and the page list are spooled to temporary files until `close()` writes them out.

It reads the PDFs ReportLab writes (a classic cross-reference table, no object streams, no
encryption); anything else is refused rather than copied wrongly.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from pathlib import Path
from typing import BinaryIO

PAGES_ID, CATALOG_ID, INFO_ID = 1, 2, 3
FIRST_FREE_ID = 4
_REFERENCE = re.compile(rb"(/Parent )?\b(\d+) 0 R\b")
_STREAM = re.compile(rb"\bstream\r?\n")
_OBJECT_HEADER = re.compile(rb"\s*(\d+) 0 obj\b")


class PDFJoinError(ValueError):
    """A chunk is not a PDF this writer knows how to copy."""


class PDFJoiner:
    """`PDFJoiner(path)`; `append(pdf_bytes) -> pages`; `close()` (or use it as a context)."""

    def __init__(self, path: str | Path, *, title: str = "") -> None:
        self.path = Path(path)
        self.title = title
        self._out: BinaryIO = open(self.path, "wb")  # noqa: SIM115 - closed in close()
        self._xref = tempfile.TemporaryFile()  # noqa: SIM115
        self._kids = tempfile.TemporaryFile()  # noqa: SIM115
        self._next_id = FIRST_FREE_ID
        self.pages = 0
        self._write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")

    def __enter__(self) -> PDFJoiner:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def append(self, pdf: bytes) -> int:
        """Copy every page of `pdf` (with what they use) to the end; return its page count."""
        chunk = _Chunk(pdf)
        page_ids = chunk.page_ids()
        keep = sorted(chunk.reachable(page_ids))
        renumber = {old: self._next_id + index for index, old in enumerate(keep)}

        def replace(match: re.Match[bytes]) -> bytes:
            if match[1]:
                return b"/Parent %d 0 R" % PAGES_ID
            return b"%d 0 R" % renumber[int(match[2])]

        for old in keep:
            header, stream = chunk.split(old)
            offset = self._out.tell()
            self._write(b"%d 0 obj\n" % renumber[old])
            self._write(_REFERENCE.sub(replace, header))
            self._write(stream)
            self._write(b"endobj\n")
            self._xref.write(b"%010d 00000 n \n" % offset)
        self._next_id += len(keep)
        for page in page_ids:
            self._kids.write(b"%d 0 R\n" % renumber[page])
        self.pages += len(page_ids)
        return len(page_ids)

    def close(self) -> None:
        """Write the page tree, catalog, info and cross-reference table; close the file."""
        if self._out.closed:
            return
        offsets = [self._out.tell()]
        self._write(b"%d 0 obj\n<< /Type /Pages /Count %d /Kids [\n" % (PAGES_ID, self.pages))
        self._copy(self._kids)
        self._write(b"] >>\nendobj\n")
        offsets.append(self._out.tell())
        self._write(b"%d 0 obj\n<< /Type /Catalog /Pages %d 0 R >>\nendobj\n" % (CATALOG_ID, 1))
        offsets.append(self._out.tell())
        title = _pdf_string(self.title)
        self._write(
            b"%d 0 obj\n<< /Producer (Crieur, ReportLab) /Title %s >>\nendobj\n" % (INFO_ID, title)
        )
        xref_at = self._out.tell()
        self._write(b"xref\n0 %d\n0000000000 65535 f \n" % FIRST_FREE_ID)
        for offset in offsets:
            self._write(b"%010d 00000 n \n" % offset)
        count = self._next_id - FIRST_FREE_ID
        if count:
            self._write(b"%d %d\n" % (FIRST_FREE_ID, count))
            self._copy(self._xref)
        self._write(
            b"trailer\n<< /Size %d /Root %d 0 R /Info %d 0 R >>\nstartxref\n%d\n%%%%EOF\n"
            % (self._next_id, CATALOG_ID, INFO_ID, xref_at)
        )
        self._out.close()
        self._xref.close()
        self._kids.close()

    def _write(self, data: bytes) -> None:
        self._out.write(data)

    def _copy(self, spool: BinaryIO) -> None:
        spool.seek(0)
        shutil.copyfileobj(spool, self._out)


class _Chunk:
    """One PDF in memory, read through its cross-reference table."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        start = data.rfind(b"startxref")
        if not data.startswith(b"%PDF-") or start < 0:
            raise PDFJoinError("not a PDF")
        xref_at = int(data[start + 9 :].split()[0])
        if not data.startswith(b"xref", xref_at):
            raise PDFJoinError("cross-reference streams are not supported")
        lines = data[xref_at:].split(b"\n", 2)
        first, count = (int(n) for n in lines[1].split())
        entries = lines[2][: count * 20]
        self.offsets: dict[int, int] = {}
        for index in range(count):
            entry = entries[index * 20 : index * 20 + 20]
            if entry[17:18] == b"n":
                self.offsets[first + index] = int(entry[:10])
        ends = sorted(self.offsets.values()) + [xref_at]
        self._end = dict(zip(ends[:-1], ends[1:], strict=True))
        trailer = data[xref_at + 20 * count :]
        if b"/Encrypt" in trailer:
            raise PDFJoinError("encrypted PDFs are not supported")
        root = re.search(rb"/Root (\d+) 0 R", trailer)
        if root is None:
            raise PDFJoinError("no /Root in the trailer")
        self.root = int(root[1])
        self._headers: dict[int, tuple[bytes, bytes]] = {}

    def split(self, object_id: int) -> tuple[bytes, bytes]:
        """The object's dictionary text and its stream part (`stream ... endstream\\n`)."""
        if object_id not in self._headers:
            offset = self.offsets[object_id]
            body = self.data[offset : self._end[offset]]
            header_match = _OBJECT_HEADER.match(body)
            if header_match is None or int(header_match[1]) != object_id:
                raise PDFJoinError(f"object {object_id} is not where the xref says")
            body = body[header_match.end() :].lstrip(b"\r\n")
            end = body.rfind(b"endobj")
            body = body[:end]
            stream = _STREAM.search(body)
            if stream is None:
                self._headers[object_id] = (body, b"")
            else:
                self._headers[object_id] = (body[: stream.start()], body[stream.start() :])
        return self._headers[object_id]

    def refs(self, object_id: int) -> list[int]:
        header, _ = self.split(object_id)
        return [int(m[2]) for m in _REFERENCE.finditer(header) if not m[1]]

    def page_ids(self) -> list[int]:
        catalog, _ = self.split(self.root)
        pages = re.search(rb"/Pages (\d+) 0 R", catalog)
        if pages is None:
            raise PDFJoinError("no /Pages in the catalog")
        return self._leaves(int(pages[1]))

    def _leaves(self, node: int) -> list[int]:
        header, _ = self.split(node)
        if re.search(rb"/Type\s*/Pages\b", header) is None:
            return [node]
        kids = re.search(rb"/Kids\s*\[([^\]]*)\]", header)
        if kids is None:
            raise PDFJoinError(f"page tree node {node} has no /Kids")
        out: list[int] = []
        for match in _REFERENCE.finditer(kids[1]):
            out += self._leaves(int(match[2]))
        return out

    def reachable(self, roots: list[int]) -> set[int]:
        seen: set[int] = set()
        todo = list(roots)
        while todo:
            current = todo.pop()
            if current in seen:
                continue
            seen.add(current)
            todo += self.refs(current)
        return seen


def _pdf_string(value: str) -> bytes:
    # A UTF-16 string with a byte-order mark shows any title correctly in viewers.
    return b"<FEFF" + value.encode("utf-16-be").hex().upper().encode() + b">"
