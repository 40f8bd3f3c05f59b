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
