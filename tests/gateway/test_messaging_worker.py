"""WhatsApp and email through a real `crieur worker` process (the messaging and email queues),
its accounts' secrets opened in that process: each number and address gets one message."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from gateway.messaging.whatsapp import sync_templates
from gateway.models import Delivery
from gateway.publishing import publish
from tests.factories import create_announcement, create_citizen, create_organisation
from tests.fakes.smtp import FakeSMTP
from tests.fakes.twilio import FakeTwilio
from tests.fakes.whatsapp import FakeWhatsApp
from tests.gateway.messaging import TEMPLATES, email_account, whatsapp_account
from tests.gateway.test_worker import wait_until_sent
from tests.gateway.workerproc import WorkerProcess

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_a_worker_sends_one_whatsapp_per_number_and_one_email_per_address(tmp_path):
    from gateway.celery import app

    app.control.purge()
    with (
        FakeTwilio() as twilio,
        FakeWhatsApp(templates=list(TEMPLATES), pair_interval=0) as fake,
        FakeSMTP(security="none") as smtp,
    ):
        org = create_organisation()
        sync_templates(whatsapp_account(org, fake))
        email_account(org, smtp)
        now = timezone.now()
        chatting = [
            create_citizen(
                org,
                channels=("whatsapp",),
                phone=f"+3361111{i:04d}",
                whatsapp_window_until=now + timedelta(hours=2),
            )
            for i in range(10)
        ]
        quiet = [
            create_citizen(org, channels=("whatsapp",), phone=f"+3362222{i:04d}") for i in range(10)
        ]
        create_citizen(org, channels=("whatsapp",), phone=quiet[0].phone)
        mailed = [
            create_citizen(org, channels=("email",), email=f"citoyen{i}@example.fr")
            for i in range(15)
        ]
        announcement = create_announcement(org)
        process = WorkerProcess(twilio, tmp_path / "outbox").start()
        try:
            with transaction.atomic():
                publish(announcement)
            wait_until_sent(announcement)
        finally:
            output = process.stop()
        assert "Traceback" not in output, output

        kinds = {m["to"]: m["type"] for m in fake.messages}
        assert len(fake.messages) == len(kinds) == 20
        assert kinds == {
            **{c.phone: "text" for c in chatting},
            **{c.phone: "template" for c in quiet},
        }
        assert sorted(r.rcpt_tos[0] for r in smtp.received) == sorted(c.email for c in mailed)
        mine = Delivery.objects.filter(announcement=announcement, citizen__isnull=False)
        assert set(mine.values_list("channel", "status", "provider")) == {
            ("whatsapp", "sent", "whatsapp"),
            ("email", "sent", "email"),
        }
        assert twilio.messages == []


def test_a_worker_sends_through_the_esp_and_its_signed_bounces_and_complaints_are_counted(
    tmp_path,
):
    import json

    from django.test import Client

    from gateway.accounts.services import add_account
    from gateway.audience import suppression
    from gateway.celery import app
    from gateway.models import Consent
    from tests.factories import create_api_key
    from tests.fakes.mailgun import FakeMailgun
    from tests.gateway.messaging import FROM

    app.control.purge()
    with FakeTwilio() as twilio, FakeMailgun() as mailgun:
        org = create_organisation()
        account = add_account(org, "email", {"from_address": FROM, **mailgun.settings()})
        mailed = [
            create_citizen(org, channels=("email",), email=f"citoyen{i}@example.fr")
            for i in range(12)
        ]
        announcement = create_announcement(org)
        process = WorkerProcess(twilio, tmp_path / "outbox").start()
        try:
            with transaction.atomic():
                publish(announcement)
            wait_until_sent(announcement)
        finally:
            output = process.stop()
        assert "Traceback" not in output, output

        to = sorted(m["to"][0].rpartition("<")[2].rstrip(">") for m in mailgun.messages)
        assert to == sorted(c.email for c in mailed)  # once per address
        mine = Delivery.objects.filter(announcement=announcement, channel="email")
        assert set(mine.values_list("status", "provider")) == {("sent", "email")}
        assert sorted(mine.values_list("provider_ref", flat=True)) == sorted(
            m["id"] for m in mailgun.messages
        )

        by_to = {m["to"][0].rpartition("<")[2].rstrip(">"): m for m in mailgun.messages}
        url = f"/hooks/email/{account.pk}/mailgun/tracking/"
        client = Client()
        events = [
            mailgun.event(by_to["citoyen0@example.fr"], "failed"),
            mailgun.event(by_to["citoyen1@example.fr"], "failed"),
            mailgun.event(by_to["citoyen2@example.fr"], "complained"),
        ]
        unsigned = client.post(url, json.dumps(events[0]), content_type="application/json")
        assert unsigned.status_code == 403
        for payload in events + events:  # every event twice: replays count once
            answer = client.post(
                url,
                json.dumps(payload),
                content_type="application/json",
                HTTP_AUTHORIZATION=mailgun.auth_header(),
            )
            assert answer.status_code == 200
        assert suppression.is_suppressed(org, "citoyen0@example.fr", "email")
        assert not Consent.objects.get(citizen=mailed[2], channel="email").granted
        key = create_api_key(org)
        report = client.get(
            f"/api/announcements/{announcement.pk}/report", HTTP_AUTHORIZATION=f"Bearer {key}"
        ).json()
        assert report["email"] == {"bounced": 2, "complained": 1, "unsubscribed": 0}
        assert twilio.messages == []
