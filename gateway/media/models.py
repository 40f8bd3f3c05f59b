"""A video being made on the `media` queue, for an announcement's archive or for a preview."""

from __future__ import annotations

from django.db import models
from django.utils import timezone as tz

from gateway.models.announcement import Announcement
from gateway.models.organisation import Organisation


class JobStatus(models.TextChoices):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class MediaJob(models.Model):
    """One video to make. A publication's job (one per announcement and locale) ends in the
    archive (a `Rendition`); a preview's job keeps its own bytes and is found again by the hash
    of what it shows, so asking twice for the same text renders once."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="media_jobs"
    )
    announcement = models.ForeignKey(
        Announcement, null=True, blank=True, on_delete=models.CASCADE, related_name="media_jobs"
    )
    key = models.CharField(max_length=80, unique=True)
    form = models.CharField(max_length=20, default="video")
    locale = models.CharField(max_length=12)
    status = models.CharField(max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED)
    progress = models.FloatField(default=0.0)
    stage = models.CharField(max_length=20, blank=True)
    error = models.CharField(max_length=300, blank=True)
    message = models.JSONField(default=dict, blank=True, help_text="A preview's Message values.")
    data = models.BinaryField(null=True, blank=True, help_text="A preview's MP4.")
    meta = models.JSONField(default=dict, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(default=tz.now)
    started_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        app_label = "gateway"

    def __str__(self) -> str:
        return f"media job {self.key} {self.status}"
