"""After a status callback moved a delivery to a final state: fall back, close the announcement,
and record what the provider charged.

The hook itself only makes the guarded status change (one quick update); this heavier part runs
on the `callbacks` queue so Twilio gets its answer at once.
"""

from __future__ import annotations

import logging

from channels.errors import ChannelError
from gateway.celery import app
from gateway.models import Delivery, DeliveryStatus
from gateway.registry import for_organisation
from gateway.routing.fallback import start_fallbacks
from gateway.tasks.publish import finish_if_done

logger = logging.getLogger(__name__)

S = DeliveryStatus
# Twilio fills a message's or call's `price` some time after its final status: ask again a few
# times, a minute apart. Only what was carried is charged (not a failed message or an
# unanswered call): those are asked once.
PRICE_TRIES = 5
PRICE_WAIT = 60.0
CHARGED = (S.DELIVERED, S.UNDELIVERED)


@app.task(name="crieur.after_status")
def after_status(delivery_id: int) -> None:
    """Safe to run twice: a fallback is only started for a citizen with nothing else pending."""
    row = Delivery.objects.filter(pk=delivery_id).values_list("status", "announcement_id").first()
    if row is None:
        return
    status, announcement_id = row
    if status in (S.FAILED, S.UNDELIVERED):
        start_fallbacks([delivery_id])
    finish_if_done(announcement_id)
    record_price.apply_async((delivery_id,), queue="callbacks")


@app.task(name="crieur.record_price", bind=True, max_retries=PRICE_TRIES - 1)
def record_price(self, delivery_id: int) -> bool:
    """Fetch what the provider charged for the delivery and store it (once: a cost already
    recorded is never overwritten). True when recorded."""
    row = (
        Delivery.objects.filter(pk=delivery_id, cost__isnull=True)
        .exclude(provider_ref="")
        .values_list(
            "provider_ref", "channel", "account_id", "status", "announcement__organisation_id"
        )
        .first()
    )
    if row is None:
        return False
    sid, channel, account_id, status, organisation_id = row
    target = for_organisation(organisation_id).target(channel, account_id)
    price_of = getattr(target.channel, "price_of", None)
    if price_of is None:  # a provider that reports no price
        return False
    try:
        price = price_of(sid)
    except ChannelError as exc:
        logger.info("price of delivery %s not fetched: %s", delivery_id, exc)
        price = None
        if not exc.retryable:
            return False
    if price is None:
        # Inline (eager) tasks cannot wait a minute: only a worker asks again.
        waiting = status in CHARGED and not self.request.is_eager
        if waiting and self.request.retries < self.max_retries:
            raise self.retry(countdown=PRICE_WAIT)
        return False
    cost, unit = price
    return bool(
        Delivery.objects.filter(pk=delivery_id, cost__isnull=True).update(
            cost=cost, cost_currency=unit[:3]
        )
    )
