"""Plain factories for voice tests: messages and parsed TwiML."""

from __future__ import annotations

from lxml import etree

from renderers.message import Message

GATHER_URL = "https://crieur.example/hooks/twilio/gather?delivery=42&sig=a"


def create_message(**overrides: object) -> Message:
    fields: dict[str, object] = {
        "organisation": "Mairie de Saint-Crieur",
        "locale": "fr",
        "title": "Coupure d’eau rue des Lilas",
        "summary": "Coupure d’eau mardi.",
        "body": "L’eau sera coupée mardi 24 novembre de 8 h à 12 h.",
        "urgency": "important",
    }
    fields.update(overrides)
    return Message(**fields)  # type: ignore[arg-type]


def parse(twiml: str) -> etree._Element:
    root = etree.fromstring(twiml.encode("utf-8"))
    assert root.tag == "Response"
    return root


def steps(twiml: str) -> list[tuple[str, str]]:
    """Top-level verbs as (tag, text); a Gather shows the text of the Say inside it."""
    result = []
    for element in parse(twiml):
        if element.tag == "Gather":
            result.append(("Gather", " ".join(s.text or "" for s in element.iter("Say"))))
        else:
            result.append((element.tag, element.text or ""))
    return result
