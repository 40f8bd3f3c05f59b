"""`crieur demo`: a demo town on the embedded default, one announcement published everywhere."""

from __future__ import annotations

import argparse
import os
import shutil
import time
from pathlib import Path

from gateway.cli import CLIError, setup_django


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "demo",
        help="build a demo town (SQLite, embedded broker) and publish one announcement",
    )
    parser.add_argument("--citizens", type=int, default=1000, help="number of citizens (1000)")
    parser.add_argument("--out", type=Path, default=Path("var/demo"), help="output folder")
    parser.add_argument("--timeout", type=float, default=300, help="seconds to wait for sending")
    parser.add_argument(
        "--reset",
        action="store_true",
        help="rebuild even when the previous demo holds work done since (users, announcements)",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    if not 1 <= args.citizens <= 1_000_000:
        raise CLIError("--citizens must be between 1 and 1,000,000")
    out = args.out.resolve()
    if out.exists():
        database = out / "crieur.sqlite3"
        if not database.exists():
            raise CLIError(f"{out} exists and is not a demo folder; choose another --out")
        users, announcements = _work_in(database)
        if (users > DEMO_USERS or announcements > DEMO_ANNOUNCEMENTS) and not args.reset:
            raise CLIError(
                f"{out} holds {users} console users and {announcements} announcements, work done "
                "since the demo was built: kept. Rebuild from scratch (all of it is deleted) "
                "with `crieur demo --reset` (make demo DEMO_ARGS=--reset), or use another --out"
            )
        print(f"Deleting the previous demo in {out} ({users} users, {announcements} announcements)")
        shutil.rmtree(out)
    out.mkdir(parents=True)
    # The demo always runs on the embedded default, whatever the environment says.
    os.environ.update(CRIEUR_DATA_DIR=str(out), DATABASE_URL="", CELERY_BROKER_URL="")
    for var in ("TWILIO_ACCOUNT_SID", "MASTODON_API_BASE_URL"):
        os.environ.pop(var, None)
    setup_django(own_secret=False)  # the embedded demo: its data folder's development key
    from django.core.management import call_command
    from rich.console import Console

    from gateway.demo import build_town, demo_agent, demo_announcement
    from gateway.embedded import embedded_worker
    from gateway.publishing import publish

    console = Console()
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    with console.status(f"Building the town of Saint-Crieur ({args.citizens:,} citizens)…"):
        org = build_town(args.citizens)
        user, key = demo_agent(org)
        announcement = demo_announcement(org, user)
    built = time.perf_counter()
    with embedded_worker():
        from django.db import transaction

        with transaction.atomic():
            publish(announcement, actor=user)
        _wait(console, announcement, args.timeout)
    _weekly_letters(announcement, out / "outbox" / "print")
    done = time.perf_counter()
    _report(console, announcement, out, key)
    console.print(
        f"Town built in {built - started:.1f} s; published and delivered in "
        f"{done - built:.1f} s; total {done - started:.1f} s."
    )
    return 0


DEMO_USERS = 2  # the demo's agent and mayor
DEMO_ANNOUNCEMENTS = 1


def _work_in(database: Path) -> tuple[int, int]:
    """(users, announcements) in a demo database; (0, 0) when it cannot be read."""
    import sqlite3

    try:
        with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as connection:
            users = connection.execute("SELECT count(*) FROM auth_user").fetchone()[0]
            posts = connection.execute("SELECT count(*) FROM gateway_announcement").fetchone()[0]
    except sqlite3.Error:
        return 0, 0
    return int(users), int(posts)


def _wait(console, announcement, timeout: float) -> None:
    from rich.progress import Progress

    from gateway.models import Delivery, Status

    deadline = time.monotonic() + timeout
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task("Delivering", total=None)
        while time.monotonic() < deadline:
            announcement.refresh_from_db()
            rows = Delivery.objects.filter(announcement=announcement)
            total = rows.count()
            done = rows.exclude(status__in=["planned", "sending"]).count()
            progress.update(task, total=total or None, completed=done)
            if announcement.status == Status.SENT:
                return
            time.sleep(0.2)
    raise CLIError(
        f"deliveries still pending after {timeout:.0f} s (see --timeout and the worker's log)"
    )


def _weekly_letters(announcement, folder: Path) -> None:
    """Postal subscribers get non-urgent news in the weekly letter: print this week's."""
    from zoneinfo import ZoneInfo

    from gateway.weekly import weekly_letters

    organisation = announcement.organisation
    published = announcement.published_at.astimezone(ZoneInfo(organisation.timezone))
    year, week, _ = published.isocalendar()
    weekly_letters(organisation, year, week, folder / f"weekly-{year}-W{week:02d}")


def _report(console, announcement, out: Path, key: str) -> None:
    from django.db.models import Count
    from rich.table import Table

    from gateway.models import Delivery

    table = Table(title=f"Deliveries of announcement {announcement.pk} ({announcement.status})")
    for column in ("channel", "language", "status", "count"):
        table.add_column(column, justify="right" if column == "count" else "left")
    rows = (
        Delivery.objects.filter(announcement=announcement)
        .values_list("channel", "locale", "status")
        .annotate(n=Count("pk"))
        .order_by("channel", "locale", "status")
    )
    for channel, locale, status, n in rows:
        table.add_row(channel, locale, status, f"{n:,}")
    console.print(table)
    notices = []
    for rendition in announcement.renditions.filter(form="notice"):
        path = out / f"notice-{rendition.locale}.pdf"
        path.write_bytes(rendition.body)
        notices.append(path)
    outbox = out / "outbox"
    console.print("Outputs:")
    kinds = {"sms": "*.txt", "voice": "*.xml", "social": "*.txt", "print": "letters*.pdf"}
    for family, pattern in kinds.items():
        folder = outbox / family
        files = sorted(folder.rglob(pattern)) if folder.exists() else []
        console.print(f"  {family:<7} {len(files):>6,} {pattern} file(s) in {folder}")
    for path in notices:
        console.print(f"  notice  {path}")
    console.print(f"  API key of the demo agent (shown once): {key}")
