"""Helpers for the WhatsApp and email tests: accounts aimed at the local fakes, signed
webhooks posted through the test client, a publication run inline."""

from __future__ import annotations

import json

from channels.whatsapp import signature
from gateway.models import Announcement
from gateway.tasks.publish import publish_announcement
from tests.factories import create_account
from tests.fakes.smtp import FakeSMTP
from tests.fakes.whatsapp import FakeWhatsApp, template

FROM = "Mairie de Saint-Crieur <infos@saint-crieur.example>"
TEMPLATES = [
    template("crieur_annonce", "fr", "{{1}}\n\n{{2}}\n\nPlus d’informations : {{3}}"),
    template("crieur_annonce", "en", "{{1}}\n\n{{2}}\n\nMore: {{3}}"),
    template("promo_ete", "fr", "Promo {{1}}", category="MARKETING"),
]


def whatsapp_account(org, fake: FakeWhatsApp, **fields):
    settings = {k: v for k, v in fake.settings().items()}
    settings["base_url"] = fake.base_url
    return create_account(org, "whatsapp", settings, **fields)


def email_account(org, smtp: FakeSMTP, **fields):
    settings = {"host": smtp.host, "port": str(smtp.port), "from_address": FROM}
    if smtp.security == "none":
        settings["security"] = "none"
    else:
        settings |= {"security": smtp.security, "ca_file": smtp.ca_file}
    if smtp.users:
        login, password = next(iter(smtp.users.items()))
        settings |= {"username": login, "password": password}
    return create_account(org, "email", settings, **fields)


def post_webhook(client, fake: FakeWhatsApp, payload, *, signed: bool = True, secret=None):
    raw = json.dumps(payload, separators=(",", ":")).encode()
    headers = {}
    if signed:
        headers["HTTP_X_HUB_SIGNATURE_256"] = signature(raw, secret or fake.app_secret)
    return client.post("/hooks/whatsapp", raw, content_type="application/json", **headers)


def publish(announcement: Announcement) -> Announcement:
    Announcement.objects.filter(pk=announcement.pk).update(status="approved")
    publish_announcement(announcement.pk)
    announcement.refresh_from_db()
    return announcement
