"""Issue 14 item 7: every CSV Crieur writes neutralises cells a spreadsheet would run as a
formula (OWASP: a leading `'` for `= + - @`, tab, carriage return; every cell quoted)."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest

from renderers.csvsafe import safe_cell, safe_writer
from renderers.print import merge_letters
from tests.renderers.print.factories import create_message, create_recipient

ROOT = Path(__file__).resolve().parents[2]
FORMULAS = ['=HYPERLINK("http://x")', "+33612345678", "-2+3", "@SUM(A1:A9)", "\tcmd", "\rcmd"]


@pytest.mark.parametrize("value", FORMULAS)
def test_item7_a_formula_cell_gets_a_leading_quote(value):
    assert safe_cell(value) == "'" + value


@pytest.mark.parametrize("value", ["C-0001", "Anne Dupont", "", 12, "12 T A 14", "a=b"])
def test_item7_other_cells_are_kept(value):
    assert safe_cell(value) == value


def test_item7_the_safe_writer_quotes_every_cell_and_neutralises_formulas():
    buffer = io.StringIO()
    writer = safe_writer(buffer)
    writer.writerow(["reference", "reason"])
    writer.writerow(['=1+1"', 3])
    assert buffer.getvalue().splitlines() == ['"reference","reason"', '"\'=1+1""","3"']


def test_item7_mail_merge_manifests_and_rejects_are_neutralised(tmp_path):
    people = [create_recipient(reference=ref, name="Anne Dupont") for ref in FORMULAS[:4]]
    people.append(create_recipient(reference="=BAD", address=("=1+1", "7500 Paris")))
    result = merge_letters(create_message(), people, tmp_path)
    cells = [
        cell
        for path in (result.standard.manifest, result.rejects_csv)
        for row in csv.reader(open(path, newline="", encoding="utf-8"))
        for cell in row
    ]
    assert '\'=HYPERLINK("http://x")' in cells and "'=BAD" in cells
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")], cells


def test_item7_every_csv_is_written_through_the_one_safe_writer():
    writers = re.compile(r"csv\.(writer|DictWriter)\(")
    found = [
        str(path.relative_to(ROOT))
        for package in ("renderers", "channels", "gateway")
        for path in (ROOT / package).rglob("*.py")
        if writers.search(path.read_text(encoding="utf-8"))
    ]
    assert found == ["renderers/csvsafe.py"], found
