"""Publish: plan the deliveries, archive the renditions, queue the batches."""

from __future__ import annotations

import logging
import time
from array import array

from django.conf import settings
from django.db.models import Case, Exists, OuterRef, Q, QuerySet, Value, When
from django.utils import timezone

from gateway.celery import FAMILY_QUEUE, app
from gateway.media.publication import archive_media, plan_media
from gateway.messaging.renditions import archive_messaging
from gateway.models import Announcement, Delivery, DeliveryStatus, Status, Urgency
from gateway.models.delivery import PENDING
from gateway.registry import for_organisation
from gateway.renditions import FORM_OF_CHANNEL, archive
from gateway.routing.planning import plan_deliveries, plan_posts

logger = logging.getLogger(__name__)


def queue_for(channel: str) -> str:
    return FAMILY_QUEUE.get(channel, "social")


@app.task(name="crieur.publish")
def publish_announcement(announcement_id: int) -> int:
    """Plan and queue every delivery of an announcement; returns the number of batches queued."""
    moved = Announcement.objects.filter(
        pk=announcement_id, status__in=[Status.APPROVED, Status.SCHEDULED, Status.SENDING]
    ).update(status=Status.SENDING)
    if not moved:
        logger.info("announcement %s is not publishable; nothing to do", announcement_id)
        return 0
    announcement = Announcement.objects.get(pk=announcement_id)
    if announcement.published_at is None:
        announcement.published_at = timezone.now()
        announcement.save(update_fields=["published_at"])
    started = time.perf_counter()
    planned = plan_deliveries(announcement)
    plan_posts(announcement, for_organisation(announcement.organisation_id).posts)
    plan_seconds = time.perf_counter() - started
    waiting = Delivery.objects.filter(
        announcement=announcement, status__in=[DeliveryStatus.PLANNED, DeliveryStatus.DEFERRED]
    )
    pairs = list(waiting.values_list("channel", "locale").distinct())
    archive_messaging(announcement, pairs)
    archive(
        announcement,
        [(FORM_OF_CHANNEL[c], loc) for c, loc in pairs if c in FORM_OF_CHANNEL]
        + [("notice", loc) for loc in announcement.locales],
    )
    posts = waiting.filter(citizen__isnull=True)
    media = plan_media(announcement, posts.values_list("pk", "channel", "locale", "account_id"))
    held = archive_media(announcement, media)
    render_seconds = time.perf_counter() - started - plan_seconds
    batches = enqueue_planned(announcement, held=held)
    # Counts and seconds only (bench/crisis.py reads this line): what each phase took.
    logger.info(
        "announcement %s published: plan %.3f s (%d deliveries), render %.3f s, "
        "enqueue %.3f s (%d batches)",
        announcement_id,
        plan_seconds,
        planned,
        render_seconds,
        time.perf_counter() - started - plan_seconds - render_seconds,
        batches,
    )
    return batches


def enqueue_planned(
    announcement: Announcement, citizen_ids: list[int] | None = None, held: list[int] = ()
) -> int:
    """Queue the planned deliveries (of these citizens only, when given) in batches; the
    `held` ones wait for their video (its task queues them)."""
    planned = Delivery.objects.filter(announcement=announcement, status=DeliveryStatus.PLANNED)
    if citizen_ids is not None:
        planned = planned.filter(citizen_id__in=citizen_ids)
    batches = enqueue(planned.exclude(pk__in=list(held)))
    if not batches:
        finish_if_done(announcement.pk)
    return batches


def enqueue(deliveries: QuerySet[Delivery], size: int | None = None) -> int:
    """Queue these deliveries in batches of one channel each, on the channel family's queue."""
    from gateway.tasks.delivery import deliver_batch, print_letters

    size = size or settings.DELIVERY_BATCH_SIZE
    # Ids in queue order (by channel, urgent calls' rank, id), read to the end before the
    # first task is queued (an eager task writes to these rows), 8 bytes each: 9 MB for a
    # million deliveries.
    by_channel: dict[str, array[int]] = {}
    rows = (
        deliveries.annotate(rank=call_rank())
        .order_by("channel", "rank", "pk")
        .values_list("pk", "channel")
        .iterator(chunk_size=max(size, 2000))
    )
    for pk, channel in rows:
        by_channel.setdefault(channel, array("q")).append(pk)
    batches = 0
    for channel, pks in by_channel.items():
        task = print_letters if channel == "post" else deliver_batch
        for start in range(0, len(pks), size):
            task.apply_async((pks[start : start + size].tolist(),), queue=queue_for(channel))
            batches += 1
    return batches


def call_rank() -> Case:
    """0 for the call of an urgent alert to a citizen it reaches no other way (a landline, no
    other consent): those are queued first, as calls go at the account's pace (1 per second
    by default at Twilio); 1 for every other delivery."""
    others = Delivery.objects.filter(
        announcement_id=OuterRef("announcement_id"), citizen_id=OuterRef("citizen_id")
    ).exclude(channel="voice")
    alone = Q(channel="voice", announcement__urgency=Urgency.URGENT) & ~Exists(others)
    return Case(When(alone, then=Value(0)), default=Value(1))


def finish_if_done(announcement_id: int) -> bool:
    """Mark the announcement sent once no delivery is waiting or in flight."""
    pending = Delivery.objects.filter(announcement_id=announcement_id, status__in=PENDING)
    if pending.exists():
        return False
    return bool(
        Announcement.objects.filter(pk=announcement_id, status=Status.SENDING).update(
            status=Status.SENT
        )
    )


@app.task(name="crieur.publish_due")
def publish_due() -> int:
    """Publish the scheduled announcements whose time has come (run every minute by beat)."""
    from gateway.publishing import publish_due as publish_due_now

    return publish_due_now()
