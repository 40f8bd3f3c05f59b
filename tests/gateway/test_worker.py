"""Publish through a real `crieur worker` process: real broker, real database, real Twilio SDK
over HTTP to the local fake Twilio. On the default this is the filesystem broker and SQLite;
in CI it is also Redis and PostgreSQL.
"""

from __future__ import annotations

import time

import pytest
from django.db import transaction

from gateway.celery import app
from gateway.models import Delivery, Status
from gateway.publishing import publish
from tests.factories import create_announcement, create_citizen, create_organisation
from tests.fakes.twilio import FakeTwilio
from tests.gateway.workerproc import SENDER, WorkerProcess

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def fake_twilio():
    with FakeTwilio() as fake:
        yield fake


@pytest.fixture
def worker(fake_twilio, tmp_path):
    """A `crieur worker` process on the test database, the test broker and the fake Twilio."""
    app.control.purge()
    process = WorkerProcess(fake_twilio, tmp_path / "outbox").start()
    yield process
    output = process.stop()
    assert "Traceback" not in output, output


def wait_until_sent(announcement, timeout=120.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        announcement.refresh_from_db()
        if announcement.status == Status.SENT:
            return
        time.sleep(0.2)
    pending = Delivery.objects.filter(announcement=announcement).exclude(status__in=["sent"])
    raise AssertionError(f"not sent after {timeout} s: {list(pending.values('channel', 'status'))}")


def test_publish_through_a_worker_process_sends_each_message_once(worker, fake_twilio):
    org = create_organisation()
    texted = [create_citizen(org, channels=("sms",)) for _ in range(40)]
    household = create_citizen(org, channels=("sms",), phone=texted[0].phone)
    called = [
        create_citizen(
            org,
            channels=("voice",),
            is_mobile=False,
            phone=f"+3314{1000000 + i:07d}",
            language="en",
        )
        for i in range(5)
    ]
    posted = [create_citizen(org, channels=("post",)) for _ in range(3)]
    stopped = create_citizen(org, channels=("sms",))
    fake_twilio.opted_out.add(stopped.phone)  # replied STOP at the carrier: Twilio says 21610
    announcement = create_announcement(org)

    with transaction.atomic():
        publish(announcement)
    wait_until_sent(announcement)

    counts = fake_twilio.count_by_to()
    assert set(counts) == {c.phone for c in texted}  # one SMS per phone, household included
    assert set(counts.values()) == {1}
    assert {m["from"] for m in fake_twilio.messages} == {SENDER}
    assert sorted(c["to"] for c in fake_twilio.calls) == sorted(c.phone for c in called)
    statuses = dict(
        Delivery.objects.filter(announcement=announcement, citizen__isnull=False).values_list(
            "citizen_id", "status"
        )
    )
    assert {statuses[c.pk] for c in texted + called} == {"sent"}
    assert household.pk not in statuses
    assert not {c.pk for c in posted} & set(statuses)  # non-urgent: the weekly letter
    stopped_delivery = Delivery.objects.get(citizen=stopped)
    assert stopped_delivery.status == "failed" and "21610" in stopped_delivery.last_error
    sids = set(
        Delivery.objects.filter(channel="sms", status="sent").values_list("provider_ref", flat=True)
    )
    assert sids == {m["sid"] for m in fake_twilio.messages}
