"""After a status callback moved a delivery to a final state: fall back, close the announcement.

The hook itself only makes the guarded status change (one quick update); this heavier part runs
on the `callbacks` queue so Twilio gets its answer at once.
"""

from __future__ import annotations

from gateway.celery import app
from gateway.models import Delivery, DeliveryStatus
from gateway.routing.fallback import start_fallbacks
from gateway.tasks.publish import finish_if_done


@app.task(name="crieur.after_status")
def after_status(delivery_id: int) -> None:
    """Safe to run twice: a fallback is only started for a citizen with nothing else pending."""
    row = Delivery.objects.filter(pk=delivery_id).values_list("status", "announcement_id").first()
    if row is None:
        return
    status, announcement_id = row
    if status in (DeliveryStatus.FAILED, DeliveryStatus.UNDELIVERED):
        start_fallbacks([delivery_id])
    finish_if_done(announcement_id)
