"""Serving the archived video by ranges, and reading the card for a batch of posts: this
machine's copy named by SHA-256 (gateway/media/store.py) against a baseline that reads the
bytes from the database for every request, as a store without the copy would.

    .venv/bin/python bench/media.py [--requests 300] [--database postgres://…]

Both run in the same process, alternately in rounds (the best round of each is kept), on the
same rows: a 4 MiB "video" and a 140 KiB "card" of random bytes. Figures go in
bench/README.md.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

VIDEO_BYTES = 4 * 1024 * 1024
CARD_BYTES = 140 * 1024
RANGE = 256 * 1024  # what a browser asks for at a time while playing


def setup(database: str | None) -> None:
    data = Path(tempfile.mkdtemp(prefix="crieur-bench-media-"))
    os.environ.update(
        DATABASE_URL=database or f"sqlite:///{data / 'bench.sqlite3'}",
        CRIEUR_DATA_DIR=str(data),
        CRIEUR_PUBLIC_RATE="1000000",
        CRIEUR_PUBLIC_BURST="1000000",
        DJANGO_SETTINGS_MODULE="gateway.settings",
    )
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def archive():
    from django.utils import timezone

    from gateway.models import Announcement, Organisation, Rendition

    org = Organisation.objects.create(name="Bench", slug=f"bench-{time.time_ns()}")
    announcement = Announcement.objects.create(organisation=org, locale="fr")
    Announcement.objects.filter(pk=announcement.pk).update(published_at=timezone.now())
    for form, size, media_type in (
        ("video", VIDEO_BYTES, "video/mp4"),
        ("card", CARD_BYTES, "image/jpeg"),
    ):
        data = os.urandom(size)
        Rendition.objects.create(
            announcement=announcement,
            form=form,
            locale="fr",
            media_type=media_type,
            data=data,
            sha256=Rendition.digest(data),
        )
    announcement.refresh_from_db()
    return announcement


def ranges_through_the_copy(client, code: str, count: int) -> float:
    start = time.perf_counter()
    for i in range(count):
        first = (i * RANGE) % (VIDEO_BYTES - RANGE)
        response = client.get(
            f"/v/{code}/video.mp4", HTTP_RANGE=f"bytes={first}-{first + RANGE - 1}"
        )
        assert response.status_code == 206 and len(response.content) == RANGE
    return count / (time.perf_counter() - start)


def ranges_from_the_database(client, code: str, count: int) -> float:
    """The same requests through the same view, its file fetched from the database each time
    (what serving without this machine's copy costs)."""
    from gateway.media import public, store

    def fetched_every_time(row):
        data = bytes(store.Rendition.objects.filter(pk=row.pk).values_list("data", flat=True).get())
        path = store.settings.MEDIA_DIR / "uncached"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        return path

    kept, public.row_file = public.row_file, fetched_every_time
    try:
        return ranges_through_the_copy(client, code, count)
    finally:
        public.row_file = kept


def cards_through_the_copy(announcement, count: int) -> float:
    from gateway.media.store import archived_file

    start = time.perf_counter()
    for _ in range(count):
        assert len(archived_file(announcement.pk, "card", "fr").body) == CARD_BYTES
    return count / (time.perf_counter() - start)


def cards_from_the_database(announcement, count: int) -> float:
    from gateway.renditions import archived

    start = time.perf_counter()
    for _ in range(count):
        assert len(archived(announcement.pk, "card", "fr").body) == CARD_BYTES
    return count / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--database", help="a PostgreSQL URL (default: a new SQLite file)")
    args = parser.parse_args()
    setup(args.database)
    from django.db import connection
    from django.test import Client

    announcement = archive()
    client, code = Client(), announcement.verification_code
    best: dict[str, float] = {}
    for _ in range(args.rounds):
        for name, run in (
            ("video ranges, copy", lambda: ranges_through_the_copy(client, code, args.requests)),
            (
                "video ranges, database",
                lambda: ranges_from_the_database(client, code, args.requests),
            ),
            ("card reads, copy", lambda: cards_through_the_copy(announcement, args.requests)),
            ("card reads, database", lambda: cards_from_the_database(announcement, args.requests)),
        ):
            best[name] = max(best.get(name, 0.0), run())
    print(f"database: {connection.vendor}; load average {os.getloadavg()[0]:.1f}")
    print(f"{'path':<24} {'per second':>12} {'vs database':>12}")
    for name, rate in best.items():
        baseline = best[name.split(",")[0] + ", database"]
        print(f"{name:<24} {rate:>12.0f} {rate / baseline:>11.1f}×")


if __name__ == "__main__":
    main()
