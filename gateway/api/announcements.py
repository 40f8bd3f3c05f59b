"""Announcements: create, list, read, edit, preview, the approval workflow, deliveries, report."""

# No `from __future__ import annotations`: ninja resolves the annotations of @paginate views
# in ninja.pagination, where these names do not exist.
import tempfile
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, Q, Sum
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Router, Status
from ninja.errors import HttpError
from ninja.pagination import paginate

from gateway import publishing
from gateway.accounts.preview import account_cards
from gateway.api.errors import errors, workflow_status
from gateway.api.params import Id, Limit, Offset, Pages
from gateway.api.schemas import (
    AnnouncementIn,
    AnnouncementOut,
    AnnouncementPatch,
    AuditEventOut,
    DeliveriesOut,
    PreviewOut,
    PreviewVideoOut,
    ReachOut,
    RejectIn,
    ReportOut,
    ScheduleIn,
    StatusOut,
)
from gateway.api.security import needs
from gateway.costs import cost_report
from gateway.mapping import public_url, to_message
from gateway.media.jobs import start_preview
from gateway.media.models import MediaJob
from gateway.media.preview import card_response, job_out, video_response
from gateway.messaging.feedback import counts as email_feedback
from gateway.messaging.renditions import template_preview, template_warnings
from gateway.models import Announcement, AuditEvent, Delivery, InboundMessage
from gateway.renditions import preview as render_preview
from gateway.renditions import preview_warnings
from gateway.routing.reach import reach_of
from renderers.errors import RenderError
from renderers.message import Rendition as RenditionValue
from renderers.voice import AudioUnavailableError, audio_preview, render_voice

router = Router(tags=["announcements"])
REPORT_KEPT_SECONDS = 5


def _own(request, announcement_id: int) -> Announcement:
    """The caller's announcement; another organisation's answers 404 like a missing one."""
    return get_object_or_404(
        Announcement.objects.select_related("organisation").prefetch_related(
            "texts", "topics", "areas"
        ),
        pk=announcement_id,
        organisation=request.auth.organisation,
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
        "scheduled_at": announcement.scheduled_at,
        "published_at": announcement.published_at,
        "texts": [
            {"locale": t.locale, "title": t.title, "summary": t.summary, "body": t.body}
            for t in announcement.texts.all()
        ],
        "exercise": announcement.exercise,
        "follows": announcement.follows_id,
    }


def _step(request, announcement_id: int, step, **kwargs) -> dict:
    """Run one workflow step in a transaction; WorkflowError → 403 or 409."""
    announcement = _own(request, announcement_id)
    try:
        with transaction.atomic():
            result = step(announcement, actor=request.auth.user, **kwargs)
    except publishing.WorkflowError as exc:
        raise HttpError(workflow_status(exc.code), str(exc)) from None
    announcement.refresh_from_db()
    out = {"id": announcement.pk, "status": announcement.status}
    out["scheduled_at"] = announcement.scheduled_at
    if step is publishing.cancel:
        out["cancelled_deliveries"] = result
    return out


@router.post("", response={201: AnnouncementOut, **errors(body=True)}, auth=needs("write"))
def create(request, payload: AnnouncementIn):
    try:
        announcement = publishing.create_announcement(
            request.auth.organisation, payload.dict(), author=request.auth.user
        )
    except ValueError as exc:
        return Status(422, {"detail": str(exc)})
    return Status(201, _out(_own(request, announcement.pk)))


@router.post(
    "/{announcement_id}/follow-up",
    response={201: AnnouncementOut, **errors(404, 409)},
    auth=needs("write"),
)
def follow_up(request, announcement_id: Id):
    """A published announcement is never edited: this makes a draft copy that follows it, to
    correct or extend it (edit it, then approve and publish: its CAP alert is an Update that
    references the earlier alerts). 409 unless the announcement is sending or sent."""
    announcement = _own(request, announcement_id)
    try:
        with transaction.atomic():
            created = publishing.follow_up(announcement, actor=request.auth.user)
    except publishing.WorkflowError as exc:
        raise HttpError(workflow_status(exc.code), str(exc)) from None
    return Status(201, _out(_own(request, created.pk)))


@router.get("", response={200: list[AnnouncementOut], **errors()}, auth=needs("read"))
@paginate(Pages)
def list_announcements(
    request, status: str | None = None, urgency: str | None = None, topic: str | None = None
):
    """Newest first; filter by `status`, `urgency`, `topic` (slug)."""
    rows = Announcement.objects.filter(organisation=request.auth.organisation)
    if status:
        rows = rows.filter(status=status)
    if urgency:
        rows = rows.filter(urgency=urgency)
    if topic:
        rows = rows.filter(topics__slug=topic)
    rows = rows.select_related("organisation").prefetch_related("texts", "topics", "areas")
    return [_out(a) for a in rows.order_by("-created_at", "-pk")]


@router.get(
    "/{announcement_id}", response={200: AnnouncementOut, **errors(404)}, auth=needs("read")
)
def read(request, announcement_id: Id):
    return _out(_own(request, announcement_id))


@router.patch(
    "/{announcement_id}",
    response={200: AnnouncementOut, **errors(404, 409, body=True)},
    auth=needs("write"),
)
def edit(request, announcement_id: Id, payload: AnnouncementPatch):
    """Change what is given. An approved or scheduled announcement goes back to pending
    approval (an edit needs a new approval); once sending, 409."""
    data = payload.dict(exclude_none=True)  # null, like absent, leaves a field unchanged
    try:
        _step(request, announcement_id, publishing.edit, data=data)
    except ValueError as exc:
        return Status(422, {"detail": str(exc)})
    return _out(_own(request, announcement_id))


@router.get(
    "/{announcement_id}/preview",
    response={200: PreviewOut, **errors(404)},
    auth=needs("read"),
)
def preview(request, announcement_id: Id, locale: str | None = None):
    """Every rendition as it will be sent (a RenderError answers 422 naming the form)."""
    announcement = _own(request, announcement_id)
    if locale and locale not in dict(settings.LANGUAGES):
        known = ", ".join(code for code, _ in settings.LANGUAGES)
        return Status(422, {"detail": f"locale: unknown locale {locale!r} (known: {known})"})
    renditions = render_preview(announcement, locale, skip_unsupported=True)
    renditions.update(template_preview(announcement, locale))
    cards = account_cards(
        announcement.organisation,
        lambda code: to_message(announcement, code),
        announcement.locales,
        source=announcement.locale,
        fallback=announcement.fallback_locale,
    )
    return {
        "locale": locale or announcement.locale,
        "warnings": preview_warnings(announcement, locale, renditions)
        + [w for card in cards for w in card.warnings()]
        + template_warnings(announcement, [locale or announcement.locale]),
        "renditions": [_rendition_out(r) for r in renditions.values()],
        "accounts": [
            {
                "account": card.account_id,
                "kind": card.kind,
                "label": card.label,
                "status": card.status,
                "rendition": _rendition_out(card.rendition)
                if isinstance(card.rendition, RenditionValue)
                else None,
                "error": str(card.rendition) if isinstance(card.rendition, RenderError) else None,
                "media": _media_out(announcement, card.media),
                "warnings": card.warnings(),
            }
            for card in cards
        ],
    }


def _media_out(announcement: Announcement, media) -> dict | None:
    if media is None:
        return None
    base = f"/api/announcements/{announcement.pk}/preview"
    out: dict = {"card": None, "video": None}
    if media.card is not None:
        card = media.card
        out["card"] = {
            "form": card.form,
            "url": f"{base}/card.jpg?locale={media.locale}&v={card.key[:16]}",
            "alt": card.alt,
            "width": card.width,
            "height": card.height,
            "error": str(card.error) if card.error else None,
        }
    if media.video:
        out["video"] = f"{base}/video?locale={media.locale}"
    return out


@router.get(
    "/{announcement_id}/preview/card.jpg",
    response={200: None, **errors(404)},
    openapi_extra={"responses": {200: {"content": {"image/jpeg": {}}}}},
    auth=needs("read"),
)
def preview_card_image(request, announcement_id: Id, locale: str | None = None, form: str = "card"):
    """The card (or `form=card-square`) as it would be posted now; 422 says why it cannot be."""
    announcement = _own(request, announcement_id)
    if locale and locale not in announcement.locales:
        return Status(422, {"detail": f"locale: no translation in {locale!r}"})
    return card_response(to_message(announcement, locale), form)


def _video_out(announcement: Announcement, job) -> dict:
    out = job_out(job)
    base = f"/api/announcements/{announcement.pk}/preview/video/{job.pk}"
    done = job.status == "done"
    out.update(
        url=f"{base}/video.mp4" if done else None,
        captions_url=f"{base}/captions.vtt" if done else None,
    )
    return out


@router.post(
    "/{announcement_id}/preview/video",
    response={202: PreviewVideoOut, **errors(404)},
    auth=needs("read"),
)
def preview_video(request, announcement_id: Id, locale: str | None = None):
    """Make the video as it would be posted now, on the `media` queue (the same text is made
    once); poll the answer's job until `done`, then play `url` with `captions_url`."""
    announcement = _own(request, announcement_id)
    if locale and locale not in announcement.locales:
        return Status(422, {"detail": f"locale: no translation in {locale!r}"})
    job = start_preview(announcement.organisation_id, to_message(announcement, locale))
    return Status(202, _video_out(announcement, job))


def _own_job(request, announcement: Announcement, job_id: int):
    return get_object_or_404(
        MediaJob, pk=job_id, organisation=request.auth.organisation, key__startswith="preview:"
    )


@router.get(
    "/{announcement_id}/preview/video/{job_id}",
    response={200: PreviewVideoOut, **errors(404)},
    auth=needs("read"),
)
def preview_video_status(request, announcement_id: Id, job_id: Id):
    announcement = _own(request, announcement_id)
    return _video_out(announcement, _own_job(request, announcement, job_id))


@router.get(
    "/{announcement_id}/preview/video/{job_id}/{name}",
    response={200: None, **errors(404)},
    openapi_extra={"responses": {200: {"content": {"video/mp4": {}, "text/vtt": {}}}}},
    auth=needs("read"),
)
def preview_video_file(request, announcement_id: Id, job_id: Id, name: str):
    """The preview's `video.mp4` or `captions.vtt`, once made."""
    announcement = _own(request, announcement_id)
    kinds = {"video.mp4": "mp4", "captions.vtt": "vtt"}
    if name not in kinds:
        return Status(404, {"detail": f"no file {name!r}"})
    return video_response(_own_job(request, announcement, job_id), kinds[name])


def _rendition_out(r: RenditionValue) -> dict:
    return {
        "form": r.form,
        "locale": r.locale,
        "media_type": r.media_type,
        "text": r.body if isinstance(r.body, str) else None,
        "meta": {
            k: v if isinstance(v, (int, float, str, bool, type(None))) else str(v)
            for k, v in r.meta.items()
        },
    }


@router.get(
    "/{announcement_id}/preview/audio",
    response={200: None, **errors(404, 503)},
    openapi_extra={"responses": {200: {"content": {"audio/wav": {}}}}},  # int: one "200" key
    auth=needs("read"),
)
def preview_audio(request, announcement_id: Id, locale: str | None = None):
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


@router.get("/{announcement_id}/reach", response={200: ReachOut, **errors(404)}, auth=needs("read"))
def reach(request, announcement_id: Id):
    """Who would be reached if published now: counts per channel, language and area."""
    return reach_of(_own(request, announcement_id))


@router.post(
    "/{announcement_id}/submit", response={200: StatusOut, **errors(404, 409)}, auth=needs("write")
)
def submit(request, announcement_id: Id):
    """Ask for approval: draft → pending_approval."""
    return _step(request, announcement_id, publishing.submit)


@router.post(
    "/{announcement_id}/approve",
    response={200: StatusOut, **errors(404, 409)},
    auth=needs("approve"),
)
def approve(request, announcement_id: Id):
    """pending_approval → approved; 403 for the author or last editor (no self-approval)."""
    return _step(request, announcement_id, publishing.approve)


@router.post(
    "/{announcement_id}/reject",
    response={200: StatusOut, **errors(404, 409, body=True)},
    auth=needs("approve"),
)
def reject(request, announcement_id: Id, payload: RejectIn):
    """pending_approval → draft, with the reason for the author."""
    return _step(request, announcement_id, publishing.reject, reason=payload.reason)


@router.post(
    "/{announcement_id}/schedule",
    response={200: StatusOut, **errors(404, 409, body=True)},
    auth=needs("publish"),
)
def schedule(request, announcement_id: Id, payload: ScheduleIn):
    """approved → scheduled: published at `scheduled_at` (checked every minute). Every form is
    rendered now: a text that cannot fit answers 422 naming the form."""
    return _step(request, announcement_id, publishing.schedule, when=payload.scheduled_at)


@router.post(
    "/{announcement_id}/publish",
    response={202: StatusOut, **errors(404, 409)},
    auth=needs("publish"),
)
def publish_now(request, announcement_id: Id, exercise: bool = False):
    """Publish an approved announcement now (an urgent draft too, with the alert right). An
    exercise (from a CAP Test or Exercise alert) is sent to citizens only with
    `?exercise=true`; without it, 409."""
    return Status(202, _step(request, announcement_id, publishing.publish, exercise=exercise))


@router.post(
    "/{announcement_id}/cancel",
    response={200: StatusOut, **errors(404, 409)},
    auth=needs("approve"),
)
def cancel(request, announcement_id: Id):
    """Cancel; deliveries not yet sent are stopped (`cancelled_deliveries`)."""
    return _step(request, announcement_id, publishing.cancel)


@router.get(
    "/{announcement_id}/deliveries",
    response={200: DeliveriesOut, **errors(404)},
    auth=needs("read"),
)
def deliveries(
    request,
    announcement_id: Id,
    status: str | None = None,
    channel: str | None = None,
    locale: str | None = None,
    offset: Offset = 0,
    limit: Limit = 100,
):
    """Counts per channel/locale/status and the deliveries, filtered and paginated."""
    announcement = _own(request, announcement_id)
    rows = Delivery.objects.filter(announcement=announcement)
    if status:
        rows = rows.filter(status=status)
    if channel:
        rows = rows.filter(channel=channel)
    if locale:
        rows = rows.filter(locale=locale)
    limit = max(1, min(limit, 1000))
    offset = max(0, offset)
    counts = list(
        rows.values("channel", "locale", "status")
        .annotate(count=Count("pk"))
        .order_by("channel", "locale", "status")
    )
    items = rows.select_related("citizen").order_by("pk")[offset : offset + limit]
    return {
        "count": sum(row["count"] for row in counts),
        "counts": counts,
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


@router.get(
    "/{announcement_id}/report", response={200: ReportOut, **errors(404)}, auth=needs("read")
)
def report(request, announcement_id: Id):
    """Who was reached: per channel, locale and status; confirmations; costs; replies.

    Counting every delivery of a town takes a while: the report is made at most once every
    few seconds (`computed_at` says when) however many agents watch it."""
    announcement = _own(request, announcement_id)
    key = f"crieur:report:{announcement.pk}:{announcement.status}:{announcement.updated_at:%s.%f}"
    found = cache.get(key)
    if found is None:
        found = _report(announcement)
        cache.set(key, found, REPORT_KEPT_SECONDS)
    return found


def _report(announcement: Announcement) -> dict:
    rows = list(
        Delivery.objects.filter(announcement=announcement)
        .values("channel", "locale", "status")
        .annotate(
            count=Count("pk"),
            confirmed=Count("pk", filter=Q(confirmed_at__isnull=False)),
            cost=Sum("cost"),
        )
        .order_by("channel", "locale", "status")
    )
    costs = cost_report(announcement)
    return {
        "computed_at": timezone.now(),
        "id": announcement.pk,
        "status": announcement.status,
        "published_at": announcement.published_at,
        "total": sum(r["count"] for r in rows),
        "confirmed": sum(r["confirmed"] for r in rows),
        "cost": costs["actual"],
        "currency": announcement.organisation.currency,
        "replies": InboundMessage.objects.filter(announcement=announcement).count(),
        "rows": [{**r, "cost": str(r["cost"] or Decimal(0))} for r in rows],
        "costs": costs,
        "email": email_feedback(announcement.pk),
    }


@router.get(
    "/{announcement_id}/audit",
    response={200: list[AuditEventOut], **errors(404)},
    auth=needs("read"),
)
def audit(request, announcement_id: Id):
    """Every step of the announcement: who, what, when, before/after."""
    announcement = _own(request, announcement_id)
    events = AuditEvent.objects.filter(
        organisation=announcement.organisation,
        object_type="announcement",
        object_id=str(announcement.pk),
    ).select_related("actor")
    return [
        {
            "action": e.action,
            "actor": e.actor.get_username() if e.actor else None,
            "at": e.at,
            "data": e.data,
        }
        for e in events
    ]
