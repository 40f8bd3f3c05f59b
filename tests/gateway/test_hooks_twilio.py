"""Twilio webhooks: signed status callbacks, the TwiML of a call and its keypad menu."""

from __future__ import annotations

import pytest
import requests
from django.db import transaction
from django.test import Client
from lxml import etree
from twilio.request_validator import RequestValidator

from gateway.models import AuditEvent, Consent, Delivery, DeliveryStatus
from gateway.publishing import publish
from gateway.registry import channels
from tests.factories import create_announcement, create_citizen, create_organisation
from tests.fakes.twilio import FakeTwilio

pytestmark = pytest.mark.django_db

TOKEN = "hook-test-token"
PUBLIC = "https://crieur.example.org"


@pytest.fixture(autouse=True)
def _twilio_settings(settings):
    settings.TWILIO_AUTH_TOKEN = TOKEN
    settings.PUBLIC_URL = PUBLIC


def post(path: str, params: dict, *, signature: str | None = None, sign_url: str | None = None):
    """POST `params` to `path` signed like Twilio (on the public URL unless told otherwise)."""
    if signature is None:
        signature = RequestValidator(TOKEN).compute_signature(sign_url or PUBLIC + path, params)
    headers = {"HTTP_X_TWILIO_SIGNATURE": signature} if signature else {}
    return Client().post(path, params, **headers)


def make_delivery(channel="sms", status=DeliveryStatus.SENT, ref="SM" + "a" * 32, **citizen):
    org = create_organisation()
    citizen = create_citizen(org, **{"channels": ("sms", "voice"), **citizen})
    announcement = create_announcement(org, urgency="urgent")
    return Delivery.objects.create(
        announcement=announcement,
        citizen=citizen,
        channel=channel,
        locale=citizen.language,
        status=status,
        provider_ref=ref,
    )


def sms_status(delivery, status, **extra):
    params = {"MessageSid": delivery.provider_ref, "MessageStatus": status, **extra}
    return post("/hooks/twilio/status?d=" + delivery.idempotency_key, params)


def state(delivery):
    delivery.refresh_from_db()
    return delivery.status, delivery.delivered_at, delivery.last_error, delivery.updated_at


def xml(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/xml")
    return etree.fromstring(response.content)


# status callbacks ---------------------------------------------------------------------------


def test_delivered_status_marks_the_delivery_delivered():
    delivery = make_delivery()
    response = sms_status(delivery, "delivered")
    assert xml(response).tag == "Response" and len(xml(response)) == 0
    status, delivered_at, _, _ = state(delivery)
    assert status == "delivered" and delivered_at is not None


def test_a_late_sent_never_moves_a_delivered_delivery_back_and_a_replay_changes_nothing():
    delivery = make_delivery()
    sms_status(delivery, "delivered")
    after = state(delivery)
    assert sms_status(delivery, "sent").status_code == 200
    assert sms_status(delivery, "delivered").status_code == 200
    assert sms_status(delivery, "undelivered", ErrorCode="30003").status_code == 200
    assert state(delivery) == after


def test_sent_moves_only_a_delivery_still_sending():
    delivery = make_delivery(status=DeliveryStatus.SENDING)
    sms_status(delivery, "queued")
    assert state(delivery)[0] == "sent"


def test_undelivered_records_the_error_and_starts_the_fallback():
    delivery = make_delivery()
    sms_status(delivery, "undelivered", ErrorCode="30003")
    status, _, error, _ = state(delivery)
    assert (status, error) == ("undelivered", "twilio 30003")
    voice = Delivery.objects.get(citizen=delivery.citizen, channel="voice")
    assert voice.announcement_id == delivery.announcement_id
    before = Delivery.objects.count()
    sms_status(delivery, "undelivered", ErrorCode="30003")  # replay: no second fallback
    assert Delivery.objects.count() == before


def test_failed_sms_is_failed():
    delivery = make_delivery()
    sms_status(delivery, "failed", ErrorCode="30006")
    assert state(delivery)[:3:2] == ("failed", "twilio 30006")


@pytest.mark.parametrize(
    ("reported", "expected"),
    [("completed", "delivered"), ("busy", "failed"), ("no-answer", "failed"), ("ringing", "sent")],
)
def test_call_statuses(reported, expected):
    delivery = make_delivery(channel="voice", ref="CA" + "b" * 32)
    params = {"CallSid": delivery.provider_ref, "CallStatus": reported}
    assert post("/hooks/twilio/status", params).status_code == 200
    assert state(delivery)[0] == expected


def test_unknown_sid_is_answered_200_and_changes_nothing():
    delivery = make_delivery()
    before = state(delivery)
    params = {"MessageSid": "SM" + "f" * 32, "MessageStatus": "failed", "ErrorCode": "30003"}
    response = post("/hooks/twilio/status", params)
    assert response.status_code == 200 and len(xml(response)) == 0
    assert state(delivery) == before
    assert Delivery.objects.count() == 1


def test_a_callback_that_overtakes_the_workers_record_is_found_by_the_key_in_its_url():
    from channels.base import Receipt
    from gateway.tasks.delivery import Outcome, record

    delivery = make_delivery(status=DeliveryStatus.SENDING, ref="")
    sid = "SM" + "c" * 32
    params = {"MessageSid": sid, "MessageStatus": "delivered"}
    post("/hooks/twilio/status?d=" + delivery.idempotency_key, params)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.provider_ref) == ("delivered", sid)
    record(Outcome(sent=[(delivery.pk, Receipt(provider_ref=sid, status="queued"), "twilio_sms")]))
    assert state(delivery)[0] == "delivered"  # the worker's late "sent" does not undo it


def test_a_key_naming_another_message_is_not_trusted():
    delivery = make_delivery()
    other = "SM" + "d" * 32
    params = {"MessageSid": other, "MessageStatus": "failed", "ErrorCode": "30003"}
    post("/hooks/twilio/status?d=" + delivery.idempotency_key, params)
    assert state(delivery)[0] == "sent"


@pytest.mark.parametrize(
    "sequence",
    [
        ["sent", "delivered"],
        ["delivered", "sent"],
        ["delivered", "delivered", "sent", "sent", "delivered"],
        ["sent", "sent", "delivered", "queued"],
        ["queued", "delivered", "undelivered", "failed", "sent"],
    ],
)
def test_replayed_duplicated_and_out_of_order_callbacks_end_delivered(sequence):
    delivery = make_delivery(status=DeliveryStatus.SENDING)
    for reported in sequence:
        assert sms_status(delivery, reported, ErrorCode="30003").status_code == 200
    assert state(delivery)[0] == "delivered"
    assert Delivery.objects.filter(citizen=delivery.citizen).count() == 1


@pytest.mark.parametrize(
    "sequence",
    [
        ["sent", "undelivered"],
        ["undelivered", "sent"],
        ["undelivered", "undelivered", "delivered", "sent"],
        ["queued", "sent", "undelivered", "sent", "undelivered"],
    ],
)
def test_replayed_and_out_of_order_failures_end_undelivered_with_one_fallback(sequence):
    delivery = make_delivery(status=DeliveryStatus.SENDING)
    for reported in sequence:
        sms_status(delivery, reported, ErrorCode="30003")
    assert state(delivery)[0] == "undelivered"
    rows = Delivery.objects.filter(citizen=delivery.citizen).exclude(pk=delivery.pk)
    assert list(rows.values_list("channel", flat=True)) == ["voice"]


# signatures ---------------------------------------------------------------------------------


def params_of(delivery):
    return {"MessageSid": delivery.provider_ref, "MessageStatus": "delivered"}


@pytest.mark.parametrize(
    "attack",
    ["wrong", "other_url", "internal_host", "tampered", "missing", "no_token"],
)
def test_unsigned_or_badly_signed_requests_are_refused(attack, settings):
    delivery = make_delivery()
    before = state(delivery)
    params = params_of(delivery)
    path = "/hooks/twilio/status"
    if attack == "wrong":
        response = post(path, params, signature="bm90IGEgc2lnbmF0dXJl")
    elif attack == "other_url":
        response = post(path, params, sign_url=PUBLIC + "/hooks/twilio/voice/1")
    elif attack == "internal_host":
        response = post(path, params, sign_url="http://testserver" + path)
    elif attack == "tampered":
        signature = RequestValidator(TOKEN).compute_signature(
            PUBLIC + path, {**params, "MessageStatus": "sent"}
        )
        response = post(path, params, signature=signature)
    elif attack == "missing":
        response = post(path, params, signature="")
    else:
        settings.TWILIO_AUTH_TOKEN = ""
        response = post(path, params)
    assert response.status_code == 403
    assert state(delivery) == before


def test_signature_covers_the_query_string():
    delivery = make_delivery()
    params = params_of(delivery)
    response = post("/hooks/twilio/status?d=x", params, sign_url=PUBLIC + "/hooks/twilio/status")
    assert response.status_code == 403
    assert state(delivery)[0] == "sent"


@pytest.mark.parametrize("path", ["/hooks/twilio/status", "/hooks/twilio/voice/1"])
def test_get_is_not_allowed(path):
    assert Client().get(path).status_code == 405


# the call -----------------------------------------------------------------------------------


def voice_delivery(**citizen):
    return make_delivery(channel="voice", ref="CA" + "c" * 32, **citizen)


def test_the_call_says_the_announcement_in_the_citizens_language_then_the_menu():
    delivery = voice_delivery(language="en")
    response = post(f"/hooks/twilio/voice/{delivery.pk}", {"CallSid": delivery.provider_ref})
    root = xml(response)
    assert root.tag == "Response"
    says = root.findall(".//Say")
    assert says and {(s.get("language"), s.get("voice")) for s in says} == {
        ("en-GB", says[0].get("voice"))
    }
    assert says[0].get("voice")
    assert any("Water" in s.text for s in says)
    (gather,) = root.findall("Gather")
    assert gather.get("action") == f"{PUBLIC}/hooks/twilio/voice/{delivery.pk}/menu"
    assert (gather.get("input"), gather.get("numDigits"), gather.get("method")) == (
        "dtmf",
        "1",
        "POST",
    )
    assert root[-1].tag == "Hangup"


def test_french_call_uses_a_french_voice():
    delivery = voice_delivery(language="fr")
    root = xml(post(f"/hooks/twilio/voice/{delivery.pk}", {"CallSid": delivery.provider_ref}))
    assert {s.get("language") for s in root.iter("Say")} == {"fr-FR"}


def test_an_answering_machine_hears_the_message_once_without_a_menu():
    delivery = voice_delivery()
    params = {"CallSid": delivery.provider_ref, "AnsweredBy": "machine_end_beep"}
    root = xml(post(f"/hooks/twilio/voice/{delivery.pk}", params))
    assert root.find(".//Gather") is None
    assert root.find("Say") is not None and root[-1].tag == "Hangup"


def test_unknown_or_non_voice_delivery_is_404():
    sms = make_delivery()
    assert post("/hooks/twilio/voice/999999", {}).status_code == 404
    assert post(f"/hooks/twilio/voice/{sms.pk}", {}).status_code == 404
    assert post(f"/hooks/twilio/voice/{sms.pk}/menu", {"Digits": "2"}).status_code == 404


def menu(delivery, digits):
    return post(f"/hooks/twilio/voice/{delivery.pk}/menu", {"Digits": digits})


@pytest.mark.parametrize("digits", ["1", "7", ""])
def test_repeat_and_unknown_keys_say_again_and_offer_the_menu(digits):
    delivery = voice_delivery()
    root = xml(menu(delivery, digits))
    (gather,) = root.findall("Gather")
    assert gather.get("action") == f"{PUBLIC}/hooks/twilio/voice/{delivery.pk}/menu"
    delivery.refresh_from_db()
    assert delivery.confirmed_at is None
    assert Consent.objects.get(citizen=delivery.citizen, channel="voice").granted
    assert not AuditEvent.objects.filter(action__in=("delivery.confirmed", "consent.withdrawn"))


def test_two_confirms_receipt_once():
    delivery = voice_delivery()
    root = xml(menu(delivery, "2"))
    assert root.find("Gather") is None and root[-1].tag == "Hangup"
    delivery.refresh_from_db()
    first = delivery.confirmed_at
    assert first is not None
    xml(menu(delivery, "2"))  # replayed
    delivery.refresh_from_db()
    assert delivery.confirmed_at == first
    (event,) = AuditEvent.objects.filter(action="delivery.confirmed")
    assert event.object_id == str(delivery.pk)
    assert delivery.citizen.phone not in str(event.data)


def test_zero_withdraws_the_voice_consent_once():
    delivery = voice_delivery()
    root = xml(menu(delivery, "0"))
    assert root.find("Gather") is None
    consent = Consent.objects.get(citizen=delivery.citizen, channel="voice")
    assert (consent.granted, consent.source) == (False, "voice")
    assert "voice menu 0" in consent.evidence
    xml(menu(delivery, "0"))
    assert Consent.objects.get(pk=consent.pk).at == consent.at
    (event,) = AuditEvent.objects.filter(action="consent.withdrawn")
    assert delivery.citizen.phone not in str(event.data)
    assert Consent.objects.get(citizen=delivery.citizen, channel="sms").granted


def test_menu_with_a_bad_signature_records_nothing():
    delivery = voice_delivery()
    path = f"/hooks/twilio/voice/{delivery.pk}/menu"
    assert post(path, {"Digits": "0"}, signature="bad").status_code == 403
    assert post(path, {"Digits": "2"}, sign_url=PUBLIC + path + "x").status_code == 403
    delivery.refresh_from_db()
    assert delivery.confirmed_at is None
    assert Consent.objects.get(citizen=delivery.citizen, channel="voice").granted


# end to end -----------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_call_through_fake_twilio_fetches_its_twiml_and_reports_back(settings, live_server):
    settings.PUBLIC_URL = live_server.url
    with FakeTwilio() as fake:
        settings.TWILIO_ACCOUNT_SID = fake.account_sid
        settings.TWILIO_AUTH_TOKEN = fake.auth_token
        settings.TWILIO_FROM_NUMBER = "+33700000001"
        settings.TWILIO_BASE_URL = fake.base_url
        channels.cache_clear()
        org = create_organisation()
        citizen = create_citizen(org, channels=("voice",), is_mobile=False)
        with transaction.atomic():
            publish(create_announcement(org))
        delivery = Delivery.objects.get(citizen=citizen)
        (call,) = fake.calls
        assert call["_url"] == f"{live_server.url}/hooks/twilio/voice/{delivery.pk}"
        assert call["_twiml"] is None
        # Twilio fetches the TwiML from the URL, signed with the account's token.
        params = {"CallSid": call["sid"], "AnsweredBy": "human"}
        signature = RequestValidator(fake.auth_token).compute_signature(call["_url"], params)
        reply = requests.post(
            call["_url"], data=params, headers={"X-Twilio-Signature": signature}, timeout=5
        )
        assert reply.status_code == 200
        assert etree.fromstring(reply.content).find("Gather") is not None
        assert fake.send_status_callback(call["sid"], "completed") == 200
        delivery.refresh_from_db()
        assert delivery.status == "delivered"
    channels.cache_clear()
