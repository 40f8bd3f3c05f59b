"""Periodic work (Celery beat, on the `periodic` queue): release due deferred deliveries and
sweep what a crash or a lost message left behind. Each run is safe to repeat or overlap."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from gateway.celery import app
from gateway.models import Delivery, DeliveryStatus
from gateway.tasks.delivery import UNKNOWN_OUTCOME
from gateway.tasks.publish import enqueue

logger = logging.getLogger(__name__)

S = DeliveryStatus
CHUNK = 5000  # rows moved per transaction
# Deliveries to reconcile go in small batches: each costs provider lookups before any send,
# and a batch must end well within the sending tasks' time limit.
RECONCILE_BATCH = 20


def take(queryset: QuerySet, to: str, **changes) -> list[int]:
    """Move up to CHUNK rows of `queryset` to `to`; exactly the ids this call moved.

    Rows another transaction holds are skipped (PostgreSQL `SKIP LOCKED`; SQLite serialises
    writers), so two sweeps running at once move disjoint sets.
    """
    with transaction.atomic():
        rows = queryset.select_for_update(skip_locked=True, of=("self",)).order_by("pk")
        ids = list(rows.values_list("pk", flat=True)[:CHUNK])
        Delivery.objects.filter(pk__in=ids).move(to, **changes)
    return ids


def take_all(queryset: QuerySet, to: str, batch: int | None = None, **changes) -> list[int]:
    moved: list[int] = []
    while chunk := take(queryset, to, **changes):
        moved += chunk
        enqueue(Delivery.objects.filter(pk__in=chunk), batch)
    return moved


@app.task(name="crieur.purge_delivery_details")
def purge_delivery_details() -> dict[str, int]:
    """Clear what is past its retention (daily): delivery details, the bodies of citizens'
    texts, unverified sign-ups, expired preference links (`gateway.audience.gdpr`)."""
    from gateway.audience.gdpr import purge_expired

    return purge_expired()


@app.task(name="crieur.prune_previews")
def prune_previews() -> int:
    """Delete the compose previews' kept files older than a day (`MEDIA_DIR/preview/`)."""
    from gateway.console.preview import prune_previews as prune

    return prune()


@app.task(name="crieur.release_deferred")
def release_deferred() -> int:
    """Deferred deliveries whose `not_before` has come (quiet hours are over) go out now."""
    due = Delivery.objects.filter(status=S.DEFERRED, not_before__lte=timezone.now())
    released = take_all(due, S.PLANNED)
    if released:
        logger.info("released %d deferred deliveries", len(released))
    return len(released)


@app.task(name="crieur.sweep")
def sweep() -> dict[str, int]:
    """Recover deliveries left behind, without ever sending one twice.

    - `sending` for longer than DELIVERY_STUCK_AFTER: its worker died (tasks are killed after
      half that time). It goes back to `planned` marked "unknown outcome", so the next attempt
      asks the provider whether the message went out (Twilio: the messages to that number since
      the delivery was created) before sending anything.
    - `planned` untouched for as long: its task message was lost (a broker restart, a message
      a killed worker held); it is queued again. A duplicate task is harmless: the claim is a
      guarded update.
    """
    before = timezone.now() - timedelta(seconds=settings.DELIVERY_STUCK_AFTER)
    stuck = Delivery.objects.filter(status=S.SENDING, updated_at__lt=before)
    reconciled = take_all(stuck, S.PLANNED, RECONCILE_BATCH, last_error=UNKNOWN_OUTCOME)
    stale = Delivery.objects.filter(status=S.PLANNED, updated_at__lt=before)
    requeued = []
    while chunk := list(stale.order_by("pk").values_list("pk", flat=True)[:CHUNK]):
        # Touching `updated_at` leaves them alone until the next period.
        Delivery.objects.filter(pk__in=chunk, status=S.PLANNED).update(updated_at=timezone.now())
        enqueue(Delivery.objects.filter(pk__in=chunk))
        requeued += chunk
    if reconciled or requeued:
        logger.warning(
            "sweep: %d stuck in sending to reconcile, %d planned queued again",
            len(reconciled),
            len(requeued),
        )
    return {"reconciled": len(reconciled), "requeued": len(requeued)}
