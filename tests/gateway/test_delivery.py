"""The delivery engine, tasks run inline: claims, retries, expiry, cancellation, reconciliation,
the periodic sweeps and rate limits. Real Twilio SDK over HTTP to the local fake."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from gateway.models import Delivery, Status
from gateway.models.delivery import MOVES_FROM
from gateway.registry import channels
from gateway.routing.planning import plan_deliveries
from gateway.tasks import delivery as engine
from gateway.tasks.delivery import UNKNOWN_OUTCOME, backoff, cancel_deliveries, deliver_batch
from gateway.tasks.periodic import release_deferred, sweep
from tests.factories import create_announcement, create_citizen, create_organisation
from tests.fakes.twilio import FakeTwilio

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def fake(settings):
    with FakeTwilio() as fake:
        settings.TWILIO_ACCOUNT_SID = fake.account_sid
        settings.TWILIO_AUTH_TOKEN = fake.auth_token
        settings.TWILIO_FROM_NUMBER = "+33700000001"
        settings.TWILIO_BASE_URL = fake.base_url
        channels.cache_clear()
        yield fake
    channels.cache_clear()


def planned(n=3, *, urgency="info", **citizen):
    """An announcement being sent, with `n` planned SMS deliveries (not queued)."""
    org = create_organisation()
    for _ in range(n):
        create_citizen(org, **{"channels": ("sms",), **citizen})
    announcement = create_announcement(org, urgency=urgency)
    plan_deliveries(announcement)
    announcement.status = Status.SENDING
    announcement.save(update_fields=["status"])
    return announcement, list(announcement.deliveries.order_by("pk").values_list("pk", flat=True))


def statuses(announcement):
    return sorted(announcement.deliveries.values_list("status", flat=True))


def test_the_state_machine_never_leaves_a_final_state_nor_goes_back_to_sending():
    finals = {"delivered", "failed", "undelivered", "skipped", "cancelled"}
    for to, sources in MOVES_FROM.items():
        assert not finals & set(sources), to
    assert MOVES_FROM["sending"] == ("planned",)
    assert "delivered" not in MOVES_FROM["sent"]


def test_a_batch_run_twice_sends_each_message_once(fake):
    announcement, ids = planned(5)
    assert deliver_batch(ids) == {"sent": 5, "retry": 0, "failed": 0}
    assert deliver_batch(ids) == {"sent": 0, "retry": 0, "failed": 0}
    assert set(fake.count_by_to().values()) == {1} and len(fake.messages) == 5
    assert statuses(announcement) == ["sent"] * 5
    announcement.refresh_from_db()
    assert announcement.status == Status.SENT


def test_two_workers_racing_on_the_same_batch_send_each_message_once(fake):
    announcement, ids = planned(30)
    results = []

    def run():
        results.append(deliver_batch(ids))
        connection.close()

    threads = [threading.Thread(target=run) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(r["sent"] for r in results) == 30
    assert len(fake.messages) == 30 and set(fake.count_by_to().values()) == {1}


def test_retryable_errors_retry_then_fail_over_after_the_maximum_attempts(fake, settings):
    settings.DELIVERY_MAX_ATTEMPTS = 3
    org = create_organisation()
    citizen = create_citizen(org, channels=("sms", "voice"))
    announcement = create_announcement(org)
    plan_deliveries(announcement)
    fake.faults(rate=1.0, kinds=("500",))
    (sms,) = announcement.deliveries.values_list("pk", flat=True)
    deliver_batch([sms])  # eager: the retries run inline, then the fallback call fails too
    rows = {d.channel: d for d in Delivery.objects.filter(citizen=citizen)}
    assert rows["sms"].status == "failed" and rows["sms"].attempts == 3
    assert "HTTP 500" in rows["sms"].last_error
    assert rows["voice"].status == "failed"  # the fallback was started, and failed the same way
    assert fake.messages == [] and fake.calls == []


def test_a_429_is_retried_and_the_message_sent_once(fake):
    announcement, ids = planned(4)
    fake.faults(rate=0.5, kinds=("429",), seed=3)
    deliver_batch(ids)
    assert statuses(announcement) == ["sent"] * 4
    assert max(announcement.deliveries.values_list("attempts", flat=True)) > 1
    assert len(fake.messages) == 4 and set(fake.count_by_to().values()) == {1}


def test_backoff_grows_exponentially_with_jitter_and_is_capped(settings):
    settings.DELIVERY_STUCK_AFTER = 600
    for attempt in range(1, 12):
        waits = [backoff(attempt) for _ in range(50)]
        assert all(0 <= w <= min(300, 2**attempt) for w in waits)
        assert len(set(waits)) > 1
    settings.DELIVERY_STUCK_AFTER = 20
    assert max(backoff(10) for _ in range(50)) <= 10


def test_an_alert_past_its_maximum_age_is_skipped_not_sent(fake, settings):
    settings.DELIVERY_MAX_AGE_MINUTES = {"urgent": 60, "important": 600, "info": 6000}
    announcement, ids = planned(2, urgency="urgent")
    Delivery.objects.filter(pk=ids[0]).update(created_at=timezone.now() - timedelta(minutes=61))
    deliver_batch(ids)
    old, fresh = (Delivery.objects.get(pk=pk) for pk in ids)
    assert (old.status, old.last_error) == ("skipped", "expired: past the maximum age")
    assert fresh.status == "sent"
    assert len(fake.messages) == 1


def test_a_deferred_delivery_ages_from_the_end_of_its_quiet_hours(fake, settings):
    settings.DELIVERY_MAX_AGE_MINUTES = {"urgent": 60, "important": 600, "info": 60}
    announcement, (pk,) = planned(1)
    Delivery.objects.filter(pk=pk).update(
        status="deferred",
        created_at=timezone.now() - timedelta(hours=10),
        not_before=timezone.now() - timedelta(minutes=5),
    )
    assert release_deferred() == 1  # eager: queued and sent at once
    assert Delivery.objects.get(pk=pk).status == "sent"
    assert len(fake.messages) == 1


def test_deferred_deliveries_are_released_only_when_due(fake):
    announcement, ids = planned(2)
    soon, later = timezone.now() - timedelta(seconds=1), timezone.now() + timedelta(hours=8)
    Delivery.objects.filter(pk=ids[0]).update(status="deferred", not_before=soon)
    Delivery.objects.filter(pk=ids[1]).update(status="deferred", not_before=later)
    assert release_deferred() == 1
    assert release_deferred() == 0
    assert [Delivery.objects.get(pk=pk).status for pk in ids] == ["sent", "deferred"]
    announcement.refresh_from_db()
    assert announcement.status == Status.SENDING  # one is still to go


def test_cancel_stops_every_delivery_not_yet_sent(fake):
    announcement, ids = planned(4)
    Delivery.objects.filter(pk=ids[0]).update(status="sent")
    Delivery.objects.filter(pk=ids[1]).update(status="sending")
    Delivery.objects.filter(pk=ids[2]).update(status="deferred", not_before=timezone.now())
    assert cancel_deliveries(announcement.pk) == 2  # the deferred one and the planned one
    assert cancel_deliveries(announcement.pk) == 0
    deliver_batch(ids)
    release_deferred()
    assert [Delivery.objects.get(pk=pk).status for pk in ids] == [
        "sent",
        "sending",
        "cancelled",
        "cancelled",
    ]
    assert fake.messages == []


def test_a_delivery_of_a_cancelled_announcement_is_never_claimed(fake):
    announcement, ids = planned(2)
    announcement.status = Status.CANCELLED
    announcement.save(update_fields=["status"])
    assert deliver_batch(ids)["sent"] == 0
    assert statuses(announcement) == ["cancelled", "cancelled"]
    assert fake.messages == []


def test_an_unknown_outcome_is_reconciled_with_twilio_before_sending_again(fake):
    announcement, (first, second) = planned(2)
    # The first one reached Twilio before its worker died; the second one did not.
    channel = channels()["sms"]
    job = engine.prepare(Delivery.objects.filter(pk=first).values_list(*engine.JOB_FIELDS))[0]
    receipt = channel.send(job.rendition, job.recipient, idempotency_key=job.key)
    Delivery.objects.filter(pk__in=[first, second]).update(last_error=UNKNOWN_OUTCOME)
    deliver_batch([first, second])
    assert len(fake.messages) == 2 and set(fake.count_by_to().values()) == {1}
    reconciled = Delivery.objects.get(pk=first)
    assert (reconciled.status, reconciled.provider_ref) == ("sent", receipt.provider_ref)
    assert Delivery.objects.get(pk=second).status == "sent"


def test_a_reply_lost_after_twilio_accepted_is_never_a_second_message(fake, settings):
    settings.TWILIO_TIMEOUT = 0.3
    channels.cache_clear()
    announcement, ids = planned(6)
    fake.faults(rate=0.5, kinds=("timeout_after_accept",), seed=2, delay=0.6)
    deliver_batch(ids)  # eager: the retries run inline and reconcile first
    assert statuses(announcement) == ["sent"] * 6
    assert len(fake.messages) == 6 and set(fake.count_by_to().values()) == {1}
    sids = set(announcement.deliveries.values_list("provider_ref", flat=True))
    assert sids == {m["sid"] for m in fake.messages}
    assert max(announcement.deliveries.values_list("attempts", flat=True)) > 1


def test_the_sweep_reconciles_stuck_sending_and_requeues_lost_planned(fake, settings):
    settings.DELIVERY_STUCK_AFTER = 60
    announcement, (crashed, lost, fresh) = planned(3)
    job = engine.prepare(Delivery.objects.filter(pk=crashed).values_list(*engine.JOB_FIELDS))[0]
    channels()["sms"].send(job.rendition, job.recipient, idempotency_key=job.key)
    long_ago = timezone.now() - timedelta(minutes=5)
    Delivery.objects.filter(pk=crashed).update(status="sending", updated_at=long_ago)
    Delivery.objects.filter(pk=lost).update(updated_at=long_ago)
    assert sweep() == {"reconciled": 1, "requeued": 1}
    assert [Delivery.objects.get(pk=pk).status for pk in (crashed, lost, fresh)] == [
        "sent",
        "sent",
        "planned",  # its task is still in the queue: left alone
    ]
    assert len(fake.messages) == 2 and set(fake.count_by_to().values()) == {1}


def test_sends_are_paced_by_the_accounts_token_bucket(fake, settings, monkeypatch):
    settings.PROVIDER_RATES = {"twilio_sms": 1000.0}
    taken = []
    reserve = engine.TokenBucket.reserve

    def spy(bucket, key="", n=1):
        taken.append((bucket.rate, key, n))
        return reserve(bucket, key, n)

    monkeypatch.setattr(engine.TokenBucket, "reserve", spy)
    announcement, ids = planned(25)
    deliver_batch(ids)
    assert sum(n for _, _, n in taken) == 25
    assert {(rate, key) for rate, key, _ in taken} == {
        (1000.0, f"twilio_sms:{fake.account_sid}:+33700000001")
    }
    assert statuses(announcement) == ["sent"] * 25


def test_a_batch_goes_by_parts_and_each_part_is_recorded_once(fake, settings):
    settings.DELIVERY_PART_SIZE = 3  # four parts: claims and records overlap the sends
    settings.DELIVERY_MAX_ATTEMPTS = 10
    announcement, ids = planned(10)
    fake.faults(rate=0.3, kinds=("500",), seed=4)
    result = deliver_batch(ids)  # eager: the retries run inline
    assert result["sent"] + result["retry"] == 10 and result["failed"] == 0
    assert statuses(announcement) == ["sent"] * 10
    assert len(fake.messages) == 10 and set(fake.count_by_to().values()) == {1}
    assert set(announcement.deliveries.values_list("provider_ref", flat=True)) == {
        m["sid"] for m in fake.messages
    }
