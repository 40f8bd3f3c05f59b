"""The description read out to someone who cannot see the card: everything the card says."""

from __future__ import annotations

from renderers.i18n import gettext
from renderers.message import Message, Urgency
from renderers.print.dates import full_date


def urgency_label(message: Message) -> str:
    labels = {
        Urgency.URGENT: gettext(message.locale, "Urgent"),
        Urgency.IMPORTANT: gettext(message.locale, "Important"),
        Urgency.INFO: gettext(message.locale, "Information"),
    }
    return labels[message.urgency]


def _sentence(text: str) -> str:
    text = " ".join(text.split())
    return text if not text or text[-1] in ".!?…:" else text + "."


def alt_text(message: Message) -> str:
    """Organisation, urgency, title, the whole summary, date and verification code."""
    parts = [
        f"{message.organisation} — {urgency_label(message)}",
        message.title,
        message.summary,
        full_date(message),
    ]
    if message.verification_code:
        label = gettext(message.locale, "Vérifier l’authenticité : {code}")
        parts.append(label.format(code=message.verification_code))
    return " ".join(_sentence(part) for part in parts if part.strip())
