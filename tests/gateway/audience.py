"""Helpers for the audience tests: the ways in as a citizen or an agent uses them (signed
Twilio texts, the sign-up pages with the code from the outbox, the citizens API)."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

from django.conf import settings
from django.test import Client
from twilio.request_validator import RequestValidator

TOKEN = "audience-test-token"
PUBLIC = "https://crieur.example.org"
SENDER = "+33757000000"
_sid = itertools.count(1)

SIGN_UP = {
    "name": "Anne Dupont",
    "phone": "06 12 34 56 78",
    "channels": ["sms"],
    "topics": ["travaux"],
    "area": "centre",
    "language": "fr",
    "consent": "yes",
}


def twilio_post(path: str, params: dict, client: Client | None = None):
    """POST `params` to a Twilio hook, signed like Twilio on the public URL."""
    signature = RequestValidator(TOKEN).compute_signature(PUBLIC + path, params)
    return (client or Client()).post(path, params, HTTP_X_TWILIO_SIGNATURE=signature)


def new_sid() -> str:
    return f"SM{next(_sid):032d}"


def text(body: str, phone: str = "+33611111111", sid: str | None = None):
    """A citizen's SMS to the organisation's number (`sms_sender` SENDER)."""
    params = {"MessageSid": sid or new_sid(), "From": phone, "To": SENDER, "Body": body}
    return twilio_post("/hooks/twilio/sms", params)


def _texts() -> set[Path]:
    folder = settings.OUTBOX_DIR / "sms"
    return set(folder.glob("*.txt")) if folder.exists() else set()


def _codes(files) -> list[str]:
    return [m[0] for f in files if (m := re.search(r"\b\d{6}\b", f.read_text()))]


def sent_codes() -> list[str]:
    """The sign-up codes texted so far (outbox), oldest first."""
    return _codes(sorted(_texts(), key=lambda p: p.stat().st_mtime_ns))


def sign_up(client: Client | None = None, query: str = "", **change):
    """Fill in /inscription/ then type the code texted; the last response."""
    client = client or Client()
    before = _texts()
    started = client.post(f"/inscription/{query}", {**SIGN_UP, **change})
    if started.status_code != 302:
        return started
    [code] = _codes(_texts() - before)
    return client.post("/inscription/code/", {"code": code})


def api_client(key: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {key}")


def post_json(client: Client, path: str, data):
    return client.post(path, data, content_type="application/json")


def put_json(client: Client, path: str, data):
    return client.put(path, data, content_type="application/json")
