"""Pictures and video in the previews: the card an account's post will carry (its alt text,
TOO_LONG when the text cannot fit), served by the hash of what it shows, and the video made
on demand by the `media` queue with its progress.

A card preview is rendered when the preview is asked for (a few tens of milliseconds) and
kept in `$CRIEUR_MEDIA_DIR/preview/<hash>.jpg`; its URL carries the hash, so a browser
loads it once per text and the image request is a file read (or renders it again on a
machine that has not got it).
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.http import HttpResponse

from gateway.media.jobs import message_values
from gateway.media.models import MediaJob
from renderers.errors import RenderError
from renderers.message import Message

SIZES = {"card": (1080, 1350), "card-square": (1080, 1080)}


@dataclass
class CardPreview:
    form: str
    key: str  # the hash of what it shows: the URL's cache key
    alt: str
    width: int
    height: int
    error: RenderError | None = None


@dataclass
class AccountMedia:
    """What a preview card shows of an account's pictures and video."""

    card: CardPreview | None = None
    video: bool = False  # its posts carry the video: the preview offers to make it
    locale: str = ""
    extra: dict = field(default_factory=dict)


def card_key(message: Message, form: str) -> str:
    content = json.dumps(message_values(message), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(f"{form}\n{content}".encode()).hexdigest()


def _path(key: str) -> Path:
    return settings.MEDIA_DIR / "preview" / f"{key}.jpg"


def _render(message: Message, form: str) -> bytes:
    import renderers.visual

    render = renderers.visual.render_card if form == "card" else renderers.visual.render_card_square
    return bytes(render(message).body)  # type: ignore[arg-type]


def _keep(key: str, data: bytes) -> None:
    path = _path(key)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{key}.{os.getpid()}.{threading.get_ident()}")
    partial.write_bytes(data)
    os.replace(partial, path)


def preview_card(message: Message, form: str = "card") -> CardPreview:
    """The card of `message`, made now (and kept by its hash) or the reason it cannot be."""
    from renderers.visual import alt_text

    key = card_key(message, form)
    width, height = SIZES[form]
    preview = CardPreview(form, key, alt_text(message), width, height)
    if not _path(key).exists():
        try:
            _keep(key, _render(message, form))
        except RenderError as error:
            preview.error = error
    return preview


def card_response(message: Message, form: str) -> HttpResponse:
    """The card image of a preview (kept copy, or rendered again); 422 says why not."""
    if form not in SIZES:
        return HttpResponse(f"form: unknown card {form!r}", status=422, content_type="text/plain")
    key = card_key(message, form)
    path = _path(key)
    if path.exists():
        data = path.read_bytes()
    else:
        try:
            data = _render(message, form)
        except RenderError as error:
            return HttpResponse(str(error), status=422, content_type="text/plain; charset=utf-8")
        _keep(key, data)
    response = HttpResponse(data, content_type="image/jpeg")
    response["ETag"] = f'"{key}"'
    response["Cache-Control"] = "private, max-age=86400"  # the URL changes with the text
    return response


def job_out(job: MediaJob) -> dict:
    """A preview video job as the API and the console show it."""
    done = job.status == "done"
    return {
        "id": job.pk,
        "status": job.status,
        "progress": job.progress,
        "stage": job.stage,
        "error": job.error or None,
        "locale": job.locale,
        "duration": job.meta.get("duration") if done else None,
        "vtt": job.meta.get("vtt") if done else None,
        "transcript": job.meta.get("transcript") if done else None,
        "alt": job.meta.get("alt") if done else None,
    }


def video_response(job: MediaJob, kind: str) -> HttpResponse:
    """The preview's MP4 or its captions; 404 until it is made."""
    if job.status != "done":
        return HttpResponse("not made yet", status=404, content_type="text/plain")
    if kind == "vtt":
        response = HttpResponse(job.meta.get("vtt", ""), content_type="text/vtt; charset=utf-8")
    else:
        response = HttpResponse(bytes(job.data or b""), content_type="video/mp4")
    response["ETag"] = f'"{job.sha256}"'
    response["Cache-Control"] = "private, max-age=86400"
    return response
