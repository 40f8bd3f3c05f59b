"""WhatsApp through the gateway, against the local Cloud API fake: the text inside the 24-hour
window, the approved UTILITY template outside it, one message per number, the signed webhook
(handshake, statuses forward only, STOP and replies, template changes), the fallback to SMS."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from gateway import registry
from gateway.audience import suppression
from gateway.messaging.whatsapp import sync_templates
from gateway.models import (
    Consent,
    Delivery,
    InboundMessage,
    WebhookEvent,
    WhatsAppTemplate,
)
from gateway.registry import channels
from gateway.tasks.delivery import UNKNOWN_OUTCOME, deliver_batch
from tests.factories import create_announcement, create_api_key, create_citizen, create_organisation
from tests.fakes.twilio import FakeTwilio
from tests.fakes.whatsapp import FakeWhatsApp
from tests.gateway.messaging import TEMPLATES, post_webhook, publish, whatsapp_account

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def fake():
    with FakeWhatsApp(templates=list(TEMPLATES), pair_interval=0) as fake:
        yield fake


@pytest.fixture
def twilio(settings):
    with FakeTwilio() as fake:
        settings.TWILIO_ACCOUNT_SID = fake.account_sid
        settings.TWILIO_AUTH_TOKEN = fake.auth_token
        settings.TWILIO_FROM_NUMBER = "+33700000001"
        settings.TWILIO_BASE_URL = fake.base_url
        channels.cache_clear()
        yield fake
    channels.cache_clear()


def town(fake):
    org = create_organisation(name="Mairie de Saint-Crieur")
    account = whatsapp_account(org, fake)
    sync_templates(account)
    return org, account


def test_text_inside_the_window_template_outside_one_message_per_number(fake):
    org, _ = town(fake)
    chatting = create_citizen(
        org,
        channels=("whatsapp",),
        phone="+33612340001",
        whatsapp_window_until=timezone.now() + timedelta(hours=3),
    )
    quiet = create_citizen(org, channels=("whatsapp",), phone="+33612340002", language="en")
    create_citizen(org, channels=("whatsapp",), phone=quiet.phone)  # same household phone
    closed = create_citizen(
        org,
        channels=("whatsapp",),
        phone="+33612340003",
        whatsapp_window_until=timezone.now() - timedelta(minutes=1),
    )
    announcement = publish(create_announcement(org))

    by_to = {m["to"]: m for m in fake.messages}
    assert sorted(by_to) == sorted([chatting.phone, quiet.phone, closed.phone])
    assert len(fake.messages) == 3
    text = by_to[chatting.phone]
    assert text["type"] == "text"
    assert text["text"]["body"].startswith("*Coupure d’eau rue des Lilas*")
    assert "répondez STOP" in text["text"]["body"]
    template = by_to[quiet.phone]["template"]
    assert template["name"] == "crieur_annonce" and template["language"] == {"code": "en"}
    values = [p["text"] for p in template["components"][0]["parameters"]]
    assert values[0] == "Water cut on Rue des Lilas"
    assert values[2] == f"http://127.0.0.1:8000/v/{announcement.verification_code}"
    assert by_to[closed.phone]["template"]["language"] == {"code": "fr"}
    keys = {m["callback_data"] for m in fake.messages}
    mine = Delivery.objects.filter(announcement=announcement, channel="whatsapp")
    assert keys == {d.idempotency_key for d in mine if d.status == "sent"}
    assert {d.provider_ref for d in mine if d.status == "sent"} == {m["id"] for m in fake.messages}
    # Both forms are archived per language, as sent.
    forms = set(announcement.renditions.values_list("form", "locale"))
    assert {
        ("whatsapp_text", "fr"),
        ("whatsapp_template", "fr"),
        ("whatsapp_template", "en"),
    } <= forms


def test_statuses_move_deliveries_forward_only_and_unsigned_calls_change_nothing(fake, twilio):
    org, _ = town(fake)
    citizen = create_citizen(org, channels=("whatsapp", "sms"), phone="+33612340011")
    announcement = publish(create_announcement(org))
    (message,) = fake.messages
    delivery = Delivery.objects.get(announcement=announcement, channel="whatsapp")
    client = Client()

    refused = post_webhook(client, fake, fake.status_payload(message, "delivered"), signed=False)
    assert refused.status_code == 403
    forged = post_webhook(client, fake, fake.status_payload(message, "delivered"), secret="x" * 32)
    assert forged.status_code == 403
    delivery.refresh_from_db()
    assert delivery.status == "sent" and not WebhookEvent.objects.exists()

    assert post_webhook(client, fake, fake.status_payload(message, "read")).status_code == 200
    delivery.refresh_from_db()
    assert delivery.status == "delivered" and delivery.delivered_at is not None
    # A late `sent`, and a `failed` after delivery, move nothing back; nothing is kept.
    post_webhook(client, fake, fake.status_payload(message, "sent"))
    post_webhook(client, fake, fake.status_payload(message, "failed", 131026))
    delivery.refresh_from_db()
    assert delivery.status == "delivered"
    assert not WebhookEvent.objects.exists()
    assert twilio.messages == [] and citizen.deliveries.count() == 1


def test_outside_the_window_a_failed_text_falls_back_to_sms(fake, twilio):
    org, _ = town(fake)
    citizen = create_citizen(
        org,
        channels=("whatsapp", "voice", "sms"),
        phone="+33612340021",
        whatsapp_window_until=timezone.now() + timedelta(hours=1),
    )
    announcement = publish(create_announcement(org))
    (message,) = fake.messages
    assert message["type"] == "text"
    # Meta says the window had closed after all (131047): the SMS goes, not the call.
    post_webhook(Client(), fake, fake.status_payload(message, "failed", 131047))
    whatsapp = Delivery.objects.get(announcement=announcement, channel="whatsapp")
    assert whatsapp.status == "failed" and "131047" in whatsapp.last_error
    assert sorted(citizen.deliveries.values_list("channel", flat=True)) == ["sms", "whatsapp"]
    assert [m["to"] for m in twilio.messages] == [citizen.phone]


def test_without_an_approved_template_the_preview_warns_and_citizens_get_their_next_channel(
    fake, twilio
):
    fake.templates = [t for t in fake.templates if t["category"] == "MARKETING"]
    org, _ = town(fake)
    citizen = create_citizen(org, channels=("whatsapp", "sms"), phone="+33612340031")
    announcement = create_announcement(org)
    key = create_api_key(org)
    preview = (
        Client()
        .get(f"/api/announcements/{announcement.pk}/preview", HTTP_AUTHORIZATION=f"Bearer {key}")
        .json()
    )
    assert any(
        w.startswith("whatsapp_template: no UTILITY template in 'fr'") for w in preview["warnings"]
    )
    assert "whatsapp_text" in {r["form"] for r in preview["renditions"]}
    publish(announcement)
    assert fake.messages == []  # a marketing template never carries an announcement
    whatsapp = Delivery.objects.get(announcement=announcement, channel="whatsapp")
    assert whatsapp.status == "failed" and "UTILITY" in whatsapp.last_error
    assert [m["to"] for m in twilio.messages] == [citizen.phone]


def test_the_preview_warns_when_a_language_has_no_template(fake):
    fake.templates = [t for t in fake.templates if t["language"] == "fr"]
    org, _ = town(fake)
    create_citizen(org, channels=("whatsapp",), phone="+33612340041", language="en")
    announcement = create_announcement(org)
    key = create_api_key(org)
    preview = (
        Client()
        .get(
            f"/api/announcements/{announcement.pk}/preview?locale=en",
            HTTP_AUTHORIZATION=f"Bearer {key}",
        )
        .json()
    )
    assert (
        "whatsapp_template: no approved template in 'en'; citizens outside their 24-hour window "
        "get the 'fr' one"
    ) in preview["warnings"]
    template = next(r for r in preview["renditions"] if r["form"] == "whatsapp_template")
    assert template["locale"] == "fr" and "Coupure d’eau" in template["text"]


def test_handshake_answers_only_the_accounts_verify_token(fake):
    org, _ = town(fake)
    client = Client()
    params = {
        "hub.mode": "subscribe",
        "hub.challenge": "1158201444",
        "hub.verify_token": fake.verify_token,
    }
    answer = client.get("/hooks/whatsapp", params)
    assert answer.status_code == 200 and answer.content == b"1158201444"
    wrong = client.get("/hooks/whatsapp", {**params, "hub.verify_token": "not-the-token-at-all"})
    assert wrong.status_code == 403


def test_stop_by_whatsapp_withdraws_that_consent_once_opens_the_window_and_replies_once(fake):
    org, _ = town(fake)
    citizen = create_citizen(org, channels=("whatsapp", "sms"), phone="+33612340051")
    payload = fake.inbound_payload(citizen.phone, "  Arrêt ")
    client = Client()
    assert post_webhook(client, fake, payload).status_code == 200
    assert post_webhook(client, fake, payload).status_code == 200  # Meta retries
    consent = Consent.objects.get(citizen=citizen, channel="whatsapp")
    assert not consent.granted and consent.source == "whatsapp"
    wamid = payload["entry"][0]["changes"][0]["value"]["messages"][0]["id"]
    assert wamid in consent.evidence
    assert Consent.objects.get(citizen=citizen, channel="sms").granted  # SMS is another channel
    assert suppression.is_suppressed(org, citizen.phone, "whatsapp")
    assert InboundMessage.objects.filter(channel="whatsapp", provider_ref=wamid).count() == 1
    citizen.refresh_from_db()
    assert citizen.whatsapp_window_until > timezone.now() + timedelta(hours=23)
    (reply,) = fake.messages
    assert reply["type"] == "text" and reply["to"] == citizen.phone
    assert reply["text"]["body"].startswith("Vous ne recevrez plus nos messages WhatsApp")
    announcement = publish(create_announcement(org))
    assert not Delivery.objects.filter(announcement=announcement, channel="whatsapp").exists()


def test_join_from_an_unknown_number_subscribes_it_with_evidence(fake):
    org, _ = town(fake)
    post_webhook(Client(), fake, fake.inbound_payload("+33612340061", "INSCRIPTION TRAVAUX"))
    consent = Consent.objects.get(citizen__phone="+33612340061", channel="whatsapp")
    assert consent.granted and consent.source == "whatsapp"
    assert "Inscription confirmée" in fake.messages[0]["text"]["body"]


def test_template_webhooks_update_the_organisations_templates(fake):
    org, account = town(fake)
    row = WhatsAppTemplate.objects.get(organisation=org, name="crieur_annonce", language="fr")
    assert row.status == "APPROVED" and row.parameters == ["title", "summary", "link"]
    payload = {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": fake.waba_id,
                "changes": [
                    {
                        "field": "message_template_status_update",
                        "value": {
                            "event": "PAUSED",
                            "message_template_name": "crieur_annonce",
                            "message_template_language": "fr",
                            "reason": "LOW_QUALITY",
                        },
                    }
                ],
            }
        ],
    }
    assert post_webhook(Client(), fake, payload, signed=False).status_code == 403
    assert post_webhook(Client(), fake, payload).status_code == 200
    row.refresh_from_db()
    assert row.status == "PAUSED"


def test_after_a_lost_reply_the_message_is_not_sent_again_once_meta_reports_it(fake, monkeypatch):
    org, _ = town(fake)
    citizen = create_citizen(org, channels=("whatsapp",), phone="+33612340071")
    fake.fail_next("timeout_after_accept", delay=1.5)
    monkeypatch.setattr(registry, "internal_settings", lambda kind, test=False: {"timeout": 0.5})
    # Inline tasks cannot wait for a countdown: the retries are run by hand below.
    queue = deliver_batch.apply_async
    retries = []

    def apply_async(args, queue=None, **options):
        return retries.append(args) if queue == "retry" else deliver_batch(*args)

    monkeypatch.setattr(deliver_batch, "apply_async", apply_async)
    announcement = publish(create_announcement(org))
    assert retries and queue
    delivery = Delivery.objects.get(announcement=announcement, citizen=citizen)
    assert delivery.last_error == UNKNOWN_OUTCOME
    (message,) = fake.messages  # Meta did take it
    # Retried at once: no status yet, so it waits instead of sending blind.
    deliver_batch([delivery.pk])
    assert len(fake.messages) == 1
    delivery.refresh_from_db()
    assert delivery.status == "planned" and delivery.last_error == UNKNOWN_OUTCOME
    # Meta's `sent` status names the delivery by its key: the retry adopts that message.
    post_webhook(Client(), fake, fake.status_payload(message, "sent"))
    deliver_batch([delivery.pk])
    delivery.refresh_from_db()
    assert delivery.status == "sent" and delivery.provider_ref == message["id"]
    assert len(fake.messages) == 1
