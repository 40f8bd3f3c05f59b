"""Messages citizens send us (SMS replies and keywords), as agents see them."""

from __future__ import annotations

from django.db import models
from django.utils import timezone as tz

from gateway.models.announcement import Announcement
from gateway.models.citizen import Citizen
from gateway.models.organisation import Organisation


class InboundMessage(models.Model):
    """One message received. The sender is the citizen (by reference), never a phone number:
    a message from an unknown number keeps `citizen` empty."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="inbound_messages"
    )
    citizen = models.ForeignKey(
        Citizen, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    announcement = models.ForeignKey(
        Announcement, null=True, blank=True, on_delete=models.SET_NULL, related_name="replies"
    )
    channel = models.CharField(max_length=8, default="sms")
    body = models.TextField()
    keyword = models.CharField(max_length=32, blank=True, help_text="The keyword understood.")
    provider_ref = models.CharField(max_length=64, blank=True, db_index=True)
    reply = models.TextField(blank=True, help_text="What we answered: a replay gets it again.")
    replied_at = models.DateTimeField(
        null=True, blank=True, help_text="When the reply was sent apart (WhatsApp): sent once."
    )
    received_at = models.DateTimeField(default=tz.now, db_index=True)

    class Meta:
        ordering = ["-received_at", "-pk"]
        constraints = [
            # A provider retries a webhook it thinks failed: the same message is stored once.
            models.UniqueConstraint(
                fields=["channel", "provider_ref"],
                condition=~models.Q(provider_ref=""),
                name="inbound_once_per_provider_id",
            )
        ]

    def __str__(self) -> str:  # never the body: it may hold personal data
        return f"inbound {self.pk} {self.channel}"
