"""Fault tests: real `crieur worker` processes, the real Twilio SDK over HTTP to the fake Twilio.

1. `kill -9` the worker in the middle of a publication, start another: every delivery ends and
   the fake received each message exactly once.
2. The fake answers 20 % of requests with 500, 429 or a timeout: every delivery ends delivered
   or failed over, with no duplicate at the fake; callbacks reach a live server.
3. Replayed, duplicated and out-of-order callbacks through the same stack: final states hold.

On PostgreSQL + Redis (CI) the killed publication goes to 10,000 citizens and the faulty one to
1,000 (its 2,000 callbacks come one at a time from the fake, as Twilio's would); on the newcomer
default (SQLite, filesystem broker) to 1,000 and 300, so `make test` stays quick: same code
paths, same assertions.
"""

from __future__ import annotations

import random
import time
from collections import Counter

import pytest
from django.db import transaction

from gateway.celery import app
from gateway.models import Delivery, Status
from gateway.models.delivery import PENDING
from gateway.publishing import publish
from tests.factories import create_announcement, create_citizens, create_organisation
from tests.fakes.twilio import FakeTwilio
from tests.gateway.workerproc import WorkerProcess, on_server_stack

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

# The sweep looks at deliveries stuck this long (seconds) and runs every second here. A send
# is killed after half of it: with 20 % faults (1 s timeouts), batches need the longer one.
FAST_SWEEP = {"CRIEUR_STUCK_AFTER": "20", "CRIEUR_PERIODIC_SECONDS": "1"}
FAULTY_SWEEP = {**FAST_SWEEP, "CRIEUR_STUCK_AFTER": "30"}


def scale(server: int, default: int) -> int:
    return server if on_server_stack() else default


def wait_until(condition, timeout: float, what: str, announcement) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.25)
    rows = Delivery.objects.filter(announcement=announcement)
    counts = Counter(rows.values_list("channel", "status", "last_error"))
    raise AssertionError(f"{what} not reached after {timeout} s: {announcement.status} {counts}")


def pending(announcement) -> int:
    return Delivery.objects.filter(announcement=announcement, status__in=PENDING).count()


def sent(announcement) -> bool:
    announcement.refresh_from_db()
    return announcement.status == Status.SENT and pending(announcement) == 0


@pytest.fixture(autouse=True)
def _empty_queues():
    app.control.purge()
    yield
    app.control.purge()


def test_a_worker_killed_mid_publication_loses_nothing_and_sends_nothing_twice(tmp_path):
    count = scale(10_000, 1_000)
    org = create_organisation()
    phones = create_citizens(org, count)
    announcement = create_announcement(org, urgency="urgent")
    with FakeTwilio() as fake:
        first = WorkerProcess(fake, tmp_path / "outbox", **FAST_SWEEP).start()
        second = WorkerProcess(fake, tmp_path / "outbox", **FAST_SWEEP)
        try:
            with transaction.atomic():
                publish(announcement)
            wait_until(lambda: len(fake.messages) >= count // 3, 180, "a third sent", announcement)
            first.kill()
            at_kill = len(fake.messages)
            assert at_kill < count, "the worker finished before it could be killed"
            second.start()
            wait_until(lambda: sent(announcement), 240, "every delivery ended", announcement)
        finally:
            output = second.stop()
            print(first.output[-3000:], output[-3000:])  # shown when the test fails
        assert "Traceback" not in output, output
        counts = fake.count_by_to()
        assert len(fake.messages) == count
        assert set(counts) == set(phones) and set(counts.values()) == {1}
    rows = Delivery.objects.filter(announcement=announcement, channel="sms")
    assert rows.count() == count
    assert set(rows.values_list("status", flat=True)) == {"sent"}
    assert set(rows.values_list("provider_ref", flat=True)) == {m["sid"] for m in fake.messages}
    announcement.refresh_from_db()
    assert announcement.status == Status.SENT


def test_provider_faults_end_delivered_or_failed_over_without_duplicates(
    tmp_path, live_server, settings
):
    count = scale(1_000, 300)
    org = create_organisation()
    phones = create_citizens(org, count, channels=("sms", "voice"))
    refused = set(phones[:5])  # replied STOP at the carrier: Twilio answers 21610, for good
    # important, not urgent: each citizen's first channel, then the next one when it fails for
    # good (an urgent one would text and call everyone at once: no failing over to see)
    announcement = create_announcement(org, urgency="important")
    with FakeTwilio(opted_out=refused, auto_callbacks=True) as fake:
        settings.TWILIO_AUTH_TOKEN = fake.auth_token  # the live server checks the signatures
        settings.PUBLIC_URL = live_server.url
        fake.faults(rate=0.2, kinds=("500", "429", "timeout"), seed=7, delay=1.0)
        worker = WorkerProcess(
            fake, tmp_path / "outbox", CRIEUR_PUBLIC_URL=live_server.url, **FAULTY_SWEEP
        ).start()
        try:
            with transaction.atomic():
                publish(announcement)

            def settled() -> bool:
                announcement.refresh_from_db()
                return (
                    announcement.status == Status.SENT
                    and pending(announcement) == 0
                    # a callback is still to come
                    and not Delivery.objects.filter(announcement=announcement, status="sent")
                    .exclude(channel="mastodon")
                    .exists()
                )

            wait_until(settled, 240, "every delivery settled", announcement)
            assert_final_states(announcement, fake, phones, refused)

            # 3. Replay every callback, duplicated, in a shuffled order with stale statuses.
            before = dict(
                Delivery.objects.filter(announcement=announcement).values_list("pk", "status")
            )
            sids = [m["sid"] for m in fake.messages]
            replays = [(sid, s) for sid in sids[:200] for s in ("sent", "queued", "delivered")]
            replays += [(sid, "undelivered") for sid in sids[200:210]]
            random.Random(3).shuffle(replays)
            for sid, reported in replays:
                code = 30003 if reported == "undelivered" else None
                assert fake.send_status_callback(sid, reported, code) == 200
            after = dict(
                Delivery.objects.filter(announcement=announcement).values_list("pk", "status")
            )
            assert after == before  # nothing moved back, no fallback added
        finally:
            output = worker.stop()
            print(output[-5000:])  # shown when the test fails
    assert "Traceback" not in output, output


def assert_final_states(announcement, fake, phones, refused) -> None:
    counts = fake.count_by_to()
    assert set(counts.values()) == {1}, "a message was sent twice"
    delivered = Delivery.objects.filter(
        announcement=announcement, channel="sms", status="delivered"
    ).values_list("citizen__phone", flat=True)
    assert set(counts) == set(delivered)  # every SMS Twilio took, and only those, delivered
    failed = Delivery.objects.filter(announcement=announcement, channel="sms", status="failed")
    errors = {phone: error for phone, error in failed.values_list("citizen__phone", "last_error")}
    assert refused <= set(errors) and all("21610" in errors[p] for p in refused)
    assert set(errors) | set(counts) == set(phones), errors
    rows = list(
        Delivery.objects.filter(announcement=announcement, citizen__isnull=False).values_list(
            "citizen_id", "channel", "status", "provider_ref"
        )
    )
    by_citizen: dict[int, dict[str, str]] = {}
    for citizen, channel, status, _ in rows:
        by_citizen.setdefault(citizen, {})[channel] = status
    for channels in by_citizen.values():
        if channels["sms"] != "delivered":
            # Failed over: the SMS failed for good, the call went out and was answered.
            assert channels["sms"] == "failed" and channels.get("voice") == "delivered", channels
    failed_over = [c for c in by_citizen.values() if "voice" in c]
    assert len(failed_over) == len(errors)
    assert len(fake.calls) == len(failed_over)
    assert len({call["to"] for call in fake.calls}) == len(fake.calls), "a number rang twice"
    sids = {ref for _, channel, _, ref in rows if channel == "sms" and ref}
    assert sids == {m["sid"] for m in fake.messages}
