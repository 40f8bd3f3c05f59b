"""`POST /api/cap`: import a CAP 1.2 alert (the XML as the body, or a multipart `file`);
`/api/cap/feeds`: the CAP Atom feeds the organisation polls."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from django.db import transaction
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError

from gateway.alerts.importer import import_alert
from gateway.alerts.models import CapFeed, FeedRule
from gateway.alerts.parse import CapError
from gateway.api.errors import errors
from gateway.api.params import Id
from gateway.api.security import needs
from gateway.models import AuditEvent

router = Router(tags=["cap"])


class CapImportOut(Schema):
    action: str  # created, updated, cancelled, published, duplicate, nothing
    announcement: int | None
    identifier: str
    sender: str
    sent: str
    status: str
    msg_type: str
    exercise: bool
    notes: list[str]
    would_create: dict | None = None


@router.post(
    "",
    response={200: CapImportOut, 201: CapImportOut, **errors(body=True)},
    auth=needs("write"),
    openapi_extra={
        "requestBody": {
            "content": {
                "application/cap+xml": {"schema": {"type": "string"}},
                "application/xml": {"schema": {"type": "string"}},
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "properties": {"file": {"type": "string", "format": "binary"}},
                    }
                },
            }
        }
    },
)
def import_cap(request, dry_run: bool = False):
    """Import a CAP 1.2 alert: an Alert becomes a draft (one translation per `<info>`), an
    Update a draft that follows the announcement it references, a Cancel cancels it. Test and
    Exercise alerts become exercises (publish needs `?exercise=true`). An alert already
    imported answers 200 with `action: duplicate`. `?dry_run=true` writes nothing. A document
    that is not CAP 1.2, or breaks one of its rules, is a 422 naming the element and the rule."""
    if request.content_type == "multipart/form-data":
        upload = request.FILES.get("file")
        if upload is None:
            raise HttpError(422, "file: missing (a multipart field named file)")
        data = upload.read()
    else:
        data = request.body
    try:
        result = import_alert(
            request.auth.organisation, data, dry_run=dry_run, actor=request.auth.user
        )
    except CapError as exc:
        raise HttpError(422, str(exc)) from None
    except ValueError as exc:  # a slug or a reference the organisation does not have
        raise HttpError(422, str(exc)) from None
    alert = result.alert
    out = {
        "action": result.action,
        "announcement": result.announcement_id,
        "identifier": alert.identifier,
        "sender": alert.sender,
        "sent": alert.sent,
        "status": alert.status,
        "msg_type": alert.msg_type,
        "exercise": alert.status in ("Test", "Exercise"),
        "notes": result.notes,
        "would_create": _jsonable(result.data) if dry_run and result.data else None,
    }
    created = not dry_run and result.action in ("created", "updated", "published")
    return Status(201 if created else 200, out)


def _jsonable(data: dict) -> dict:
    return {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in data.items()}


class FeedIn(Schema):
    url: str = Field(pattern=r"^https?://[^\s/]+\S*$", max_length=500)
    publish_severities: list[Literal["Extreme", "Severe", "Moderate", "Minor", "Unknown"]] = Field(
        [], description="Alerts of these CAP severities are published at once; none: drafts."
    )
    enabled: bool = True


class FeedOut(Schema):
    id: int
    url: str
    rule: str
    publish_severities: list[str]
    enabled: bool
    last_polled_at: datetime | None
    last_error: str


FEED_FIELDS = ("id", "url", "rule", "publish_severities", "enabled", "last_polled_at", "last_error")


@router.get("/feeds", response={200: list[FeedOut], **errors()}, auth=needs("read"))
def list_feeds(request):
    """The CAP Atom feeds the organisation polls (every `CRIEUR_CAP_FEED_SECONDS`)."""
    feeds = CapFeed.objects.filter(organisation=request.auth.organisation).order_by("pk")
    return list(feeds.values(*FEED_FIELDS))


@router.post("/feeds", response={201: FeedOut, **errors(body=True)}, auth=needs("admin"))
def add_feed(request, payload: FeedIn):
    """Poll this feed: only alerts for the organisation's areas are imported, as drafts, or
    published at once when of `publish_severities`. The same URL again changes its rule."""
    severities = list(dict.fromkeys(payload.publish_severities))
    with transaction.atomic():
        feed, _ = CapFeed.objects.update_or_create(
            organisation=request.auth.organisation,
            url=payload.url,
            defaults={
                "rule": FeedRule.PUBLISH if severities else FeedRule.DRAFT,
                "publish_severities": severities,
                "enabled": payload.enabled,
            },
        )
        AuditEvent.record("cap_feed.saved", feed, actor=request.auth.user, url=feed.url)
    return Status(201, {f: getattr(feed, f) for f in FEED_FIELDS})


@router.delete("/feeds/{feed_id}", response={204: None, **errors(404)}, auth=needs("admin"))
def remove_feed(request, feed_id: Id):
    feed = get_object_or_404(CapFeed, pk=feed_id, organisation=request.auth.organisation)
    with transaction.atomic():
        AuditEvent.record("cap_feed.removed", feed, actor=request.auth.user, url=feed.url)
        feed.delete()
    return Status(204, None)
