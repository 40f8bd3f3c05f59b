"""French spoken forms: what Polly.Lea is given to read."""

from __future__ import annotations

import pytest

from renderers.voice.spoken import spoken_form
from renderers.voice.spoken.fr import cardinal, ordinal


def said(text: str) -> str:
    return spoken_form(text, "fr")


@pytest.mark.parametrize(
    "written, spoken",
    [
        # dates
        ("le 12/03/2026", "le jeudi 12 mars 2026"),
        ("le 01/03/2026", "le dimanche premier mars 2026"),
        ("le 2026-03-12", "le jeudi 12 mars 2026"),
        ("le 31/02/2026", "le 31/02/2026"),  # not a date: left alone
        ("le 1er mars", "le premier mars"),
        ("le 1 mars", "le premier mars"),
        ("mardi 12 mars", "mardi 12 mars"),
        # times
        ("à 14 h 30", "à 14 heures 30"),
        ("à 14h30", "à 14 heures 30"),
        ("à 14:30", "à 14 heures 30"),
        ("de 8 h à 12 h", "de 8 heures à 12 heures"),
        ("à 8h", "à 8 heures"),
        ("à 12 h 05", "à 12 heures 5"),
        ("à 1 h", "à une heure"),
        ("à 21 h", "à vingt et une heures"),
        ("à 0 h 30", "à minuit 30"),
        ("ouvert 24h/24 et 7j/7", "ouvert 24 heures sur 24 et 7 jours sur 7"),
        ("8 habitants", "8 habitants"),
        # phone numbers, in pairs
        (
            "01 23 45 67 89",
            "zéro un, vingt-trois, quarante-cinq, soixante-sept, quatre-vingt-neuf",
        ),
        ("06.80.00.10.71", "zéro six, quatre-vingts, zéro zéro, dix, soixante et onze"),
        ("0123456789", "zéro un, vingt-trois, quarante-cinq, soixante-sept, quatre-vingt-neuf"),
        (
            "+33 1 23 45 67 89",
            "plus trente-trois, un, vingt-trois, quarante-cinq, soixante-sept, quatre-vingt-neuf",
        ),
        # amounts
        ("12,50 €", "12 euros 50"),
        ("12 €", "12 euros"),
        ("1 €", "1 euro"),
        ("1,05 €", "1 euro 5"),
        ("0,50 €", "50 centimes"),
        ("1 234,50 €", "1234 euros 50"),
        ("1\u202f234,50\u00a0€", "1234 euros 50"),
        ("30 euros", "30 euros"),
        # ordinals
        ("le 2e étage", "le deuxième étage"),
        ("la 1re fois", "la première fois"),
        ("la 1ère fois", "la première fois"),
        ("le 21e", "le vingt et unième"),
        ("le 3ème", "le troisième"),
        # abbreviations
        ("St-Crieur", "Saint-Crieur"),
        ("rue St Jean", "rue Saint Jean"),
        ("Ste Anne", "Sainte Anne"),
        ("3 av. Foch", "3 avenue Foch"),
        ("bd Gambetta", "boulevard Gambetta"),
        ("M. Dupont", "Monsieur Dupont"),
        ("Mme Durand", "Madame Durand"),
        ("n° 5", "numéro 5"),
        (
            "Tél. 01 23 45 67 89",
            "téléphone zéro un, vingt-trois, quarante-cinq, soixante-sept, quatre-vingt-neuf",
        ),
        ("à 50 km/h", "à 50 kilomètres heure"),
        ("20 %", "20 pour cent"),
        ("1 500 habitants", "1500 habitants"),
        # web and mail addresses
        (
            "Voir https://saint-crieur.example/travaux.",
            "Voir le site internet saint-crieur point example.",
        ),
        ("sur www.service-public.fr", "sur le site internet service-public point fr"),
        ("à mairie@saint-crieur.fr", "à mairie arobase saint-crieur point fr"),
    ],
)
def test_french_spoken_forms(written, spoken):
    assert said(written) == spoken


def test_a_whole_sentence():
    assert said(
        "Permanence le 12/03/2026 à 14h30 au 3 bd Gambetta, 2e étage. "
        "Tarif : 12,50 €. Tél. 01 23 45 67 89 ou https://saint-crieur.example."
    ) == (
        "Permanence le jeudi 12 mars 2026 à 14 heures 30 au 3 boulevard Gambetta, "
        "deuxième étage. Tarif : 12 euros 50. téléphone zéro un, vingt-trois, quarante-cinq, "
        "soixante-sept, quatre-vingt-neuf ou le site internet saint-crieur point example."
    )


@pytest.mark.parametrize(
    "n, words",
    [
        (0, "zéro"),
        (1, "un"),
        (16, "seize"),
        (17, "dix-sept"),
        (21, "vingt et un"),
        (70, "soixante-dix"),
        (71, "soixante et onze"),
        (80, "quatre-vingts"),
        (81, "quatre-vingt-un"),
        (99, "quatre-vingt-dix-neuf"),
        (200, "deux cents"),
        (280, "deux cent quatre-vingts"),
        (1000, "mille"),
        (80_000, "quatre-vingt mille"),
        (200_000, "deux cent mille"),
        (2_000_001, "deux millions un"),
    ],
)
def test_cardinal(n, words):
    assert cardinal(n) == words


@pytest.mark.parametrize(
    "n, words",
    [
        (1, "premier"),
        (2, "deuxième"),
        (4, "quatrième"),
        (5, "cinquième"),
        (9, "neuvième"),
        (11, "onzième"),
        (21, "vingt et unième"),
        (80, "quatre-vingtième"),
        (100, "centième"),
    ],
)
def test_ordinal(n, words):
    assert ordinal(n) == words
