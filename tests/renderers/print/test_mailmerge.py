import csv
import re

import pypdf
import pytest

from renderers.print import merge_letters
from tests.renderers.print.factories import CODE, create_message, create_recipient, long_body


def recipients(count: int):
    for n in range(count):
        yield create_recipient(
            reference=f"C{n:04d}",
            name=f"Madame Anne Dupont {n}",
            large_print=n % 5 == 0,
            locale="en" if n % 2 else "fr",
        )
    yield create_recipient(reference="BAD-1", address=("3 rue des Lilas", "7500 Paris"))
    yield create_recipient(reference="BAD-2", name="X" * 40)


def message_for_locale(locale: str):
    return create_message(locale=locale, body=long_body(6 if locale == "en" else 1))


def read_manifest(path):
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.parametrize("workers", [1, 2])
def test_manifest_rows_match_the_pdf(tmp_path, workers):
    progress = []
    result = merge_letters(
        message_for_locale,
        recipients(40),
        tmp_path,
        progress=progress.append,
        workers=workers,
        chunk_size=7,
    )
    assert result.letters == 40 and result.rejected == 2
    assert progress[-1] == 42
    for output, large in ((result.standard, "no"), (result.large_print, "yes")):
        rows = read_manifest(output.manifest)
        reader = pypdf.PdfReader(output.pdf, strict=True)
        assert len(reader.pages) == output.pages == sum(int(r["pages"]) for r in rows)
        assert [int(r["sequence"]) for r in rows] == list(range(1, len(rows) + 1))
        assert {r["large_print"] for r in rows} == {large}
        for row in rows:  # each letter starts where the manifest says, with its reference
            first = reader.pages[int(row["first_page"]) - 1].extract_text()
            assert row["reference"] in first
            last = int(row["first_page"]) + int(row["pages"]) - 2
            assert CODE in reader.pages[last].extract_text()
    assert len(read_manifest(result.standard.manifest)) == 32
    assert len(read_manifest(result.large_print.manifest)) == 8
    rejects = dict(result.rejects())
    assert set(rejects) == {"BAD-1", "BAD-2"}
    assert "5-digit postcode" in rejects["BAD-1"] and "line 1 is 40 characters" in rejects["BAD-2"]


def test_english_letters_have_more_pages(tmp_path):
    result = merge_letters(message_for_locale, recipients(4), tmp_path)
    pages = {r["locale"]: int(r["pages"]) for r in read_manifest(result.standard.manifest)}
    assert pages["en"] > pages["fr"] == 1


def test_qr_form_is_defined_once_per_chunk_not_per_page(tmp_path):
    result = merge_letters(create_message(), recipients(30), tmp_path, chunk_size=1000)
    data = result.standard.pdf.read_bytes()
    # One QR form (a Form XObject with only the path) for the 24 standard letters.
    forms = re.findall(rb"/Subtype /Form", data)
    pages = result.standard.pages
    assert pages == 24 and len(forms) < 10


def test_one_message_for_everyone_and_no_letters(tmp_path):
    result = merge_letters(create_message(), [], tmp_path)
    assert result.standard is None and result.large_print is None and result.letters == 0
    assert result.rejects() == []
