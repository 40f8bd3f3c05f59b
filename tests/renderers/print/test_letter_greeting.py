"""A letter greets the citizen by their civility when it is known, and carries the
organisation's return address beside the window."""

from __future__ import annotations

import pytest

from renderers.print import merge_letters, render_letter
from tests.renderers.print.factories import create_message, create_recipient, flat, open_pdf

RETURN = ("Hôtel de ville", "1 place de la Mairie", "49123 SAINT CRIEUR")


def text_of(pdf: bytes) -> str:
    with open_pdf(pdf) as document:
        return flat("\n".join(page.extract_text() for page in document.pages))


@pytest.mark.parametrize(
    ("name", "greeting", "courtesy"),
    [
        ("Madame Anne Dupont", "Madame,", "d’agréer, Madame, l’expression"),
        ("Mme Anne Dupont", "Madame,", "d’agréer, Madame, l’expression"),
        ("M. Paul Martin", "Monsieur,", "d’agréer, Monsieur, l’expression"),
        ("Paul Martin", "Madame, Monsieur,", "d’agréer, Madame, Monsieur, l’expression"),
    ],
)
def test_the_greeting_follows_the_civility(name, greeting, courtesy):
    letter = render_letter(create_message(), create_recipient(name=name))
    text = text_of(letter.body)
    assert f"{greeting} En raison de travaux" in text
    assert courtesy in text


def test_letters_carry_the_return_address():
    message = create_message(organisation_address=RETURN)
    text = text_of(render_letter(message, create_recipient()).body)
    assert "Mairie de Saint-Crieur Hôtel de ville 1 place de la Mairie 49123 SAINT CRIEUR" in text


def test_a_mail_merge_greets_each_citizen_by_their_civility(tmp_path):
    recipients = [
        create_recipient(reference="A", name="Madame Anne Dupont"),
        create_recipient(reference="B", name="Monsieur Paul Martin"),
        create_recipient(reference="C", name="Camille Durand"),
    ]
    message = create_message(organisation_address=RETURN)
    result = merge_letters(message, recipients, tmp_path)
    with open_pdf(result.standard.pdf.read_bytes()) as document:
        pages = [flat(page.extract_text()) for page in document.pages]
    firsts = [p for p in pages if "Objet" in p]
    assert [("Madame," in p, "Monsieur," in p, "Madame, Monsieur," in p) for p in firsts] == [
        (True, False, False),
        (False, True, False),
        (True, True, True),
    ]
    assert all("1 place de la Mairie" in p for p in firsts)
