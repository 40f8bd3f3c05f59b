"""French spacing and the word units a card line may never split."""

from __future__ import annotations

import pytest

from renderers.visual.typography import NNBSP, typeset, units

NBSP = "\u00a0"


@pytest.mark.parametrize(
    ("typed", "set_"),
    [
        ("Attention: coupure!", f"Attention{NNBSP}: coupure{NNBSP}!"),
        ("Pourquoi ? Parce que ; voilà", f"Pourquoi{NNBSP}? Parce que{NNBSP}; voilà"),
        ("« Bonjour »", f"«{NNBSP}Bonjour{NNBSP}»"),
        ("«Bonjour»", f"«{NNBSP}Bonjour{NNBSP}»"),
        (f"Déjà{NNBSP}: fait", f"Déjà{NNBSP}: fait"),  # idempotent
        ("https://x.fr/a?b=1 à 8:30", "https://x.fr/a?b=1 à 8:30"),  # URLs and times untouched
    ],
)
def test_french_spacing(typed, set_):
    assert typeset(typed, "fr") == set_
    assert typeset(set_, "fr") == set_


def test_other_languages_keep_their_spacing_but_numbers_stay_whole():
    assert typeset("Note: call 01 23 45 67 89 at 8 h!", "en") == (
        f"Note: call 01{NBSP}23{NBSP}45{NBSP}67{NBSP}89 at 8{NBSP}h!"
    )


@pytest.mark.parametrize(
    ("locale", "text", "unit"),
    [
        ("fr", "mardi 24 novembre", f"24{NBSP}novembre"),
        ("en", "on 3 March", f"3{NBSP}March"),
        ("fr", "1 234,50 € de travaux", f"1{NBSP}234,50{NBSP}€"),
        ("fr", "de 8 h à 12 h", f"8{NBSP}h"),
    ],
)
def test_a_number_keeps_what_it_counts(locale, text, unit):
    assert unit in units(typeset(text, locale))


def test_a_lone_sign_sticks_to_its_word_in_any_language():
    assert units("word ? next ( open") == [f"word{NNBSP}?", "next", f"({NNBSP}open"]
