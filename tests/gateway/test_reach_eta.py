"""`GET /api/announcements/{id}/reach` says when everyone will have it, before and during
sending; an urgent alert calls first the citizens it reaches no other way."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from gateway.models import Announcement, Delivery, DeliveryStatus, Role, Status
from gateway.routing.planning import plan_deliveries
from tests.factories import (
    create_announcement,
    create_api_key,
    create_citizen,
    create_organisation,
    create_user,
)

pytestmark = pytest.mark.django_db(transaction=True)

TWILIO = {
    "account_sid": "AC" + "1" * 32,
    "auth_token": "tok",
    "from_number": "+33700000001",
    "base_url": "http://127.0.0.1:1",  # never called: the estimate only reads its limits
}


def api(org, role=Role.AUTHOR) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {create_api_key(org, role)}")


def by_channel(reach: dict) -> dict:
    return {row["channel"]: row for row in reach["eta"]["channels"]}


def test_before_publishing_calls_go_at_the_accounts_pace_and_last_their_length():
    org = create_organisation()
    admin = api(org, Role.ADMIN)
    added = admin.post(
        "/api/accounts",
        {"kind": "twilio", "settings": TWILIO, "limits": {"rate": 1, "call_seconds": 45}},
        content_type="application/json",
    )
    assert added.status_code == 201, added.content
    for _ in range(12):
        create_citizen(org, channels=("voice",), is_mobile=False)
    for _ in range(3):
        create_citizen(org, channels=("sms",))
    announcement = create_announcement(org, urgency="urgent")

    reach = api(org).get(f"/api/announcements/{announcement.pk}/reach").json()

    channels = by_channel(reach)
    voice, sms = channels["voice"], channels["sms"]
    assert (voice["total"], voice["left"], voice["per_second"], voice["basis"]) == (
        12,
        12,
        1.0,
        "limit",
    )
    assert voice["seconds"] == 12 + 45
    assert sms["basis"] == "limit" and sms["seconds"] == 3  # the account's rate holds for SMS too
    eta = reach["eta"]
    assert eta["seconds"] == 57
    now, finishes = parse_datetime(eta["now"]), parse_datetime(eta["finishes_at"])
    assert finishes - now == timedelta(seconds=57)
    assert not Delivery.objects.exists()  # an estimate writes nothing


def test_a_bad_call_length_is_a_422_naming_it():
    org = create_organisation()
    refused = api(org, Role.ADMIN).post(
        "/api/accounts",
        {"kind": "twilio", "settings": TWILIO, "limits": {"call_seconds": "long"}},
        content_type="application/json",
    )
    assert refused.status_code == 422 and "call_seconds" in refused.json()["detail"]


def test_during_sending_the_estimate_follows_the_real_progress(settings):
    settings.PROVIDER_RATES = {"outbox_voice": 1.0}
    org = create_organisation()
    for _ in range(40):
        create_citizen(org, channels=("voice",), is_mobile=False)
    announcement = create_announcement(org, urgency="urgent")
    plan_deliveries(announcement)
    Announcement.objects.filter(pk=announcement.pk).update(status=Status.SENDING)
    # 30 calls placed over the last 60 s: half the account's pace (a slow provider).
    done = list(Delivery.objects.filter(channel="voice").order_by("pk")[:30])
    started = timezone.now() - timedelta(seconds=60)
    Delivery.objects.filter(pk__in=[d.pk for d in done]).update(
        status=DeliveryStatus.SENT, sent_at=started
    )

    reach = api(org).get(f"/api/announcements/{announcement.pk}/reach").json()

    voice = by_channel(reach)["voice"]
    assert (voice["total"], voice["done"], voice["left"]) == (40, 30, 10)
    assert voice["basis"] == "progress"
    assert voice["per_second"] == pytest.approx(0.5, rel=0.05)
    assert voice["seconds"] == pytest.approx(10 / 0.5 + 60, rel=0.05)
    assert reach["by_channel"] == {"voice": 40} and reach["citizens"] == 40


def test_once_sent_everyone_has_it(settings):
    org = create_organisation()
    create_citizen(org, channels=("sms",))
    create_citizen(org, channels=("voice",), is_mobile=False)
    client = api(org)
    announcement = create_announcement(org)
    approver = api(org, Role.APPROVER)
    assert client.post(f"/api/announcements/{announcement.pk}/publish").status_code in (202, 409)
    announcement.refresh_from_db()
    if announcement.status != Status.SENT:  # the factory's approval: publish as the approver
        assert approver.post(f"/api/announcements/{announcement.pk}/publish").status_code == 202

    reach = client.get(f"/api/announcements/{announcement.pk}/reach").json()

    assert reach["by_channel"] == {"sms": 1, "voice": 1}
    assert {c["channel"]: (c["left"], c["basis"]) for c in reach["eta"]["channels"]} == {
        "mastodon": (0, "done"),
        "sms": (0, "done"),
        "voice": (0, "done"),
    }
    assert reach["eta"]["seconds"] == 0


def test_an_urgent_alert_calls_first_those_it_reaches_no_other_way(settings):
    settings.DELIVERY_BATCH_SIZE = 1  # one task per call: the queue's order is the calls' order
    org = create_organisation()
    # Phone order (the planner's order) puts the citizens with other channels first.
    mobile = create_citizen(org, channels=("sms", "voice"), phone="+33610000001")
    emailed = create_citizen(
        org, channels=("voice", "email"), phone="+33110000002", is_mobile=False, email="a@b.fr"
    )
    landline = create_citizen(org, channels=("voice",), phone="+33510000003", is_mobile=False)
    other = create_citizen(org, channels=("voice",), phone="+33510000004", is_mobile=False)
    announcement = create_announcement(org, urgency="urgent")

    published = api(org).post(f"/api/announcements/{announcement.pk}/publish")
    assert published.status_code == 202, published.content

    calls = list(
        Delivery.objects.filter(announcement=announcement, channel="voice")
        .order_by("sent_at", "pk")
        .values_list("citizen_id", flat=True)
    )
    assert calls[:2] == [landline.pk, other.pk]
    assert set(calls[2:]) == {mobile.pk, emailed.pk}
    # and the SMS, the email and the post on Mastodon
    assert Delivery.objects.filter(announcement=announcement).count() == 7


def spaced(html: str) -> str:
    """Babel's units and times hold no-break spaces."""
    return html.replace("\u00a0", " ").replace("\u202f", " ")


def test_the_console_says_when_everyone_will_have_it_before_and_during(client, settings):
    settings.PROVIDER_RATES = {"outbox_voice": 1.0, "outbox_sms": 100.0}
    org = create_organisation()
    for _ in range(150):
        create_citizen(org, channels=("voice",), is_mobile=False)
    for _ in range(3):
        create_citizen(org, channels=("sms",))
    announcement = create_announcement(org, urgency="urgent")
    client.force_login(create_user(org, Role.ADMIN))
    url = reverse("console:reach", args=[announcement.pk])

    french = spaced(client.get(url, HTTP_HX_REQUEST="true").content.decode())
    english = spaced(
        client.get(url, HTTP_HX_REQUEST="true", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    )

    # 150 calls at 1 per second, then the last call's 60 s: 3 min 30 s, said as 4 min.
    assert re.search(
        r"Tout le monde l’aura vers \d\d:\d\d — Mastodon : 1 s, SMS : 1 s et Appel vocal : 4 min\.",
        french,
    ), french
    assert re.search(
        r"Everyone will have it by about \d{1,2}:\d\d [AP]M — Mastodon: 1 sec, SMS: 1 sec, "
        r"Voice call: 4 min\.",
        english,
    ), english

    plan_deliveries(announcement)
    Announcement.objects.filter(pk=announcement.pk).update(status=Status.SENDING)
    sms = Delivery.objects.filter(channel="sms")
    sms.update(status=DeliveryStatus.SENT, sent_at=timezone.now())
    live = spaced(
        client.get(reverse("console:dashboard-live", args=[announcement.pk])).content.decode()
    )
    said = re.search(r'data-testid="eta">([^<]+)', live).group(1)
    assert re.fullmatch(r"Tout le monde l’aura vers .+ — Appel vocal : 4 min\.", said), said
