"""Issue 14, what citizens send us: a replayed text changes nothing and gets the same answer
(6); GDPR export, erasure and retention of inbound messages (10); NUL bytes and other hostile
text in every hook and public form never give a 500 nor drop a STOP, on both databases (18)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
import requests
from django.db import IntegrityError, transaction
from django.test import Client
from django.utils import timezone
from twilio.request_validator import RequestValidator

from gateway.models import AuditEvent, Consent, Delivery, InboundMessage
from gateway.tasks.periodic import purge_delivery_details
from tests.factories import (
    create_announcement,
    create_api_key,
    create_citizen,
    create_organisation,
)
from tests.gateway.audience import (
    PUBLIC,
    SENDER,
    SIGN_UP,
    TOKEN,
    api_client,
    new_sid,
    text,
    twilio_post,
)
from tests.gateway.serverproc import ServerProcess

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_buckets")]
PHONE = "+33611111111"


@pytest.fixture(autouse=True)
def _twilio(settings):
    settings.TWILIO_AUTH_TOKEN = TOKEN
    settings.PUBLIC_URL = PUBLIC


@pytest.fixture
def org():
    return create_organisation(sms_sender=SENDER)


def answer(response) -> str:
    assert response.status_code == 200, response.content
    return response.content.decode()


# item 6 ---------------------------------------------------------------------------------------


def test_item6_a_replayed_text_changes_nothing_and_gets_the_same_answer(org):
    citizen = create_citizen(org, phone=PHONE, channels=("sms",), topics=())
    sid = new_sid()
    first = answer(text("INSCRIPTION TRAVAUX", phone=PHONE, sid=sid))
    state = (
        InboundMessage.objects.count(),
        AuditEvent.objects.count(),
        list(citizen.topics.values_list("slug", flat=True)),
    )
    text("STOP", phone=PHONE)  # the citizen moves on
    for _ in range(3):
        assert answer(text("INSCRIPTION TRAVAUX", phone=PHONE, sid=sid)) == first
    assert InboundMessage.objects.filter(provider_ref=sid).count() == 1
    assert not Consent.objects.get(
        citizen=citizen, channel="sms"
    ).granted  # the replay re-joined nothing
    assert AuditEvent.objects.count() == state[1] + 1  # the STOP only


def test_item6_inbound_messages_are_unique_by_provider_id(org):
    InboundMessage.objects.create(organisation=org, body="a", provider_ref="SM1")
    with pytest.raises(IntegrityError), transaction.atomic():
        InboundMessage.objects.create(organisation=org, body="a", provider_ref="SM1")
    InboundMessage.objects.create(organisation=org, body="no id", provider_ref="")
    InboundMessage.objects.create(organisation=org, body="no id", provider_ref="")


@pytest.mark.django_db(transaction=True)
def test_item6_parallel_replays_against_a_running_server_are_stored_once(tmp_path, settings):
    org = create_organisation(sms_sender=SENDER)
    server = ServerProcess(tmp_path / "data", settings.OUTBOX_DIR, TWILIO_AUTH_TOKEN=TOKEN).start()
    try:
        params = {"MessageSid": new_sid(), "From": PHONE, "To": SENDER, "Body": "INSCRIPTION EAU"}
        url = server.url + "/hooks/twilio/sms"
        signature = RequestValidator(TOKEN).compute_signature(url, params)

        def deliver(_):
            reply = requests.post(url, data=params, headers={"X-Twilio-Signature": signature})
            return reply.status_code, reply.text

        with ThreadPoolExecutor(max_workers=8) as pool:
            replies = list(pool.map(deliver, range(8)))
    finally:
        output = server.stop()
    assert "Traceback" not in output, output
    assert {status for status, _ in replies} == {200}
    assert len({body for _, body in replies}) == 1, replies
    assert InboundMessage.objects.filter(organisation=org).count() == 1
    assert AuditEvent.objects.filter(action="consent.granted").count() == 1


# item 10 --------------------------------------------------------------------------------------


def test_item10_export_includes_inbound_messages_and_erase_removes_their_bodies(org):
    admin = api_client(create_api_key(org))
    citizen = create_citizen(org, phone=PHONE, channels=("sms",))
    announcement = create_announcement(org)
    Delivery.objects.create(
        announcement=announcement, citizen=citizen, channel="sms", locale="fr", status="delivered"
    )
    text("Merci, je serai chez ma fille au 3 rue Haute", phone=PHONE)
    exported = admin.get(f"/api/citizens/{citizen.reference}/export").json()
    [message] = exported["inbound_messages"]
    assert message["body"] == "Merci, je serai chez ma fille au 3 rue Haute"
    assert message["announcement"] == announcement.pk and message["channel"] == "sms"
    assert admin.post(f"/api/citizens/{citizen.reference}/erase").status_code == 200
    replies = admin.get("/api/replies").json()["items"]
    assert [r["body"] for r in replies] == [""]
    assert "3 rue Haute" not in str(list(InboundMessage.objects.values()))


def test_item10_inbound_retention_is_purged_by_the_periodic_purge(org, settings):
    settings.INBOUND_RETENTION_DAYS = 30
    old = InboundMessage.objects.create(
        organisation=org,
        body="vieux",
        provider_ref="SM-old",
        received_at=timezone.now() - timedelta(days=31),
    )
    new = InboundMessage.objects.create(organisation=org, body="récent", provider_ref="SM-new")
    purge_delivery_details.apply()
    old.refresh_from_db(), new.refresh_from_db()
    assert old.body == "" and new.body == "récent"


# item 18 --------------------------------------------------------------------------------------

HOSTILE = ["\x00", "a\x00b", "\u202e\u200b", "\ud7ff" * 3, "x" * 5000, "'; DROP TABLE x; --"]


@pytest.mark.parametrize("hostile", HOSTILE)
def test_item18_a_stop_with_hostile_text_is_never_dropped(org, hostile):
    citizen = create_citizen(org, phone=PHONE, channels=("sms",))
    params = {
        "MessageSid": new_sid() + hostile,
        "From": PHONE,
        "To": SENDER + hostile,
        "Body": "STOP" + hostile,
    }
    response = twilio_post("/hooks/twilio/sms", params)
    assert response.status_code == 200
    if not hostile[0].isalnum():  # still a STOP once the noise is gone
        assert not Consent.objects.get(citizen=citizen, channel="sms").granted


@pytest.mark.parametrize("hostile", HOSTILE)
@pytest.mark.parametrize(
    ("path", "fields"),
    [
        ("/hooks/twilio/status", ["MessageSid", "MessageStatus", "ErrorCode"]),
        ("/hooks/twilio/status", ["CallSid", "CallStatus"]),
        ("/hooks/twilio/sms", ["MessageSid", "From", "To", "Body"]),
        ("/hooks/twilio/voice/{delivery}", ["AnsweredBy", "CallSid"]),
        ("/hooks/twilio/voice/{delivery}/menu", ["Digits", "CallSid"]),
    ],
)
def test_item18_hostile_text_in_every_hook_field_is_never_a_500(org, hostile, path, fields):
    citizen = create_citizen(org, phone=PHONE, channels=("sms", "voice"))
    delivery = Delivery.objects.create(
        announcement=create_announcement(org),
        citizen=citizen,
        channel="voice",
        locale="fr",
        status="sent",
    )
    path = path.format(delivery=delivery.pk)
    for field in fields:
        params = {name: "x" for name in fields}
        params[field] = hostile
        assert twilio_post(path, params).status_code < 500, (path, field)


FORM_FIELDS = [
    "name",
    "phone",
    "address1",
    "address2",
    "postcode",
    "city",
    "language",
    "channels",
    "topics",
    "area",
    "consent",
]


@pytest.mark.parametrize("hostile", HOSTILE)
def test_item18_hostile_text_in_every_public_form_field_is_never_a_500(org, hostile):
    from gateway.public.signup import preferences_url

    for field in FORM_FIELDS:
        response = Client().post("/inscription/", {**SIGN_UP, field: hostile})
        assert response.status_code in (302, 422, 429), (field, response.status_code)
    for query in ("lang", "commune"):
        assert Client().get(f"/inscription/?{query}={hostile}").status_code < 500
        assert Client().post(f"/inscription/?{query}={hostile}", SIGN_UP).status_code < 500
    client = Client()
    client.post("/inscription/", SIGN_UP)
    assert client.post("/inscription/code/", {"code": hostile}).status_code < 500
    link = preferences_url(create_citizen(org))
    for field in ("channels", "topics", "area", "language", "leave"):
        assert Client().post(link, {field: hostile}).status_code < 500, field
    assert Client().get(f"/inscription/preferences/{hostile}/").status_code < 500
    assert Client().get(f"/v/{hostile}").status_code < 500


@pytest.mark.parametrize("hostile", HOSTILE)
def test_item18_hostile_text_in_the_citizens_api_and_console_search_is_never_a_500(org, hostile):
    from gateway.models import Role
    from tests.factories import create_user

    admin = api_client(create_api_key(org))
    body = {"name": "Anne", "channels": ["post"], "postcode": "49123", "city": "X"}
    for field in ("name", "reference", "form_reference", "merge_into", "city", "area"):
        form = {**body, "form_reference": "F-1", "signed_on": "2026-11-18", field: hostile}
        answer = admin.post("/api/citizens/paper-forms", form, content_type="application/json")
        assert answer.status_code < 500, (field, answer.status_code)
    assert admin.get(f"/api/citizens/{hostile}").status_code < 500
    console = Client()
    console.force_login(create_user(org, Role.AUTHOR))
    assert console.get("/console/subscribers/", {"q": hostile}).status_code == 200
