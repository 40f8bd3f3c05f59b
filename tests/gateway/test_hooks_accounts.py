"""Twilio webhooks of an organisation with its own Twilio account: signed with that account's
token, never another organisation's; its texts found by the account's number."""

from __future__ import annotations

import pytest
from django.test import Client
from lxml import etree
from twilio.request_validator import RequestValidator

from gateway.models import Delivery, DeliveryStatus, InboundMessage
from tests.factories import create_account, create_announcement, create_citizen, create_organisation

pytestmark = pytest.mark.django_db

PUBLIC = "https://crieur.example.org"
NUMBER = "+33757000011"


@pytest.fixture(autouse=True)
def _public(settings):
    settings.PUBLIC_URL = PUBLIC
    settings.TWILIO_AUTH_TOKEN = "instance-token"


def twilio_account(org, token: str, number: str = NUMBER):
    settings = {
        "account_sid": "AC" + "e" * 32,
        "auth_token": token,
        "from_number": number,
        "base_url": "http://127.0.0.1:1",  # nothing listens: the price fetch is refused at once
    }
    return create_account(org, "twilio", settings)


def signed_post(path: str, params: dict, token: str):
    signature = RequestValidator(token).compute_signature(PUBLIC + path, params)
    return Client().post(path, params, HTTP_X_TWILIO_SIGNATURE=signature)


def sent_sms(org):
    citizen = create_citizen(org, channels=("sms",))
    return Delivery.objects.create(
        announcement=create_announcement(org, urgency="urgent"),
        citizen=citizen,
        channel="sms",
        locale="fr",
        status=DeliveryStatus.SENT,
        provider_ref="SM" + "f" * 32,
    )


def test_a_callback_is_checked_with_the_token_of_the_account_that_sent(settings):
    ours, theirs = create_organisation(), create_organisation()
    twilio_account(ours, "our-token")
    twilio_account(theirs, "their-token", "+33757000022")
    delivery = sent_sms(ours)
    path = f"/hooks/twilio/status?d={delivery.idempotency_key}"
    params = {"MessageSid": delivery.provider_ref, "MessageStatus": "delivered"}
    for token in ("their-token", "instance-token"):  # another organisation's account, ours not
        assert signed_post(path, params, token).status_code == 403
    delivery.refresh_from_db()
    assert delivery.status == "sent"
    assert signed_post(path, params, "our-token").status_code == 200
    delivery.refresh_from_db()
    assert delivery.status == "delivered"


def test_an_organisation_without_account_keeps_the_instance_token():
    delivery = sent_sms(create_organisation())
    path = f"/hooks/twilio/status?d={delivery.idempotency_key}"
    params = {"MessageSid": delivery.provider_ref, "MessageStatus": "delivered"}
    assert signed_post(path, params, "instance-token").status_code == 200


def test_a_text_to_the_accounts_number_reaches_its_organisation():
    ours = create_organisation()
    create_organisation()  # two organisations: the number must tell them apart
    twilio_account(ours, "our-token")
    params = {"MessageSid": "SM" + "1" * 32, "From": "+33611111111", "To": NUMBER, "Body": "AIDE"}
    assert signed_post("/hooks/twilio/sms", params, "instance-token").status_code == 403
    reply = signed_post("/hooks/twilio/sms", params, "our-token")
    assert reply.status_code == 200
    assert etree.fromstring(reply.content).find("Message").text  # the help text
    (received,) = InboundMessage.objects.all()
    assert received.organisation == ours and received.body == "AIDE"
