"""Print keeps French typography: `8 h` and `12 h` never split over two lines, no-break
spaces before `: ; ! ?`, and the notice's date labelled as the publication date."""

from __future__ import annotations

import re

import pytest

from renderers.print import render_letter, render_notice
from tests.renderers.print.factories import create_message, create_recipient, open_pdf

# "8 h" lands at every position of a line across these lengths of the text before it.
BODIES = [
    f"{'Travaux ' * n}{'x' * k} mardi de 8 h à 12 h, attention : eau coupée !"
    for n in range(1, 9)
    for k in range(0, 12, 3)
]


def lines_of(pdf_bytes: bytes) -> list[str]:
    with open_pdf(pdf_bytes) as pdf:
        return [line for page in pdf.pages for line in page.extract_text().splitlines()]


@pytest.mark.parametrize("large_print", [False, True])
def test_hours_and_signs_never_start_a_line(large_print):
    body = "\n\n".join(BODIES)
    lines = lines_of(render_notice(create_message(body=body), large_print=large_print).body)
    assert lines
    for line in lines:
        assert not re.match(r"^\s*(h\b|[:;!?])", line), line


def test_the_notice_date_says_it_is_the_publication_date():
    lines = lines_of(render_notice(create_message()).body)
    assert any(line.startswith("Publié le samedi 21 novembre 2026") for line in lines), lines


def test_letters_keep_hours_together():
    body = "\n\n".join(BODIES)
    letter = render_letter(create_message(body=body), create_recipient(), large_print=True)
    for line in lines_of(letter.body):
        assert not re.match(r"^\s*(h\b|[:;!?])", line), line
