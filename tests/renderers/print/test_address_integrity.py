"""Issue 14 item 8: addresses a sorting machine can read. ASCII postcodes, only characters the
shipped fonts print, a real ISO 3166 country; each refusal has a code, names the line and says
why in the citizen's language; a number range keeps its meaning."""

from __future__ import annotations

import pytest

from renderers.print import check_address, format_address
from renderers.print.address import AddressProblemCode, address_problems

NAME = "Madame Anne Dupont"


@pytest.mark.parametrize("postcode", ["٢٩٢٠٠", "２９２００", "𝟐𝟗𝟐𝟎𝟎"])
def test_item8_postcodes_are_ascii_digits(postcode):
    problems = address_problems([NAME, "5 rue des Lilas", f"{postcode} Quimper"], country="FR")
    assert (AddressProblemCode.POSTCODE, 3) in [(p.code, p.line) for p in problems]


@pytest.mark.parametrize(
    "character",
    [
        "\x00",
        "\x07",
        "\u200b",
        "\u200d",
        "\u202e",
        "\u2066",
        "\ufeff",
        "\ue000",
        "😀",
        "\U000e0041",
    ],
)
@pytest.mark.parametrize("line", [1, 2, 3])
def test_item8_address_lines_hold_only_printable_font_characters(character, line):
    lines = [NAME, "5 rue des Lilas", "49123 Saint-Crieur"]
    lines[line - 1] = lines[line - 1][:3] + character + lines[line - 1][3:]
    problems = address_problems(lines, country="FR")
    assert [(p.code, p.line) for p in problems][:1] == [(AddressProblemCode.CHARACTER, line)]
    assert f"U+{ord(character):04X}" in problems[0].message("en")


@pytest.mark.parametrize("country", ["QQ", "ZZ", "EU", "UN", "XX", "1F"])
def test_item8_a_country_is_a_real_iso_3166_code(country):
    problems = address_problems([NAME, "Hauptstrasse 5", "10115 Berlin"], country=country)
    assert [p.code for p in problems] == [AddressProblemCode.COUNTRY]


@pytest.mark.parametrize("country", ["DE", "GB", "MA", "de"])
def test_item8_real_countries_pass(country):
    assert address_problems([NAME, "Hauptstrasse 5", "10115 Berlin"], country=country) == []


def test_item8_arabic_and_accented_letters_still_print():
    assert (
        check_address(["فاطمة بنعلي", "Bâtiment B", "7 impasse des Roses", "01234 Saint-Crieur"])
        == []
    )


@pytest.mark.parametrize(
    ("street", "printed"),
    [
        ("12 ter-14 rue des Lilas", "12 T A 14 RUE DES LILAS"),
        ("12-14, rue des Lilas", "12 A 14 RUE DES LILAS"),
        ("12 bis - 14 bis avenue Foch", "12 B A 14 B AVENUE FOCH"),
        ("5 bis, rue de l'Église", "5 B RUE DE L EGLISE"),
        ("Rue Jean-Jaurès", "RUE JEAN JAURES"),
    ],
)
def test_item8_a_number_range_keeps_its_meaning(street, printed):
    assert format_address([NAME, street, "49123 Saint-Crieur"])[1] == printed


@pytest.mark.parametrize("locale", ["fr", "en", "es", "pt", "ar", "br"])
def test_item8_each_refusal_names_the_line_in_the_citizens_language(locale):
    problems = address_problems([NAME, "5 rue\u202e des Lilas", "4912 Saint-Crieur"], country="FR")
    assert [(p.code, p.line) for p in problems] == [
        (AddressProblemCode.CHARACTER, 2),
        (AddressProblemCode.POSTCODE, 3),
    ]
    for problem in problems:
        message = problem.message(locale)
        assert str(problem.line) in message
        if locale != "fr":
            assert message != problem.message("fr"), (locale, message)
