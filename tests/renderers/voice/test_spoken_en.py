"""English spoken forms: what Polly.Amy is given to read."""

from __future__ import annotations

import pytest

from renderers.voice.spoken import spoken_form
from renderers.voice.spoken.en import cardinal, ordinal


def said(text: str) -> str:
    return spoken_form(text, "en")


@pytest.mark.parametrize(
    "written, spoken",
    [
        # dates (French order day/month)
        ("on 12/03/2026", "on Thursday the twelfth of March 2026"),
        ("on 2026-03-01", "on Sunday the first of March 2026"),
        ("Tuesday 24 November", "Tuesday the twenty-fourth of November"),
        ("on 1st March", "on the first of March"),
        ("on March 3", "on March third"),
        # times
        ("from 8 am to noon", "from 8 a.m. to noon"),
        ("at 2:30 pm", "at 2 30 p.m."),
        ("at 14:30", "at 2 30 p.m."),
        ("at 08:05", "at 8 oh 5 a.m."),
        ("at 12:00", "at noon"),
        ("at 00:00", "at midnight"),
        ("at 14h30", "at 2 30 p.m."),
        # French phone numbers, digit by digit
        ("01 23 45 67 89", "zero one, two three, four five, six seven, eight nine"),
        (
            "+33 1 23 45 67 89",
            "plus three three, one, two three, four five, six seven, eight nine",
        ),
        # amounts
        ("£12.50", "12 pounds 50"),
        ("€3", "3 euros"),
        ("€1", "1 euro"),
        ("12,50 €", "12 euros 50"),
        ("€0.50", "50 cents"),
        ("£1,200", "1200 pounds"),
        # ordinals
        ("the 1st floor", "the first floor"),
        ("the 2nd", "the second"),
        ("the 3rd", "the third"),
        ("the 12th", "the twelfth"),
        ("the 21st", "the twenty-first"),
        ("the 40th", "the fortieth"),
        # abbreviations
        ("St Mary's Church", "Saint Mary's Church"),
        ("High St, London", "High Street, London"),
        ("Dr Martin", "Doctor Martin"),
        ("Park Dr.", "Park Drive"),
        ("Mill Rd", "Mill Road"),
        ("Mr Smith", "Mister Smith"),
        ("No. 5", "number 5"),
        ("approx. 20%", "approximately 20 percent"),
        ("St-Crieur", "Saint-Crieur"),
        # web and mail addresses
        ("See https://saint-crieur.example/works.", "See the website saint-crieur dot example."),
        ("Write to town@saint-crieur.fr", "Write to town at saint-crieur dot fr"),
    ],
)
def test_english_spoken_forms(written, spoken):
    assert said(written) == spoken


@pytest.mark.parametrize(
    "n, words",
    [
        (0, "zero"),
        (13, "thirteen"),
        (21, "twenty-one"),
        (105, "one hundred and five"),
        (1005, "one thousand and five"),
        (1500, "one thousand five hundred"),
    ],
)
def test_cardinal(n, words):
    assert cardinal(n) == words


@pytest.mark.parametrize(
    "n, words",
    [
        (1, "first"),
        (2, "second"),
        (3, "third"),
        (5, "fifth"),
        (8, "eighth"),
        (9, "ninth"),
        (12, "twelfth"),
        (20, "twentieth"),
        (22, "twenty-second"),
        (100, "one hundredth"),
    ],
)
def test_ordinal(n, words):
    assert ordinal(n) == words
