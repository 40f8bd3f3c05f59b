"""Every CAP alert emitted or imported, and the CAP Atom feeds an organisation polls."""

from __future__ import annotations

from django.db import models
from django.utils import timezone as tz

from gateway.models.announcement import Announcement
from gateway.models.organisation import Organisation


class Direction(models.TextChoices):
    OUT = "out"  # emitted by Crieur for one of its announcements
    IN = "in"  # imported (file, API, feed)


class CapAlert(models.Model):
    """One CAP `<alert>`, kept exactly as emitted or received.

    `sent` is the exact string written in (or read from) the alert: an Update or Cancel quotes
    it in `<references>`, so it is never re-formatted. `(sender, identifier)` is unique per
    organisation: an alert is never imported twice by one organisation, even by two polls at
    once, and two towns of one deployment that follow the same feed each get it.
    """

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="cap_alerts"
    )
    announcement = models.ForeignKey(
        Announcement, null=True, blank=True, on_delete=models.SET_NULL, related_name="cap_alerts"
    )
    direction = models.CharField(max_length=3, choices=Direction.choices)
    identifier = models.CharField(max_length=200)
    sender = models.CharField(max_length=200)
    sent = models.CharField(max_length=25)
    status = models.CharField(max_length=10)
    msg_type = models.CharField(max_length=10)
    references = models.TextField(blank=True)
    incident = models.TextField(
        blank=True, help_text="Emitted: the chain of announcements; imported: <incidents>."
    )
    expires_at = models.DateTimeField(null=True, blank=True)
    xml = models.TextField()
    created_at = models.DateTimeField(default=tz.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "sender", "identifier"], name="cap_alert_once"
            )
        ]
        indexes = [models.Index(fields=["identifier"], name="cap_alert_identifier")]

    def __str__(self) -> str:
        return f"{self.sender},{self.identifier},{self.sent}"

    @property
    def reference(self) -> str:
        """How a later alert names this one in `<references>`."""
        return f"{self.sender},{self.identifier},{self.sent}"


class FeedRule(models.TextChoices):
    DRAFT = "draft"  # every imported alert waits for approval
    PUBLISH = "publish"  # alerts of `publish_severities` are published at once


class CapFeed(models.Model):
    """A CAP Atom feed (MeteoAlarm style) polled on beat for one organisation."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="cap_feeds"
    )
    url = models.URLField(max_length=500)
    rule = models.CharField(max_length=10, choices=FeedRule.choices, default=FeedRule.DRAFT)
    publish_severities = models.JSONField(
        default=list, blank=True, help_text='CAP severities published at once, e.g. ["Extreme"].'
    )
    enabled = models.BooleanField(default=True)
    last_polled_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=tz.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "url"], name="cap_feed_once")
        ]
