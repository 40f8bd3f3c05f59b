"""The `media` queue: videos made once, by an idempotent task, never per delivery.

A publication's video (one per announcement and locale) is archived like every rendition; the
posts that carry it (TikTok, Facebook with `attach_video`) are queued when it is there, or fail
saying why it could not be made. A preview's video is kept with its job, found again by the
hash of what it shows. A job is claimed by a guarded update, so a task run twice, or by two
workers, renders once; a job left `running` by a dead worker is taken again after
`CRIEUR_MEDIA_STALE_AFTER` seconds.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import time
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from gateway.celery import app
from gateway.media.models import JobStatus, MediaJob
from gateway.models import Announcement, Delivery, DeliveryStatus, Rendition
from renderers.errors import RenderError
from renderers.message import Message
from renderers.message import Rendition as RenditionValue

logger = logging.getLogger(__name__)

QUEUE = "media"
PROGRESS_EVERY = 1.0  # seconds between two progress writes


def publication_key(announcement_id: int, locale: str) -> str:
    return f"publication:{announcement_id}:video:{locale}"


def video_problem(announcement_id: int, locale: str) -> str | None:
    """Why the archive has no video in `locale`: the job's error, "" while it is being made,
    None when it is there."""
    if Rendition.objects.filter(
        announcement_id=announcement_id, form="video", locale=locale
    ).exists():
        return None
    job = MediaJob.objects.filter(key=publication_key(announcement_id, locale)).first()
    if job is not None and job.status == JobStatus.FAILED:
        return job.error or "the video could not be made"
    return ""


def start_video(announcement: Announcement, locale: str) -> MediaJob:
    """Make sure the video in `locale` is (being) made: its job exists and a task is queued
    unless the job is done, failed for good, or running in a live worker."""
    job, _ = MediaJob.objects.get_or_create(
        key=publication_key(announcement.pk, locale),
        defaults={
            "organisation_id": announcement.organisation_id,
            "announcement": announcement,
            "locale": locale,
        },
    )
    if job.status == JobStatus.QUEUED or _stale(job):
        transaction.on_commit(lambda: render_publication_video.apply_async((job.pk,), queue=QUEUE))
    return job


def _stale(job: MediaJob) -> bool:
    before = timezone.now() - timedelta(seconds=settings.MEDIA_JOB_STALE_AFTER)
    return job.status == JobStatus.RUNNING and job.updated_at < before


def claim(job_id: int) -> bool:
    """Take the job (queued, or running in a worker presumed dead); one caller wins."""
    now = timezone.now()
    before = now - timedelta(seconds=settings.MEDIA_JOB_STALE_AFTER)
    takeable = Q(status=JobStatus.QUEUED) | Q(status=JobStatus.RUNNING, updated_at__lt=before)
    return bool(
        MediaJob.objects.filter(takeable, pk=job_id).update(
            status=JobStatus.RUNNING, started_at=now, updated_at=now, progress=0.0, stage=""
        )
    )


class _Progress:
    """Writes the job's progress at most every PROGRESS_EVERY seconds (and keeps it fresh)."""

    def __init__(self, job_id: int) -> None:
        self.job_id, self.last = job_id, 0.0

    def __call__(self, fraction: float, stage: str) -> None:
        now = time.monotonic()
        if now - self.last >= PROGRESS_EVERY or fraction >= 1.0:
            self.last = now
            MediaJob.objects.filter(pk=self.job_id, status=JobStatus.RUNNING).update(
                progress=round(min(1.0, fraction), 3), stage=stage[:20], updated_at=timezone.now()
            )


def _render(message: Message, job_id: int) -> RenditionValue:
    from renderers.visual import render_video

    return render_video(message, progress=_Progress(job_id))


def _failure(error: Exception) -> str:
    from renderers.visual.encoder import EncoderError
    from renderers.voice.audio import AudioUnavailableError

    if isinstance(error, (RenderError, AudioUnavailableError, EncoderError)):
        return " ".join(str(error).split())[:300]
    logger.exception("video job failed")
    return f"unexpected {type(error).__name__} while making the video"


def _finish(job_id: int, **fields) -> None:
    MediaJob.objects.filter(pk=job_id, status=JobStatus.RUNNING).update(
        updated_at=timezone.now(), **fields
    )


@app.task(name="crieur.render_video")
def render_publication_video(job_id: int) -> str:
    """Make and archive an announcement's video in one locale, then queue the posts that wait
    for it (they fail with the job's error if it could not be made)."""
    from gateway.renditions import render_in, store

    job = MediaJob.objects.select_related("announcement__organisation").get(pk=job_id)
    announcement = job.announcement
    assert announcement is not None
    done = Rendition.objects.filter(announcement=announcement, form="video", locale=job.locale)
    if not done.exists():
        if not claim(job_id):
            return job.status
        try:
            value = render_in(
                "video", announcement, job.locale, lambda message: _render(message, job_id)
            )
        except Exception as error:  # noqa: BLE001 - every failure is the job's, said in words
            _finish(job_id, status=JobStatus.FAILED, error=_failure(error))
        else:
            store(announcement, "video", job.locale, value)
            _finish(job_id, status=JobStatus.DONE, progress=1.0, stage="done")
    else:
        MediaJob.objects.filter(pk=job_id).exclude(status=JobStatus.DONE).update(
            status=JobStatus.DONE, progress=1.0, updated_at=timezone.now()
        )
    release_waiting(announcement.pk, job.locale)
    return MediaJob.objects.values_list("status", flat=True).get(pk=job_id)


def release_waiting(announcement_id: int, locale: str) -> int:
    """Queue the planned posts of the announcement in `locale` (a post queued twice is claimed
    once)."""
    from gateway.tasks.publish import enqueue

    waiting = Delivery.objects.filter(
        announcement_id=announcement_id,
        citizen__isnull=True,
        locale=locale,
        status=DeliveryStatus.PLANNED,
    )
    return enqueue(waiting)


# previews ---------------------------------------------------------------------------------


def message_values(message: Message) -> dict:
    values = dataclasses.asdict(message)
    values["urgency"] = str(message.urgency)
    values["published_at"] = message.published_at.isoformat() if message.published_at else None
    return values


def message_from_values(values: dict) -> Message:
    values = dict(values)
    if values.get("published_at"):
        values["published_at"] = datetime.fromisoformat(values["published_at"])
    return Message(**values)


def preview_key(organisation_id: int, message: Message) -> str:
    """The hash of what the video shows: the same text gives the same job."""
    content = json.dumps(message_values(message), sort_keys=True, ensure_ascii=False)
    return "preview:" + hashlib.sha256(f"{organisation_id}\n{content}".encode()).hexdigest()


def start_preview(organisation_id: int, message: Message) -> MediaJob:
    """The preview job of this text (made once; a failed one is tried again)."""
    key = preview_key(organisation_id, message)
    try:
        job, created = MediaJob.objects.get_or_create(
            key=key,
            defaults={
                "organisation_id": organisation_id,
                "locale": message.locale,
                "message": message_values(message),
            },
        )
    except IntegrityError:  # asked twice at once: the other request made it
        job, created = MediaJob.objects.get(key=key), False
    if not created and job.status == JobStatus.FAILED:
        MediaJob.objects.filter(pk=job.pk, status=JobStatus.FAILED).update(
            status=JobStatus.QUEUED, error="", progress=0.0, updated_at=timezone.now()
        )
        job.refresh_from_db()
    if job.status == JobStatus.QUEUED or _stale(job):
        transaction.on_commit(lambda: render_preview_video.apply_async((job.pk,), queue=QUEUE))
    return job


@app.task(name="crieur.preview_video")
def render_preview_video(job_id: int) -> str:
    """Make a preview's video and keep it with its job."""
    if not claim(job_id):
        return "taken"
    job = MediaJob.objects.get(pk=job_id)
    try:
        value = _render(message_from_values(job.message), job_id)
    except Exception as error:  # noqa: BLE001
        _finish(job_id, status=JobStatus.FAILED, error=_failure(error))
        return JobStatus.FAILED
    body = bytes(value.body)  # type: ignore[arg-type]
    meta = {k: value.meta[k] for k in ("duration", "vtt", "transcript", "alt", "width", "height")}
    _finish(
        job_id,
        status=JobStatus.DONE,
        progress=1.0,
        stage="done",
        data=body,
        sha256=hashlib.sha256(body).hexdigest(),
        meta=meta,
    )
    return JobStatus.DONE
