"""The words for a citizen's problems (`gateway.audience.citizens.Problem`), by code, in any
shipped language: the API keeps its English `problem`, people read these."""

from __future__ import annotations

from renderers.i18n import gettext


def problem_text(code: str, locale: str, params: dict) -> str | None:
    """The problem in `locale`, or None for a code without words (the English text is kept)."""
    words = {  # plain gettext calls, so extraction finds them
        "unknown_channel": gettext(locale, "Canal inconnu : {channel}."),
        "country": gettext(locale, "Code pays inconnu : {country} (par exemple FR ou DE)."),
        "phone_invalid": gettext(locale, "Ce numéro de téléphone n’est pas valide."),
        "landline": gettext(
            locale, "Ce numéro est un fixe : les SMS et WhatsApp demandent un mobile."
        ),
        "phone_required": gettext(locale, "Le numéro de téléphone est obligatoire."),
        "email_invalid": gettext(locale, "Cette adresse électronique n’est pas valide."),
        "email_required": gettext(
            locale, "L’adresse électronique est obligatoire pour recevoir des courriels."
        ),
        "language": gettext(locale, "Langue inconnue."),
        "timezone": gettext(locale, "Fuseau horaire inconnu."),
        "quiet_hours": gettext(locale, "Les heures calmes demandent un début et une fin."),
        "topic": gettext(locale, "Thème inconnu : {topic}."),
        "area": gettext(locale, "Quartier inconnu : {area}."),
        "reference_used": gettext(locale, "Cette référence est déjà utilisée."),
        "formula": gettext(locale, "Ne doit pas commencer par =, +, -, @ ni une tabulation."),
        "control_character": gettext(
            locale, "Contient un caractère invisible ou de contrôle ({char})."
        ),
        "string_too_long": gettext(locale, "Trop long : au plus {max_length} caractères."),
        "missing": gettext(locale, "Ce champ est obligatoire."),
        "invalid": gettext(locale, "Valeur non valide."),
    }
    text = words.get(code)
    if text is None:
        return None
    try:
        return text.format(**params)
    except (KeyError, IndexError):
        return words["invalid"]
