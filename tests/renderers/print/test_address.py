import pytest

from renderers.errors import RenderError, RenderErrorCode
from renderers.print import PostalRecipient, check_address, format_address
from renderers.print.address import FRENCH_LAST_LINE


@pytest.mark.parametrize(
    ("lines", "country", "expected"),
    [
        (  # full six-line address: capitals, no accents, no punctuation from line 4
            [
                "Madame Anne Dupont",
                "Appartement 12, 3e étage",
                "Résidence Les Tilleuls",
                "5 bis, rue de l'Église",
                "Lieu-dit Les Prés",
                "13001 Marseille",
            ],
            "FR",
            (
                "Madame Anne Dupont",
                "Appartement 12, 3e étage",
                "Résidence Les Tilleuls",
                "5 B RUE DE L EGLISE",
                "LIEU DIT LES PRES",
                "13001 MARSEILLE",
            ),
        ),
        (  # ter -> T, blank lines dropped, "France" dropped at home
            ["M. Jean Martin", "", "12 ter avenue Foch", "  ", "75016 Paris", "France"],
            "FR",
            ("M JEAN MARTIN", "12 T AVENUE FOCH", "75016 PARIS"),
        ),
        (  # CEDEX with its number
            ["Service des eaux", "CS 20001", "01234 Saint-Crieur Cedex 2"],
            "FR",
            ("SERVICE DES EAUX", "CS 20001", "01234 SAINT CRIEUR CEDEX 2"),
        ),
        (  # abroad: the country, in French capitals, is the last line
            ["Frau Hanna Müller", "Hauptstraße 5", "10115 Berlin"],
            "DE",
            ("Frau Hanna Müller", "HAUPTSTRASSE 5", "10115 BERLIN", "ALLEMAGNE"),
        ),
        (  # œ and ligatures lose their accents too
            ["Mme Zoé Lœb", "3 rue du Cœur", "01234 Saint-Crieur"],
            "FR",
            ("MME ZOE LOEB", "3 RUE DU COEUR", "01234 SAINT CRIEUR"),
        ),
        (  # a street over 38 characters is abbreviated, not cut
            [
                "M. Paul Roy",
                "Bâtiment A",
                "Escalier 2",
                "123 boulevard du Général de Gaulle prolongé",
                "01234 Saint-Crieur",
            ],
            "FR",
            (
                "M. Paul Roy",
                "Bâtiment A",
                "ESCALIER 2",
                "123 BD DU GENERAL DE GAULLE PROLONGE",
                "01234 SAINT CRIEUR",
            ),
        ),
    ],
)
def test_format_address(lines, country, expected):
    assert format_address(lines, country=country) == expected


def test_formatted_lines_keep_the_rules():
    lines = format_address(
        [
            "Madame Anne Dupont",
            "Appt 12",
            "Résidence des Écoles",
            "5 bis, rue de l'Église",
            "Lieu-dit Les Prés",
            "13001 Marseille",
        ]
    )
    assert len(lines) <= 6
    assert all(len(line) <= 38 for line in lines)
    for line in lines[3:]:
        assert not any(ch in line for ch in ",.-'’;:"), line
    for line in lines[-3:]:
        assert line == line.upper() and line.isascii(), line
    assert FRENCH_LAST_LINE.match(lines[-1])


@pytest.mark.parametrize(
    ("lines", "country", "problem"),
    [
        (["M. X", "3 rue des Lilas", "7500 Paris"], "FR", "line 3 must be 'POSTCODE"),
        (["M. X", "3 rue des Lilas", "Paris 75001"], "FR", "5-digit postcode"),
        (
            ["Madame Anne-Charlotte de La Rochefoucauld-Montmorency", "1 rue", "75001 Paris"],
            "FR",
            "line 1 is 53 characters, at most 38",
        ),
        ([f"line {n}" for n in range(6)] + ["75001 Paris"], "FR", "7 lines, at most 6"),
        ([f"line {n}" for n in range(7)], "DE", "8 lines, at most 7 abroad"),
        (["M. X"], "FR", "at least a name line and a locality line"),
        (["M. X", "3 rue", "75001 ПАРИЖ"], "FR", "line 3 must be"),
    ],
)
def test_addresses_that_cannot_be_made_compliant(lines, country, problem):
    problems = check_address(lines, country=country)
    assert any(problem in p for p in problems), problems
    with pytest.raises(RenderError) as error:
        format_address(lines, country=country)
    assert error.value.code is RenderErrorCode.INVALID_ADDRESS
    assert problem in error.value.detail


def test_check_address_is_empty_for_a_good_address():
    assert check_address(["M. Jean Martin", "3 rue des Lilas", "01234 Saint-Crieur"]) == []


def test_recipient_address_lines_start_with_the_name():
    recipient = PostalRecipient("R1", "M. Jean Martin", ("3 rue des Lilas", "01234 Saint-Crieur"))
    assert recipient.address_lines()[-1] == "01234 SAINT CRIEUR"
