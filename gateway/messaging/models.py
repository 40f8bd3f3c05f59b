"""What the messaging channels keep: an organisation's WhatsApp templates, the citizens'
unsubscribe links, and provider webhooks waiting for the `callbacks` queue."""

from __future__ import annotations

from django.db import models
from django.utils import timezone as tz

from gateway.models.citizen import Citizen
from gateway.models.organisation import Organisation


class WhatsAppTemplate(models.Model):
    """A message template of the organisation's WhatsApp business account, as Meta lists it
    (synced by `crieur accounts test`, the API and template webhooks). `parameters` name the
    announcement fields that fill `{{1}}`, `{{2}}`… (or the named `{{title}}`…)."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="whatsapp_templates"
    )
    account = models.ForeignKey(
        "gateway.ProviderAccount",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    name = models.CharField(max_length=512)
    language = models.CharField(max_length=16)
    category = models.CharField(max_length=20, default="UTILITY")
    status = models.CharField(max_length=20, default="PENDING")
    parameters = models.JSONField(default=list, blank=True)
    named = models.BooleanField(default=False)
    body = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        app_label = "gateway"
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "name", "language"], name="one_template_per_language"
            )
        ]

    def __str__(self) -> str:
        return f"whatsapp template {self.name} ({self.language}) {self.status}"


class UnsubscribeLink(models.Model):
    """`/u/<token>` of one email: a random token stored as its SHA-256 (like preference
    links), so the link names nobody and the database alone cannot make one."""

    citizen = models.ForeignKey(Citizen, on_delete=models.CASCADE, related_name="+")
    delivery = models.ForeignKey(
        "gateway.Delivery", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=tz.now, db_index=True)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        app_label = "gateway"


class WebhookEvent(models.Model):
    """A signed provider webhook, checked and stored at once, worked through on the
    `callbacks` queue, then deleted (it may hold phone numbers and texts)."""

    provider = models.CharField(max_length=20)
    account = models.ForeignKey(
        "gateway.ProviderAccount", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    payload = models.JSONField()
    received_at = models.DateTimeField(default=tz.now, db_index=True)

    class Meta:
        app_label = "gateway"

    def __str__(self) -> str:  # never the payload
        return f"webhook {self.pk} {self.provider}"


class EmailConfirmation(models.Model):
    """A link that confirms a citizen's email address before any email consent is granted:
    a random token stored as its SHA-256, for that one address, used once, expiring."""

    citizen = models.ForeignKey(Citizen, on_delete=models.CASCADE, related_name="+")
    address = models.EmailField(max_length=254)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=tz.now)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        app_label = "gateway"
