"""Spanish spoken forms (Castilian, to match the default es-ES voice)."""

from __future__ import annotations

from renderers.voice.spoken.rules import (
    SpokenRules,
    clock_by_babel,
    euros_by_num2words,
    normalise,
    phone_in_pairs,
)

LOCALE = "es"

ABBREVIATIONS: tuple[tuple[str, str], ...] = (
    (r"\bSras\.", "señoras"),
    (r"\bSra\.", "señora"),
    (r"\bSres\.", "señores"),
    (r"\bSr\.", "señor"),
    (r"\bD\.ª(?= )", "doña"),
    (r"\bDña\.", "doña"),
    (r"\bAvda\.", "avenida"),
    (r"\bC/ ?", "calle "),
    (r"\bn\.º ?", "número "),
    (r"\b[tT]el\.", "teléfono"),
    (r"\betc\.", "etcétera"),
    (r"(\d) ?km/h\b", r"\1 kilómetros por hora"),
    (r"(\d) ?km\b", r"\1 kilómetros"),
    (r"(\d) ?min\b", r"\1 minutos"),
    (r"(\d) ?°C\b", r"\1 grados"),
    (r" & ", " y "),
)

RULES = SpokenRules(
    locale=LOCALE,
    dot="punto",
    at="arroba",
    euros=euros_by_num2words(LOCALE, joiner=" con "),
    clock=clock_by_babel(LOCALE),
    abbreviations=ABBREVIATIONS,
    per_cent="por ciento",
    read_phone=phone_in_pairs(LOCALE, zero="cero", plus="más"),
    ordinal_marks="ºª",
)


def spoken(text: str) -> str:
    return normalise(text, RULES)
