"""Deliver batches: claim with a guarded update, send, record in bulk, retry or fall back."""

from __future__ import annotations

import logging
import random
from dataclasses import dataclass, field, replace

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from channels.base import Channel, Receipt, Recipient
from channels.errors import ChannelError, UnknownOutcomeError
from channels.twilio import TwilioVoiceChannel
from gateway.celery import app
from gateway.models import Delivery, DeliveryStatus
from gateway.registry import channels
from gateway.renditions import FORM_OF_CHANNEL, archived
from gateway.routing.fallback import start_fallbacks
from gateway.tasks.publish import finish_if_done
from renderers.message import Rendition

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
UNKNOWN_OUTCOME = "unknown outcome"


def backoff(attempt: int) -> float:
    """Exponential backoff with full jitter: 0–2 s, 0–4 s, 0–8 s… capped at 5 minutes."""
    return random.uniform(0, min(300.0, 2.0**attempt))


def claim(ids: list[int]) -> list[int]:
    """Move planned deliveries to sending; only the ones this call moved are returned.

    The row lock (PostgreSQL) or the write transaction (SQLite) makes two workers running the
    same batch claim disjoint sets: a task run twice never sends twice.
    """
    with transaction.atomic():
        mine = list(
            Delivery.objects.select_for_update(skip_locked=True)
            .filter(pk__in=ids, status=DeliveryStatus.PLANNED)
            .values_list("pk", flat=True)
        )
        Delivery.objects.filter(pk__in=mine, status=DeliveryStatus.PLANNED).update(
            status=DeliveryStatus.SENDING, attempts=F("attempts") + 1, updated_at=timezone.now()
        )
    return mine


def for_channel(rendition: Rendition, channel: Channel, pk: int) -> Rendition:
    """A Twilio call fetches its TwiML from the voice hook, whose menu names this delivery."""
    if not isinstance(channel, TwilioVoiceChannel):
        return rendition
    twiml_url = f"{settings.PUBLIC_URL}/hooks/twilio/voice/{pk}"
    return replace(rendition, meta={**rendition.meta, "twiml_url": twiml_url})


@dataclass
class Outcome:
    sent: list[tuple[int, Receipt]] = field(default_factory=list)
    retry: list[tuple[int, str]] = field(default_factory=list)
    failed: list[tuple[int, str]] = field(default_factory=list)


@app.task(name="crieur.deliver_batch", bind=True)
def deliver_batch(self, delivery_ids: list[int]) -> dict[str, int]:
    mine = claim(delivery_ids)
    if not mine:
        return {"sent": 0, "retry": 0, "failed": 0}
    rows = list(
        Delivery.objects.filter(pk__in=mine).values_list(
            "pk",
            "announcement_id",
            "channel",
            "locale",
            "attempts",
            "last_error",
            "citizen__reference",
            "citizen__phone",
        )
    )
    registry = channels()
    renditions: dict[tuple[int, str, str], object] = {}
    outcome = Outcome()
    for pk, ann_id, channel_name, locale, attempts, last_error, reference, phone in rows:
        channel = registry[channel_name]
        key = (ann_id, FORM_OF_CHANNEL[channel_name], locale)
        if key not in renditions:
            renditions[key] = archived(*key)
        recipient = Recipient(reference=reference or channel_name, phone=phone or "", locale=locale)
        idempotency_key = f"crieur-delivery-{pk}"
        try:
            receipt = None
            if last_error == UNKNOWN_OUTCOME and hasattr(channel, "find_sent"):
                # The previous attempt may have been accepted: look before sending again.
                receipt = channel.find_sent(
                    phone,
                    timezone.now() - timezone.timedelta(days=1),
                    idempotency_key,
                    body=renditions[key].text,
                )
            receipt = receipt or channel.send(
                for_channel(renditions[key], channel, pk),
                recipient,
                idempotency_key=idempotency_key,
            )
        except UnknownOutcomeError:
            outcome.retry.append((pk, UNKNOWN_OUTCOME))
        except ChannelError as exc:
            if exc.retryable and attempts < MAX_ATTEMPTS:
                outcome.retry.append((pk, str(exc)[:200]))
            else:
                outcome.failed.append((pk, str(exc)[:200]))
        else:
            outcome.sent.append((pk, receipt))
    record(outcome, provider={name: ch.name for name, ch in registry.items()})
    if outcome.retry:
        attempt = max(r[4] for r in rows)
        deliver_batch.apply_async(
            ([pk for pk, _ in outcome.retry],), countdown=backoff(attempt), queue="retry"
        )
    if outcome.failed:
        start_fallbacks([pk for pk, _ in outcome.failed])
    for ann_id in {r[1] for r in rows}:
        finish_if_done(ann_id)
    return {"sent": len(outcome.sent), "retry": len(outcome.retry), "failed": len(outcome.failed)}


def record(outcome: Outcome, provider: dict[str, str]) -> None:
    now = timezone.now()
    if outcome.sent:
        by_pk = {pk: receipt for pk, receipt in outcome.sent}
        rows = list(Delivery.objects.filter(pk__in=by_pk, status=DeliveryStatus.SENDING))
        for row in rows:
            receipt = by_pk[row.pk]
            row.status = (
                DeliveryStatus.DELIVERED if receipt.status == "delivered" else DeliveryStatus.SENT
            )
            row.provider = provider.get(row.channel, "")
            row.provider_ref = receipt.provider_ref[:64]
            row.cost = receipt.cost
            row.sent_at = now
            row.delivered_at = now if row.status == DeliveryStatus.DELIVERED else None
            row.last_error = ""
        Delivery.objects.bulk_update(
            rows,
            [
                "status",
                "provider",
                "provider_ref",
                "cost",
                "sent_at",
                "delivered_at",
                "last_error",
                "updated_at",
            ],
            batch_size=500,
        )
    for pk, error in outcome.retry:
        Delivery.objects.filter(pk=pk, status=DeliveryStatus.SENDING).update(
            status=DeliveryStatus.PLANNED, last_error=error, updated_at=now
        )
    for pk, error in outcome.failed:
        Delivery.objects.filter(pk=pk, status=DeliveryStatus.SENDING).update(
            status=DeliveryStatus.FAILED, last_error=error, updated_at=now
        )


@app.task(name="crieur.print_letters", bind=True)
def print_letters(self, delivery_ids: list[int]) -> int:
    """Mail-merge a batch of postal deliveries into one PDF and manifest for the mailroom."""
    from gateway.printing import merge_deliveries

    mine = claim(delivery_ids)
    if not mine:
        return 0
    result = merge_deliveries(mine, settings.OUTBOX_DIR / "print")
    now = timezone.now()
    Delivery.objects.filter(pk__in=result.printed, status=DeliveryStatus.SENDING).update(
        status=DeliveryStatus.SENT, provider="outbox_print", sent_at=now, updated_at=now
    )
    for pk, reason in result.rejected.items():
        Delivery.objects.filter(pk=pk, status=DeliveryStatus.SENDING).update(
            status=DeliveryStatus.FAILED, last_error=reason[:200], updated_at=now
        )
    if result.rejected:
        start_fallbacks(list(result.rejected))
    for ann_id in set(
        Delivery.objects.filter(pk__in=mine).values_list("announcement_id", flat=True)
    ):
        finish_if_done(ann_id)
    return len(result.printed)
