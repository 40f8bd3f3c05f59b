"""Plain factory functions for print tests (no fixture files)."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import datetime
from zoneinfo import ZoneInfo

import pdfplumber
from reportlab.lib.units import mm

from renderers.message import Message
from renderers.print import PostalRecipient

CODE = "K7QM-2XPA"
PT_PER_MM = mm


def create_message(**changes) -> Message:
    message = Message(
        organisation="Mairie de Saint-Crieur",
        locale="fr",
        title="Coupure d’eau rue des Lilas mardi",
        summary="Coupure d’eau mardi.",
        body=(
            "En raison de travaux, l’eau sera coupée mardi 24 novembre de 8 h à 12 h.\n\n"
            "Pensez à faire des réserves : 1 234,50 € de travaux."
        ),
        urgency="important",
        contact="Services techniques, 01 23 45 67 89",
        published_at=datetime(2026, 11, 21, 9, 0, tzinfo=ZoneInfo("Europe/Paris")),
        verification_code=CODE,
        public_url=f"https://saint-crieur.example/v/{CODE}",
    )
    return replace(message, **changes)


def long_body(paragraphs: int = 30) -> str:
    return "\n\n".join(
        f"Paragraphe {n} : les travaux se poursuivent dans le quartier du centre, "
        "merci de votre patience et de votre compréhension pendant toute leur durée." * 2
        for n in range(1, paragraphs + 1)
    )


def create_recipient(**changes) -> PostalRecipient:
    recipient = PostalRecipient(
        reference="C-0001",
        name="Madame Anne Dupont",
        address=(
            "Appartement 12",
            "Résidence Les Tilleuls",
            "5 bis, rue de l’Église",
            "13001 Marseille",
        ),
    )
    return replace(recipient, **changes)


def open_pdf(data: bytes) -> pdfplumber.PDF:
    return pdfplumber.open(io.BytesIO(data))


def flat(text: str) -> str:
    """Extracted text with line breaks and runs of spaces made single spaces."""
    return " ".join(text.split())
