"""Where the bytes of the cards and videos live, and each machine's copy of them.

They are kept in the database: the archive's `Rendition.data` (as the notice PDFs already
are), a preview's `MediaJob.data`. That is the one store every web process and worker sees,
on any number of machines, written in the same transaction as the archive row and its SHA-256,
and backed up with it; a card is about 140 KiB, a minute of video a few MiB. Hot paths never
load it: a delivery batch and the verification page read the rows without `data`. Each
machine keeps the files it serves or attaches in a cache folder named by their SHA-256
(`CRIEUR_MEDIA_DIR`, default `$CRIEUR_DATA_DIR/media`), so a video played by ranges, or a
card attached to every post of a batch, is read from the database once per machine. A copy
whose hash does not match is never used: it is fetched again.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Callable
from pathlib import Path

from django.conf import settings

from gateway.models import Rendition
from renderers.message import Rendition as RenditionValue


class MediaMissingError(LookupError):
    """The archive has no such file (not made yet, or not for this locale)."""


def cache_path(sha256: str) -> Path:
    return settings.MEDIA_DIR / sha256[:2] / sha256


def cached_file(sha256: str, load: Callable[[], bytes]) -> Path:
    """The local copy of the bytes whose SHA-256 is `sha256`, loaded once with `load()`."""
    path = cache_path(sha256)
    if path.exists():
        return path
    data = load()
    if hashlib.sha256(data).hexdigest() != sha256:
        raise ValueError(f"the stored bytes do not match their SHA-256 {sha256[:12]}…")
    path.parent.mkdir(parents=True, exist_ok=True)
    # Written aside then renamed: a reader never sees half a file, two writers the same bytes.
    partial = path.with_name(f".{sha256}.{os.getpid()}.{threading.get_ident()}")
    partial.write_bytes(data)
    os.replace(partial, path)
    return path


def archived_row(announcement_id: int, form: str, locale: str) -> Rendition:
    """The archive row without its bytes; MediaMissingError when there is none."""
    row = (
        Rendition.objects.defer("data", "text")
        .filter(announcement_id=announcement_id, form=form, locale=locale)
        .first()
    )
    if row is None:
        raise MediaMissingError(f"no {form} archived in {locale!r}")
    return row


def row_file(row: Rendition) -> Path:
    """The archived file of `row` (a row read without its bytes) on this machine."""

    def load() -> bytes:
        data = Rendition.objects.filter(pk=row.pk).values_list("data", flat=True).get()
        return bytes(data or b"")

    return cached_file(row.sha256, load)


def archived_file(announcement_id: int, form: str, locale: str) -> RenditionValue:
    """The archived card or video with its bytes, read from this machine's copy."""
    row = archived_row(announcement_id, form, locale)
    return RenditionValue(
        form=row.form,
        locale=row.locale,
        media_type=row.media_type,
        body=row_file(row).read_bytes(),
        meta=row.meta,
    )
