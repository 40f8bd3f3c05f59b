"""Spanish, Portuguese and Arabic spoken forms: numbers by num2words, dates and clocks by Babel."""

from __future__ import annotations

import pytest

from renderers.voice.spoken import spoken_form


@pytest.mark.parametrize(
    "locale, written, spoken",
    [
        ("es", "el 24/11/2026", "el martes, 24 de noviembre de 2026"),
        ("es", "a las 14h30", "a las 14:30"),
        ("es", "12,50 €", "doce euros con cincuenta céntimos"),
        ("es", "1 500 €", "mil quinientos euros"),
        ("es", "0,50 €", "cincuenta céntimos"),
        ("es", "1 €", "un euro"),
        (
            "es",
            "01 23 45 67 89",
            "cero uno, veintitrés, cuarenta y cinco, sesenta y siete, ochenta y nueve",
        ),
        ("es", "la 1.ª planta", "la primera planta"),
        ("es", "el 2º piso", "el segundo piso"),
        ("es", "Sra. García, C/ Mayor", "señora García, calle Mayor"),
        ("es", "un 20 %", "un 20 por ciento"),
        ("es", "agua@crieur.fr", "agua arroba crieur punto fr"),
        ("es", "véase https://crieur.fr/agua.", "véase el sitio web crieur punto fr."),
        ("pt", "no dia 24/11/2026", "no dia terça-feira, 24 de novembro de 2026"),
        ("pt", "12,50 €", "doze euros e cinquenta cêntimos"),
        (
            "pt",
            "+33 1 23 45 67 89",
            "mais trinta e três, um, vinte e três, quarenta e cinco, "
            "sessenta e sete, oitenta e nove",
        ),
        ("pt", "1.º andar, Av. da Liberdade", "primeiro andar, avenida da Liberdade"),
        ("ar", "من 8h إلى 14h30", "من الساعة 8 صباحًا إلى الساعة 2:30 مساءً"),
        ("ar", "12,50 €", "اثنا عشر يورو وخمسون سنتًا"),
        ("ar", "0,05 €", "خمسة سنتات"),
        ("ar", "01 23 45 67 89", "صفر واحد، اثنان ثلاثة، أربعة خمسة، ستة سبعة، ثمانية تسعة"),
        ("ar", "يوم 24/11/2026", "يوم الثلاثاء، 24 نوفمبر 2026"),
        ("ar", "20 %", "20 بالمئة"),
    ],
)
def test_spoken_form(locale: str, written: str, spoken: str) -> None:
    assert spoken_form(written, locale) == spoken


def test_a_breton_text_keeps_its_words_and_loses_only_urls() -> None:
    said = spoken_form("Gwelet https://crieur.bzh/dour", "br")
    assert said == "Gwelet al lec’hienn crieur.bzh"
