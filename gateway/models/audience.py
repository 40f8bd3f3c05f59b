"""What the audience services keep besides citizens: the suppression list, preference links,
pending sign-up codes and the daily count of codes texted."""

from __future__ import annotations

from django.db import models
from django.utils import timezone as tz

from gateway.models.citizen import Citizen
from gateway.models.organisation import Organisation


class Suppression(models.Model):
    """A phone that opted out of a channel (STOP, voice menu 0, the preferences page).

    Only a keyed hash of the number is kept (HMAC-SHA256 with the instance secret, see
    `gateway.audience.suppression`), outside the citizen's personal data: an erasure removes
    the citizen, never the opt-out. `key_id` says which secret made the digest.
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    channel = models.CharField(max_length=8)
    digest = models.CharField(max_length=64)
    key_id = models.CharField(max_length=16)
    source = models.CharField(max_length=16)
    created_at = models.DateTimeField(default=tz.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "channel", "digest"], name="suppressed_once"
            )
        ]

    def __str__(self) -> str:  # never the digest: it identifies a phone to whoever has the key
        return f"suppression {self.pk} {self.channel}"


class PreferenceLink(models.Model):
    """A citizen's link to their preferences page: a random token, stored as its SHA-256 (like
    API keys), so the link says nothing about the citizen and the database cannot forge one."""

    citizen = models.ForeignKey(Citizen, on_delete=models.CASCADE, related_name="+")
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=tz.now)
    expires_at = models.DateTimeField(db_index=True)


class SignupCode(models.Model):
    """A sign-up waiting for its SMS code. Attempts are counted here, by a guarded update, so
    parallel requests cannot check more codes than allowed. Deleted once used; expired ones are
    purged daily (the form holds personal data)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    phone_digest = models.CharField(max_length=64, db_index=True)
    values = models.JSONField(help_text="The form as typed, phone normalised.")
    code_digest = models.CharField(max_length=64)
    attempts = models.PositiveSmallIntegerField(default=0)
    expires_at = models.DateTimeField(db_index=True)
    created_at = models.DateTimeField(default=tz.now)


class SignupQuota(models.Model):
    """Sign-up codes texted by an organisation on one day (its time zone), counted atomically."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "day"], name="one_quota_per_day")
        ]
