"""Words instead of codes in the console, and readability warnings that flag what matters."""

from __future__ import annotations

import pytest

from gateway.console.warnings import LONG_SENTENCE_WORDS, readability
from gateway.console.words import form_word, language_word


def test_forms_and_languages_in_words():
    assert form_word("voice", "fr") == "Appel vocal"
    assert form_word("voice", "en") != "Appel vocal"
    assert form_word("linkedin", "ar") == "LinkedIn"
    assert form_word("notice", "fr") == "Affiche"
    assert language_word("ar", "fr") == "Arabe"
    assert language_word("fr", "en") == "French"


@pytest.mark.parametrize(
    "text",
    [
        "Pour tout renseignement, appelez la mairie.",
        "Le stationnement est interdit rue de l’Intercommunalité-Nord.",
        "Saint-Crieur-sur-Mer accueille les habitants.",
        "La Communauté d’Agglomération informe.",
    ],
)
def test_ordinary_words_and_names_are_not_flagged(text):
    assert readability({"fr": {"summary": text, "body": ""}}, "fr") == []


def test_a_trailing_apostrophe_is_not_a_word():
    words = " ".join(["mot"] * LONG_SENTENCE_WORDS)
    assert readability({"fr": {"summary": f"{words} ’", "body": ""}}, "fr") == []
    assert readability({"fr": {"summary": f"{words} – - ’ '", "body": ""}}, "fr") == []
    longer = readability({"fr": {"summary": f"{words} mot", "body": ""}}, "fr")
    assert [w.kind for w in longer] == ["readability"]
    assert "(Français)" in longer[0].text


def test_a_long_word_is_still_flagged():
    found = readability({"fr": {"summary": "Exceptionnellement, rien.", "body": ""}}, "fr")
    assert "Exceptionnellement" in found[0].text
