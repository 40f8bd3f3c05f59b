"""Which answer a text means, in any language of the poll; what makes bad answers."""

from __future__ import annotations

import pytest

from inbound.polls import PollTextError, check_answers, choice_of

ANSWERS = {
    "fr": ["Oui", "Non", "Sans avis"],
    "en": ["Yes", "No", "No opinion"],
    "es": ["Sí", "No", "Sin opinión"],
    "ar": ["نعم", "لا", "بدون رأي"],
}


@pytest.mark.parametrize(
    ("text", "choice"),
    [
        ("1", 1),
        ("2.", 2),
        ("(3)", 3),
        ("#1", 1),
        ("٣", 3),
        (" 2 ", 2),
        ("oui", 1),
        ("OUI !", 1),
        ("Non.", 2),
        ("sans avis", 3),
        ("Sans-Avis", 3),
        ("yes", 1),
        ("NO OPINION", 3),
        ("si", 1),
        ("Sí", 1),
        ("sin opinion", 3),
        ("نعم", 1),
        ("لا", 2),
        ("2 non", 2),
        ("1 yes", 1),
        ("No", 2),
    ],
)
def test_digits_and_words_in_every_language(text, choice):
    assert choice_of(text, ANSWERS) == choice


@pytest.mark.parametrize(
    "text", ["", "4", "0", "10", "2 oui", "je pense que oui", "peut-être", "oui non"]
)
def test_anything_else_is_no_answer(text):
    assert choice_of(text, ANSWERS) is None


def test_words_shared_by_two_answers_in_different_languages_are_no_answer():
    assert choice_of("si", {"es": ["Sí", "No"], "fr": ["Non", "Si"]}) is None


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        (["Oui"], "answers: a poll has 2 to 9 answers, not 1"),
        ([f"Réponse {i}" for i in range(10)], "answers: a poll has 2 to 9 answers, not 10"),
        (["Oui", "OUI"], "answers.2: same words as answer 1"),
        (["Oui", "!!"], "answers.2: an answer needs words"),
        (["Oui", "12"], "answers.2: an answer cannot be a number"),
    ],
)
def test_bad_answers(answers, message):
    with pytest.raises(PollTextError, match=message.replace("(", r"\(")):
        check_answers(answers)
