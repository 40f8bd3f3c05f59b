"""Public CAP pages: an organisation's Atom feed of current alerts, and each emitted alert."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_GET

from gateway.alerts.feed import atom_feed
from gateway.alerts.models import CapAlert, Direction
from gateway.alerts.values import MEDIA_TYPE
from gateway.models import Organisation

FEED_MAX_AGE = 60  # a new alert reaches the feed's readers within a minute


@require_GET
def feed(request, slug: str) -> HttpResponse:
    organisation = get_object_or_404(Organisation, slug=slug)
    response = HttpResponse(atom_feed(organisation), content_type="application/atom+xml")
    response["Cache-Control"] = f"public, max-age={FEED_MAX_AGE}"
    return response


@require_GET
def alert(request, identifier: str) -> HttpResponse:
    row = (
        CapAlert.objects.filter(identifier=identifier, direction=Direction.OUT).only("xml").first()
    )
    if row is None:
        raise Http404("no such alert")
    response = HttpResponse(row.xml.encode("utf-8"), content_type=MEDIA_TYPE)
    # An emitted alert never changes: an edit or a cancellation is a new alert.
    response["Cache-Control"] = "public, max-age=86400, immutable"
    return response
