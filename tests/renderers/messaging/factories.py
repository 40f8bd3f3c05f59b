"""Plain factories for the messaging renderer tests."""

from __future__ import annotations

from dataclasses import replace

from renderers.message import Message
from renderers.messaging import WhatsAppTemplate

CODE = "K7QM-2XPA"
URL = f"https://saint-crieur.example/v/{CODE}"


def create_message(**changes) -> Message:
    message = Message(
        organisation="Mairie de Saint-Crieur",
        locale="fr",
        title="Coupure d’eau rue des Lilas mardi",
        summary="Coupure d’eau mardi 24 novembre de 8 h à 12 h, rue des Lilas.",
        body=(
            "En raison de travaux, l’eau sera coupée mardi 24 novembre de 8 h à 12 h.\n\n"
            "Pensez à faire des réserves."
        ),
        urgency="important",
        contact="Services techniques, 01 23 45 67 89",
        topics=("eau", "travaux"),
        verification_code=CODE,
        public_url=URL,
    )
    return replace(message, **changes)


def create_template(**changes) -> WhatsAppTemplate:
    template = WhatsAppTemplate(
        name="crieur_annonce",
        language="fr",
        body="Information de votre mairie : {{1}}\n\n{{2}}\n\nDétails : {{3}}",
    )
    return replace(template, **changes)


def long_body(words: int) -> str:
    """Sentences of ordinary words, with a link every few sentences."""
    sentences = []
    for n in range(words // 12 + 1):
        link = (
            f" Voir https://saint-crieur.example/travaux/{n}?a=1&b=2 pour le plan."
            if n % 5 == 0
            else ""
        )
        sentences.append(
            f"Phrase {n} : les travaux se poursuivent dans le quartier du centre.{link}"
        )
    return " ".join(sentences)
