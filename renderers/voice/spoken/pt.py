"""Portuguese spoken forms (European, to match the default pt-PT voice)."""

from __future__ import annotations

from renderers.voice.spoken.rules import (
    SpokenRules,
    clock_by_babel,
    euros_by_num2words,
    normalise,
    phone_in_pairs,
)

LOCALE = "pt"

ABBREVIATIONS: tuple[tuple[str, str], ...] = (
    (r"\bSr\.ª(?= )", "senhora"),
    (r"\bSra\.", "senhora"),
    (r"\bSr\.", "senhor"),
    (r"\bD\.(?= [A-ZÁÉÍÓÚ])", "dona"),
    (r"\bAv\.", "avenida"),
    (r"\bn\.º ?", "número "),
    (r"\b[tT]el\.", "telefone"),
    (r"\betc\.", "etcétera"),
    (r"(\d) ?km/h\b", r"\1 quilómetros por hora"),
    (r"(\d) ?km\b", r"\1 quilómetros"),
    (r"(\d) ?min\b", r"\1 minutos"),
    (r"(\d) ?°C\b", r"\1 graus"),
    (r" & ", " e "),
)

RULES = SpokenRules(
    locale=LOCALE,
    dot="ponto",
    at="arroba",
    euros=euros_by_num2words(LOCALE, joiner=" e "),
    clock=clock_by_babel(LOCALE),
    abbreviations=ABBREVIATIONS,
    per_cent="por cento",
    read_phone=phone_in_pairs(LOCALE, zero="zero", plus="mais"),
    ordinal_marks="ºª",
)


def spoken(text: str) -> str:
    return normalise(text, RULES)
