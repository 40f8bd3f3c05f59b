"""The archived card, video, captions and transcript under the verification page.

    /v/<code>/card.jpg          the 1080×1350 card   ?lang=<locale> (default: the announcement's)
    /v/<code>/card-square.jpg   the 1080×1080 card
    /v/<code>/video.mp4         the short video (HTTP Range: browsers seek, Meta fetches)
    /v/<code>/captions.<locale>.vtt, /v/<code>/transcript.<locale>.txt

The URL names the bytes (no language negotiation: `?lang=` or the path says which), and the
archive never changes, so every answer is cached for a year as immutable, its ETag the
SHA-256 the page lists. Instagram's `image_url` is the card's URL here.
"""

from __future__ import annotations

import hashlib

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_safe
from werkzeug.http import parse_range_header

from gateway.media.store import MediaMissingError, archived_row, row_file
from gateway.models import Announcement
from gateway.ratelimit import rate_limited
from gateway.verification import PUBLIC, published

FILES = {"card.jpg": "card", "card-square.jpg": "card-square", "video.mp4": "video"}
IMMUTABLE = "public, max-age=31536000, immutable"


def _announcement(code: str) -> Announcement:
    return published(code, with_renditions=False)


def _locale(request: HttpRequest, announcement: Announcement) -> str:
    wanted = request.GET.get("lang", "").replace("-", "_").lower()
    return wanted if wanted in announcement.locales else announcement.locale


def _unchanged(request: HttpRequest, etag: str) -> bool:
    return etag in [tag.strip() for tag in request.headers.get("If-None-Match", "").split(",")]


def _cached(response: HttpResponse, etag: str) -> HttpResponse:
    response["ETag"] = etag
    response["Cache-Control"] = IMMUTABLE
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_safe
@rate_limited(PUBLIC)
def media_file(request: HttpRequest, code: str, name: str) -> HttpResponse:
    """The card or the video, whole or by range."""
    form = FILES.get(name)
    if form is None:
        raise Http404(name)
    announcement = _announcement(code)
    locale = _locale(request, announcement)
    try:
        row = archived_row(announcement.pk, form, locale)
    except MediaMissingError:
        raise Http404(name) from None
    etag = f'"{row.sha256}"'
    if _unchanged(request, etag):
        return _cached(HttpResponse(status=304), etag)
    path = row_file(row)
    size = path.stat().st_size
    wanted = request.headers.get("Range")
    if_range = request.headers.get("If-Range")
    if wanted and (if_range is None or if_range == etag):
        ranges = parse_range_header(wanted)
        if ranges is None or ranges.units != "bytes":
            wanted = None  # unreadable or several ranges: the whole file (RFC 9110 allows it)
        else:
            span = ranges.range_for_length(size)
            if span is None:
                response = HttpResponse(status=416)
                response["Content-Range"] = f"bytes */{size}"
                return _cached(response, etag)
            start, stop = span
            with path.open("rb") as file:
                file.seek(start)
                part = file.read(stop - start)
            response = HttpResponse(part, status=206, content_type=row.media_type)
            response["Content-Range"] = ranges.to_content_range_header(size)
            response["Accept-Ranges"] = "bytes"
            return _cached(response, etag)
    response = FileResponse(path.open("rb"), content_type=row.media_type)
    response["Accept-Ranges"] = "bytes"
    response["Content-Disposition"] = (
        f'inline; filename="{announcement.verification_code}-{locale}-{name}"'
    )
    return _cached(response, etag)


@require_safe
@rate_limited(PUBLIC)
def video_text(request: HttpRequest, code: str, kind: str, locale: str) -> HttpResponse:
    """The video's captions (WebVTT) or transcript (plain text) in `locale`."""
    announcement = _announcement(code)
    try:
        row = archived_row(announcement.pk, "video", locale)
    except MediaMissingError:
        raise Http404(locale) from None
    if kind == "captions":
        text, media_type = str(row.meta.get("vtt", "")), "text/vtt; charset=utf-8"
    else:
        text, media_type = str(row.meta.get("transcript", "")), "text/plain; charset=utf-8"
    data = text.encode("utf-8")
    etag = f'"{hashlib.sha256(data).hexdigest()}"'
    if _unchanged(request, etag):
        return _cached(HttpResponse(status=304), etag)
    response = HttpResponse(data, content_type=media_type)
    response["Access-Control-Allow-Origin"] = "*"  # a <track> may be read from another origin
    return _cached(response, etag)
