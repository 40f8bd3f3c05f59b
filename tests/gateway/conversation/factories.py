"""Factories for the conversation tests: a published announcement with a poll, signed texts."""

from __future__ import annotations

import itertools
from datetime import timedelta

from django.db import transaction
from django.test import Client
from django.utils import timezone
from lxml import etree
from twilio.request_validator import RequestValidator

from gateway.conversation.polls import save_poll
from gateway.publishing import publish
from tests.factories import create_announcement

TOKEN = "conversation-test-token"
PUBLIC = "https://crieur.example.org"
SENDER = "+33757000000"
_sid = itertools.count(1)

POLL = {
    "question": "Faut-il ouvrir le square le dimanche ?",
    "answers": ["Oui", "Non", "Sans avis"],
    "translations": {
        "en": {
            "question": "Should the park open on Sundays?",
            "answers": ["Yes", "No", "No opinion"],
        }
    },
}


def poll_data(**fields) -> dict:
    return {**POLL, "closes_at": timezone.now() + timedelta(days=7), **fields}


def create_poll(org, *, publish_it: bool = True, announcement=None, **fields):
    """An announcement with a poll, published (every citizen reached) unless told otherwise."""
    announcement = announcement or create_announcement(org)
    poll = save_poll(announcement, poll_data(**fields))
    if publish_it:
        with transaction.atomic():
            publish(announcement)
        announcement.refresh_from_db()
        poll.refresh_from_db()
    return poll


def new_sid(prefix: str = "SM") -> str:
    return f"{prefix}{next(_sid):032d}"


def signed_post(path: str, params: dict):
    signature = RequestValidator(TOKEN).compute_signature(PUBLIC + path, params)
    return Client().post(path, params, HTTP_X_TWILIO_SIGNATURE=signature)


def text(body: str, phone: str, *, sid: str | None = None, to: str = SENDER):
    params = {"MessageSid": sid or new_sid(), "From": phone, "To": to, "Body": body}
    return signed_post("/hooks/twilio/sms", params)


def reply_of(response) -> str | None:
    assert response.status_code == 200, response.content
    root = etree.fromstring(response.content)
    messages = root.findall("Message")
    return messages[0].text if messages else None
