"""One delivery: an announcement sent to one citizen on one channel (or to one social account)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone as tz

from gateway.models.announcement import Announcement
from gateway.models.citizen import Citizen


class DeliveryStatus(models.TextChoices):
    PLANNED = "planned"
    DEFERRED = "deferred"
    SENDING = "sending"
    SENT = "sent"
    DELIVERED = "delivered"
    FAILED = "failed"
    UNDELIVERED = "undelivered"
    SKIPPED = "skipped"
    CANCELLED = "cancelled"


FINAL = {
    DeliveryStatus.DELIVERED,
    DeliveryStatus.FAILED,
    DeliveryStatus.UNDELIVERED,
    DeliveryStatus.SKIPPED,
    DeliveryStatus.CANCELLED,
}


class Delivery(models.Model):
    announcement = models.ForeignKey(
        Announcement, on_delete=models.CASCADE, related_name="deliveries"
    )
    citizen = models.ForeignKey(
        Citizen, null=True, blank=True, on_delete=models.SET_NULL, related_name="deliveries"
    )
    channel = models.CharField(max_length=20, help_text="sms, voice, post, or a social account.")
    locale = models.CharField(max_length=12)
    status = models.CharField(
        max_length=12, choices=DeliveryStatus.choices, default=DeliveryStatus.PLANNED
    )
    provider = models.CharField(max_length=30, blank=True)
    provider_ref = models.CharField(max_length=64, blank=True, db_index=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=200, blank=True)
    cost = models.DecimalField(max_digits=8, decimal_places=4, null=True, blank=True)
    not_before = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=tz.now)
    updated_at = models.DateTimeField(auto_now=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(
        null=True, blank=True, help_text="When the citizen confirmed receipt (voice menu 2)."
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["announcement", "citizen", "channel"], name="one_delivery_per_channel"
            ),
            models.UniqueConstraint(
                fields=["announcement", "channel"],
                condition=Q(citizen__isnull=True),
                name="one_post_per_social_account",
            ),
        ]
        indexes = [models.Index(fields=["announcement", "status"])]
        verbose_name_plural = "deliveries"

    def __str__(self) -> str:
        return f"delivery {self.pk} {self.channel} {self.status}"

    @property
    def idempotency_key(self) -> str:
        return f"crieur-delivery-{self.pk}"
