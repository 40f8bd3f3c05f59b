"""CSV files a spreadsheet can open safely: the one writer of every CSV Crieur writes.

A cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return is run as a formula by
Excel, LibreOffice and Google Sheets (CSV injection). As OWASP recommends, such a cell gets a
leading `'` (shown as text, the quote hidden) and every cell is quoted, so a delimiter or a
quote inside a value cannot start another cell. Pure: `renderers/` and `gateway/` both use it.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import Any, TextIO

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def is_formula(value: str) -> bool:
    """Would a spreadsheet run this cell (the characters OWASP names, at the start)?"""
    return value.startswith(FORMULA_STARTS)


def safe_cell(value: Any) -> Any:
    """The cell as written: text that would run as a formula gets a leading `'`."""
    if isinstance(value, str) and is_formula(value):
        return "'" + value
    return value


class SafeWriter:
    """`csv.writer` whose rows are neutralised cell by cell, every cell quoted."""

    def __init__(self, handle: TextIO) -> None:
        self._writer = csv.writer(handle, quoting=csv.QUOTE_ALL)

    def writerow(self, row: Iterable[Any]) -> None:
        self._writer.writerow([safe_cell(cell) for cell in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def safe_writer(handle: TextIO) -> SafeWriter:
    return SafeWriter(handle)
