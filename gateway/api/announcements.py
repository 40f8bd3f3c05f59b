"""Announcements: create, read, preview every rendition, publish, list deliveries."""

from __future__ import annotations

import tempfile
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Router, Status

from gateway.api.schemas import (
    AnnouncementIn,
    AnnouncementOut,
    DeliveriesOut,
    Error,
    PreviewOut,
    PublishOut,
    ReachOut,
)
from gateway.mapping import public_url, to_message
from gateway.models import Announcement, Delivery
from gateway.publishing import WorkflowError, create_announcement, publish
from gateway.renditions import preview as render_preview
from gateway.renditions import preview_warnings
from gateway.routing.reach import estimate_reach
from renderers.voice import AudioUnavailableError, audio_preview, render_voice

router = Router(tags=["announcements"])


def _own(request, announcement_id: int) -> Announcement:
    """The caller's announcement; another organisation's answers 404 like a missing one."""
    return get_object_or_404(
        Announcement.objects.select_related("organisation").prefetch_related(
            "texts", "topics", "areas"
        ),
        pk=announcement_id,
        organisation=request.organisation,
    )


def _out(announcement: Announcement) -> dict:
    return {
        "id": announcement.pk,
        "status": announcement.status,
        "urgency": announcement.urgency,
        "locale": announcement.locale,
        "topics": [t.slug for t in announcement.topics.all()],
        "areas": [a.slug for a in announcement.areas.all()],
        "links": announcement.links,
        "contact": announcement.contact,
        "verification_code": announcement.verification_code,
        "public_url": public_url(announcement),
        "published_at": announcement.published_at,
        "texts": [
            {"locale": t.locale, "title": t.title, "summary": t.summary, "body": t.body}
            for t in announcement.texts.all()
        ],
    }


@router.post("", response={201: AnnouncementOut, 422: Error})
def create(request, payload: AnnouncementIn):
    try:
        announcement = create_announcement(
            request.organisation, payload.dict(), author=request.user
        )
    except ValueError as exc:
        return Status(422, {"detail": str(exc)})
    return Status(201, _out(_own(request, announcement.pk)))


@router.get("/{announcement_id}", response={200: AnnouncementOut, 404: Error})
def read(request, announcement_id: int):
    return _out(_own(request, announcement_id))


@router.get("/{announcement_id}/preview", response={200: PreviewOut, 404: Error, 422: Error})
def preview(request, announcement_id: int, locale: str | None = None):
    """Every rendition as it will be sent (a RenderError answers 422 naming the form)."""
    announcement = _own(request, announcement_id)
    if locale and locale not in dict(settings.LANGUAGES):
        known = ", ".join(code for code, _ in settings.LANGUAGES)
        return Status(422, {"detail": f"locale: unknown locale {locale!r} (known: {known})"})
    renditions = render_preview(announcement, locale)
    return {
        "locale": locale or announcement.locale,
        "warnings": preview_warnings(announcement, locale, renditions),
        "renditions": [
            {
                "form": r.form,
                "locale": r.locale,
                "media_type": r.media_type,
                "text": r.body if isinstance(r.body, str) else None,
                "meta": {
                    k: v if isinstance(v, (int, float, str, bool, type(None))) else str(v)
                    for k, v in r.meta.items()
                },
            }
            for r in renditions.values()
        ],
    }


@router.get(
    "/{announcement_id}/preview/audio",
    response={200: None, 404: Error, 422: Error, 503: Error},
    openapi_extra={"responses": {"200": {"content": {"audio/wav": {}}}}},
)
def preview_audio(request, announcement_id: int, locale: str | None = None):
    """The call's script spoken offline (espeak-ng); 503 says why when audio is unavailable."""
    announcement = _own(request, announcement_id)
    if locale and locale not in announcement.locales:
        return Status(422, {"detail": f"locale: no translation in {locale!r}"})
    rendition = render_voice(to_message(announcement, locale))
    with tempfile.TemporaryDirectory() as folder:
        try:
            wav = audio_preview(rendition.meta["script"], rendition.locale, Path(folder) / "p.wav")
        except AudioUnavailableError as exc:
            return Status(503, {"detail": str(exc)})
        return HttpResponse(wav.read_bytes(), content_type="audio/wav")


@router.get("/{announcement_id}/reach", response={200: ReachOut, 404: Error})
def reach(request, announcement_id: int):
    """Who would be reached if published now: counts per channel, language and area."""
    return estimate_reach(_own(request, announcement_id))


@router.post(
    "/{announcement_id}/publish",
    response={202: PublishOut, 403: Error, 404: Error, 409: Error, 422: Error},
)
def publish_now(request, announcement_id: int):
    announcement = _own(request, announcement_id)
    try:
        with transaction.atomic():
            publish(announcement, actor=request.user)
    except WorkflowError as exc:
        return Status(
            403 if exc.code in ("forbidden", "self_approval") else 409, {"detail": str(exc)}
        )
    announcement.refresh_from_db()
    return Status(202, {"id": announcement.pk, "status": announcement.status})


@router.get("/{announcement_id}/deliveries", response={200: DeliveriesOut, 404: Error})
def deliveries(
    request,
    announcement_id: int,
    status: str | None = None,
    channel: str | None = None,
    offset: int = 0,
    limit: int = 100,
):
    announcement = _own(request, announcement_id)
    rows = Delivery.objects.filter(announcement=announcement)
    if status:
        rows = rows.filter(status=status)
    if channel:
        rows = rows.filter(channel=channel)
    limit = max(1, min(limit, 1000))
    counts = (
        rows.values("channel", "locale", "status")
        .annotate(count=Count("pk"))
        .order_by("channel", "locale", "status")
    )
    items = rows.select_related("citizen").order_by("pk")[max(0, offset) : max(0, offset) + limit]
    return {
        "count": rows.count(),
        "counts": list(counts),
        "items": [
            {
                "id": d.pk,
                "channel": d.channel,
                "locale": d.locale,
                "status": d.status,
                "citizen": d.citizen.reference if d.citizen else None,
                "provider": d.provider,
                "provider_ref": d.provider_ref,
                "attempts": d.attempts,
                "last_error": d.last_error,
                "cost": str(d.cost) if d.cost is not None else None,
                "sent_at": d.sent_at,
                "delivered_at": d.delivered_at,
            }
            for d in items
        ],
    }
