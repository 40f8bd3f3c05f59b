"""A provider account of an organisation: its kind's settings, secrets sealed, its limits."""

from __future__ import annotations

from django.db import models
from django.utils import timezone as tz

from gateway.models.organisation import Organisation


class AccountQuerySet(models.QuerySet):
    def current(self) -> AccountQuerySet:
        """Not removed (a removed account is kept only for the history of its deliveries)."""
        return self.filter(removed_at__isnull=True)


class ProviderAccount(models.Model):
    """One account at a provider (`channels.kinds`): Twilio, Mastodon, Bluesky, X, Facebook…

    `settings` holds the kind's non-secret settings as typed; the secret ones are in `secrets`,
    one Fernet token (gateway/accounts/secrets.py), shown back only as `secret_masks`.
    """

    objects = AccountQuerySet.as_manager()

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="accounts"
    )
    kind = models.CharField(max_length=20)
    label = models.CharField(max_length=100)
    settings = models.JSONField(default=dict, blank=True)
    secrets = models.TextField(blank=True, help_text="Fernet token of the secret settings.")
    secret_masks = models.JSONField(default=dict, blank=True)
    locale = models.CharField(
        max_length=12, blank=True, help_text="Language it posts in; empty: the organisation's."
    )
    enabled = models.BooleanField(default=True)
    limits = models.JSONField(
        default=dict, blank=True, help_text='{"rate": requests per second} (absent: the channel\'s)'
    )
    last_test_at = models.DateTimeField(null=True, blank=True)
    last_test_ok = models.BooleanField(null=True, blank=True)
    last_test_result = models.CharField(max_length=300, blank=True)
    last_error = models.CharField(
        max_length=200, blank=True, help_text="The last permanent failure of one of its posts."
    )
    last_error_at = models.DateTimeField(null=True, blank=True)
    # Not a setting: what the gateway remembers of the provider's side (Telegram: the id of
    # the last message posted, where a check after a lost reply starts). Written with
    # `update()`, so it never bumps `updated_at` nor rebuilds the registries.
    state = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=tz.now)
    # Bumped by every change of what the account sends with: registries are cached by it.
    updated_at = models.DateTimeField(auto_now=True)
    removed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        app_label = "gateway"
        indexes = [models.Index(fields=["organisation", "updated_at"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.label!r}"

    @property
    def effective_locale(self) -> str:
        return self.locale or self.organisation.default_locale
