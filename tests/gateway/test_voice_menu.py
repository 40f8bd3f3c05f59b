"""The call flow is the same everywhere: `crieur render`, the outbox's TwiML and the console
preview show the menu the webhook serves (placeholder action URLs when there is no call)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse
from lxml import etree
from twilio.request_validator import RequestValidator

from gateway.models import Delivery, Role
from gateway.publishing import publish
from gateway.voicemenu import menu_url
from tests.factories import create_announcement, create_citizen, create_organisation, create_user

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "coupure-eau.yaml"


def gather_action(twiml: str) -> str:
    return etree.fromstring(twiml.encode()).find("Gather").get("action")


def test_render_voice_shows_the_menu_with_a_placeholder_action():
    result = subprocess.run(
        [sys.executable, "-m", "gateway.cli", "render", "--channel", "voice", str(EXAMPLE)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert (
        gather_action(result.stdout) == "https://crieur.invalid/hooks/twilio/voice/DELIVERY_ID/menu"
    )
    assert "tapez 2" in result.stdout


@pytest.mark.django_db(transaction=True)
def test_the_outbox_call_is_exactly_what_the_webhook_serves(settings):
    settings.TWILIO_AUTH_TOKEN = "hook-token"
    org = create_organisation()
    citizen = create_citizen(org, channels=("voice",), is_mobile=False, phone="+33140000003")
    with transaction.atomic():
        publish(create_announcement(org))
    delivery = Delivery.objects.get(citizen=citizen)
    (saved,) = (settings.OUTBOX_DIR / "voice").glob("*.xml")
    outbox = saved.read_text()
    path = reverse("twilio_hooks:voice", args=[delivery.pk])
    params = {"CallSid": "CA" + "0" * 32, "AnsweredBy": "human"}
    signature = RequestValidator("hook-token").compute_signature(settings.PUBLIC_URL + path, params)
    served = Client().post(path, params, HTTP_X_TWILIO_SIGNATURE=signature).content.decode()
    assert gather_action(outbox) == menu_url(settings.PUBLIC_URL, delivery.pk)
    assert outbox == served


@pytest.mark.django_db
def test_the_console_preview_shows_the_menu_and_the_twiml(client):
    org = create_organisation()
    client.force_login(create_user(org, Role.AUTHOR))
    data = {
        "locale": "fr",
        "title": "Coupure d'eau",
        "summary": "Coupure d'eau mardi matin.",
        "body": "L'eau sera coupée mardi matin.",
        "urgency": "info",
        "preview_locale": "fr",
    }
    html = client.post(reverse("console:preview"), data).content.decode()
    assert "tapez 2" in html  # the menu, in the script the agent reads
    assert 'data-testid="voice-twiml"' in html and "DELIVERY_ID/menu" in html
