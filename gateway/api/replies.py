"""Inbound replies: what citizens sent back (read only)."""

# No `from __future__ import annotations`: ninja resolves the annotations of @paginate views
# in ninja.pagination, where these names do not exist.
from ninja import Router
from ninja.pagination import paginate

from gateway.api.errors import errors
from gateway.api.params import IdFilter, Pages, Since
from gateway.api.schemas import InboundMessageOut
from gateway.api.security import needs
from gateway.models import InboundMessage

router = Router(tags=["replies"])


@router.get("", response={200: list[InboundMessageOut], **errors()}, auth=needs("read"))
@paginate(Pages)
def list_replies(
    request,
    announcement: IdFilter = None,
    channel: str | None = None,
    keyword: str | None = None,
    since: Since = None,
):
    """Newest first; filter by `announcement` id, `channel`, `keyword`, `since`."""
    rows = InboundMessage.objects.filter(organisation=request.auth.organisation)
    if announcement is not None:
        rows = rows.filter(announcement_id=announcement)
    if channel:
        rows = rows.filter(channel=channel)
    if keyword:
        rows = rows.filter(keyword__iexact=keyword)
    if since:
        rows = rows.filter(received_at__gte=since)
    return [
        {
            "id": m.pk,
            "channel": m.channel,
            "citizen": m.citizen.reference if m.citizen else None,
            "announcement": m.announcement_id,
            "keyword": m.keyword,
            "body": m.body,
            "received_at": m.received_at,
        }
        for m in rows.select_related("citizen")
    ]
