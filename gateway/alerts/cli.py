"""`crieur cap export ID | --file FILE`, `crieur cap import FILE|URL [--org SLUG] [--dry-run]`,
`crieur cap feed add|list|remove|poll`: CAP 1.2 from the command line."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import yaml

from gateway.cli import CLIError, setup_django


def register(subparsers) -> None:
    cap = subparsers.add_parser("cap", help="CAP 1.2 alerts: export, import, feeds")
    commands = cap.add_subparsers(dest="cap_command", metavar="SUBCOMMAND", required=True)
    export = commands.add_parser("export", help="an announcement as a CAP 1.2 alert")
    source = export.add_mutually_exclusive_group(required=True)
    source.add_argument("id", nargs="?", type=int, metavar="ID", help="announcement id")
    source.add_argument(
        "--file", type=Path, metavar="ANNOUNCEMENT_FILE", help="an announcement file (no database)"
    )
    export.set_defaults(handler=run_export)

    imp = commands.add_parser("import", help="a CAP 1.2 alert (file or URL) as an announcement")
    imp.add_argument("source", metavar="FILE|URL")
    imp.add_argument("--org", metavar="SLUG", help="organisation slug (needed when several)")
    imp.add_argument("--dry-run", action="store_true", help="print the announcement, write nothing")
    imp.set_defaults(handler=run_import)

    feed = commands.add_parser("feed", help="CAP Atom feeds polled for an organisation")
    feeds = feed.add_subparsers(dest="feed_command", metavar="ACTION", required=True)
    add = feeds.add_parser("add", help="poll this feed (drafts for approval by default)")
    add.add_argument("url")
    add.add_argument("--org", metavar="SLUG")
    add.add_argument(
        "--publish",
        metavar="SEVERITIES",
        default="",
        help="publish at once the alerts of these CAP severities, e.g. Extreme,Severe",
    )
    add.set_defaults(handler=run_feed_add)
    for name, handler, text in (
        ("list", run_feed_list, "the feeds and their last poll"),
        ("poll", run_feed_poll, "poll every feed now"),
    ):
        sub = feeds.add_parser(name, help=text)
        sub.add_argument("--org", metavar="SLUG")
        sub.set_defaults(handler=handler)
    remove = feeds.add_parser("remove", help="stop polling a feed")
    remove.add_argument("url")
    remove.add_argument("--org", metavar="SLUG")
    remove.set_defaults(handler=run_feed_remove)


def _organisation(slug: str | None):
    from gateway.cli.import_cmd import _organisation as find

    try:
        return find(slug)
    except CLIError as exc:
        raise CLIError(str(exc).replace("--organisation", "--org")) from None


def run_export(args: argparse.Namespace) -> int:
    from gateway.alerts.writer import to_xml

    if args.file is not None:
        from gateway.alerts.export import alert_from_file
        from gateway.announcement_file import AnnouncementFileError, load_announcement_file

        try:
            announcement_file = load_announcement_file(args.file)
        except AnnouncementFileError as exc:
            raise CLIError(str(exc)) from None
        sys.stdout.buffer.write(to_xml(alert_from_file(announcement_file)))
        return 0
    setup_django()
    from gateway.alerts.emit import build_alert, earlier_alerts, incident_of
    from gateway.alerts.models import CapAlert, Direction
    from gateway.models import Announcement

    announcement = Announcement.objects.filter(pk=args.id).first()
    if announcement is None:
        raise CLIError(f"no announcement {args.id}")
    row = CapAlert.objects.filter(announcement=announcement, direction=Direction.OUT).last()
    if row is not None:
        sys.stdout.write(row.xml)
        return 0
    # Not published yet: what publishing it would emit (not stored).
    earlier = earlier_alerts(announcement, incident_of(announcement))
    alert = build_alert(announcement, "Update" if earlier else "Alert", earlier, 1)
    print(f"announcement {args.id} is not published: a preview, not stored", file=sys.stderr)
    sys.stdout.buffer.write(to_xml(alert))
    return 0


def _read(source: str) -> bytes:
    from gateway.alerts.fetch import fetch
    from gateway.alerts.parse import MAX_BYTES, CapError

    if source.startswith(("http://", "https://")):
        try:
            return fetch(source)
        except CapError as exc:
            raise CLIError(str(exc)) from None
    path = Path(source)
    try:
        if path.stat().st_size > MAX_BYTES:
            raise CLIError(f"alert: larger than {MAX_BYTES // 1024} kB; refused")
        return path.read_bytes()
    except FileNotFoundError:
        raise CLIError(f"{source}: no such file") from None
    except OSError as exc:
        raise CLIError(f"{source}: cannot read ({type(exc).__name__})") from None


def run_import(args: argparse.Namespace) -> int:
    data = _read(args.source)
    setup_django()
    from gateway.alerts.importer import import_alert
    from gateway.alerts.parse import CapError

    organisation = _organisation(args.org)
    try:
        result = import_alert(organisation, data, dry_run=args.dry_run)
    except CapError as exc:
        raise CLIError(str(exc)) from None
    alert = result.alert
    what = f"{alert.msg_type} {alert.sender},{alert.identifier},{alert.sent} ({alert.status})"
    for note in result.notes:
        print(f"note: {note}", file=sys.stderr)
    if args.dry_run:
        print(f"# dry run: {what} would be {result.action}; nothing was written")
        if result.data:
            print(yaml.safe_dump(_printable(result.data), allow_unicode=True, sort_keys=False))
        return 0
    target = f"announcement {result.announcement_id}" if result.announcement_id else "nothing"
    print(f"{what}: {result.action}: {target}")
    return 0


def _printable(data: dict) -> dict:
    return {
        k: (v.isoformat() if hasattr(v, "isoformat") else v)
        for k, v in data.items()
        if v not in (None, "", [], {})
    }


def run_feed_add(args: argparse.Namespace) -> int:
    setup_django()
    from django.core.exceptions import ValidationError
    from django.core.validators import URLValidator

    from gateway.alerts.models import CapFeed, FeedRule
    from gateway.alerts.values import SEVERITIES

    try:
        URLValidator(schemes=["http", "https"])(args.url)
    except ValidationError:
        raise CLIError(f"url: not an http(s) address: {args.url!r}") from None
    severities = [s.strip() for s in args.publish.split(",") if s.strip()]
    for severity in severities:
        if severity not in SEVERITIES:
            raise CLIError(f"--publish: {severity!r} is not one of {', '.join(SEVERITIES)}")
    organisation = _organisation(args.org)
    feed, created = CapFeed.objects.update_or_create(
        organisation=organisation,
        url=args.url,
        defaults={
            "rule": FeedRule.PUBLISH if severities else FeedRule.DRAFT,
            "publish_severities": severities,
            "enabled": True,
        },
    )
    rule = f"published at once when {', '.join(severities)}" if severities else "drafts"
    print(f"feed {feed.pk} {'added' if created else 'changed'}: {args.url} ({rule})")
    return 0


def run_feed_list(args: argparse.Namespace) -> int:
    setup_django()
    from gateway.alerts.models import CapFeed

    for feed in CapFeed.objects.filter(organisation=_organisation(args.org)).order_by("pk"):
        polled = feed.last_polled_at.isoformat() if feed.last_polled_at else "never"
        error = f" error: {feed.last_error}" if feed.last_error else ""
        print(f"{feed.pk} {feed.url} rule={feed.rule} last poll={polled}{error}")
    return 0


def run_feed_remove(args: argparse.Namespace) -> int:
    setup_django()
    from gateway.alerts.models import CapFeed

    removed, _ = CapFeed.objects.filter(organisation=_organisation(args.org), url=args.url).delete()
    if not removed:
        raise CLIError(f"url: no such feed {args.url!r}")
    print(f"feed removed: {args.url}")
    return 0


def run_feed_poll(args: argparse.Namespace) -> int:
    setup_django()
    from gateway.alerts.feeds import poll_feed
    from gateway.alerts.models import CapFeed

    for feed in CapFeed.objects.filter(organisation=_organisation(args.org), enabled=True):
        report = poll_feed(feed)
        print(f"{feed.url}: {report}")
    return 0
