"""`crieur print`: notices and mail-merged letters, from files or from the database.

    crieur print notice FILE [--locale fr] [--large-print] -o notice.pdf
    crieur print letters --announcement FILE --citizens CSV [-o DIR] [--place NAME]
    crieur print letters --announcement ID [-o DIR]          (database: its postal deliveries)
    crieur print weekly --week 2026-W47 [--organisation SLUG] [--locale fr] -o notice.pdf
    crieur print weekly-letters --week 2026-W47 [--organisation SLUG] [-o DIR]

File modes never import Django; database modes set it up inside their handler.

Citizens CSV (UTF-8, header row; columns in any order):
    reference   required  the citizen's reference, copied to the manifest
    name        required  first name and surname
    postcode    required  5 digits in France
    city        required
    civility    optional  Madame, Monsieur, M., Mme...
    address1..address4    optional delivery point, building, number and street, lieu-dit
    country     optional  ISO code or name (FR by default)
    language    optional  the letter's language (the announcement's own by default)
    large_print optional  yes/no (also oui/non, true/false, 1/0)
"""

from __future__ import annotations

import argparse
import csv
import re
from collections.abc import Iterator
from pathlib import Path

from gateway.announcement_file import (
    AnnouncementFile,
    AnnouncementFileError,
    load_announcement_file,
)
from gateway.cli import CLIError, setup_django

REQUIRED_COLUMNS = ("reference", "name", "postcode", "city")
OPTIONAL_COLUMNS = (
    "civility",
    "address1",
    "address2",
    "address3",
    "address4",
    "country",
    "language",
    "large_print",
)
TRUE_WORDS = {"yes", "oui", "true", "1", "y", "o"}
FALSE_WORDS = {"no", "non", "false", "0", "n", ""}
WEEK = re.compile(r"(\d{4})-W(\d{2})")
LETTERS_HELP = """\
File mode:     --announcement FILE --citizens CSV  (no database)
Database mode: --announcement ID                   (the postal deliveries of announcement ID)
The mode is chosen by whether --citizens is given."""


def register(subparsers) -> None:
    parser = subparsers.add_parser("print", help="notices and letters for the post (PDF)")
    commands = parser.add_subparsers(dest="print_command", metavar="KIND", required=True)

    notice = commands.add_parser("notice", help="the A4 notice of one announcement")
    notice.add_argument("file", type=Path, help="announcement file (YAML or JSON)")
    notice.add_argument("--locale", help="language of the notice (the file's own by default)")
    notice.add_argument("--large-print", action="store_true", help="body >= 16 pt")
    notice.add_argument("-o", "--output", type=Path, default=Path("notice.pdf"))
    notice.set_defaults(handler=run_notice)

    letters = commands.add_parser(
        "letters",
        help="one letter per citizen, merged into one PDF",
        description=LETTERS_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    source = letters.add_mutually_exclusive_group(required=True)
    source.add_argument(
        "--announcement",
        metavar="FILE|ID",
        help="announcement file (with --citizens), or an announcement id in the database",
    )
    letters.add_argument("--citizens", type=Path, metavar="CSV", help="citizens (file mode)")
    letters.add_argument("-o", "--output", type=Path, default=Path("letters"), help="folder")
    letters.add_argument("--place", default="", help='place in the date line ("Saint-Crieur")')
    letters.add_argument("--workers", type=int, default=1, help="processes rendering chunks")
    letters.set_defaults(handler=run_letters)

    weekly = commands.add_parser("weekly", help="the weekly notice of an organisation (database)")
    _week_arguments(weekly)
    weekly.add_argument("--locale", help="language of the notice (the organisation's default)")
    weekly.add_argument("-o", "--output", type=Path, default=Path("notice.pdf"))
    weekly.set_defaults(handler=run_weekly)

    weekly_letters = commands.add_parser(
        "weekly-letters", help="the weekly letter of every postal subscriber (database)"
    )
    _week_arguments(weekly_letters)
    weekly_letters.add_argument("-o", "--output", type=Path, help="folder (weekly-YYYY-Www)")
    weekly_letters.set_defaults(handler=run_weekly_letters)


def _week_arguments(parser) -> None:
    parser.add_argument("--week", required=True, help="ISO week, e.g. 2026-W47")
    parser.add_argument("--organisation", metavar="SLUG", help="needed when there are several")


def run_notice(args: argparse.Namespace) -> int:
    from renderers.errors import RenderError
    from renderers.print import render_notice

    announcement = _load(args.file)
    try:
        message = announcement.message(args.locale)
        rendition = render_notice(message, large_print=args.large_print)
    except (AnnouncementFileError, RenderError) as error:
        raise CLIError(str(error)) from None
    _write(args.output, rendition.body)
    print(f"{args.output}: notice, {rendition.meta['pages']} page(s), {message.locale}")
    return 0


def run_weekly(args: argparse.Namespace) -> int:
    year, week = parse_week(args.week)
    organisation = _organisation(args.organisation)
    from gateway.weekly import weekly_notice

    rendition = weekly_notice(organisation, year, week, args.locale)
    _write(args.output, rendition.body)
    count = rendition.meta["announcements"]
    print(
        f"{args.output}: weekly notice {year}-W{week:02d}, {count} announcement(s), "
        f"{rendition.meta['pages']} page(s), {rendition.locale}"
    )
    return 0


def run_weekly_letters(args: argparse.Namespace) -> int:
    year, week = parse_week(args.week)
    organisation = _organisation(args.organisation)
    out_dir = args.output or Path(f"weekly-{year}-W{week:02d}")

    from rich.progress import Progress

    from gateway.weekly import postal_subscribers, weekly_letters

    total = sum(1 for _ in postal_subscribers(organisation))
    with Progress(transient=True) as progress:
        task = progress.add_task("Weekly letters", total=total)
        result = weekly_letters(
            organisation,
            year,
            week,
            out_dir,
            progress=lambda done: progress.update(task, completed=done),
        )
    _report(result, f"{total} postal subscriber(s)")
    return 0


def parse_week(value: str) -> tuple[int, int]:
    """`2026-W47` → (2026, 47); anything else (or a week the year lacks) is a CLIError."""
    match = WEEK.fullmatch(value.strip())
    if match:
        year, week = int(match[1]), int(match[2])
        try:
            from datetime import date

            date.fromisocalendar(year, week, 1)
            return year, week
        except ValueError:
            pass
    raise CLIError("--week must look like 2026-W47")


def _organisation(slug: str | None):
    """The organisation named by `slug`, or the only one; sets Django up."""
    setup_django()
    from gateway.models import Organisation

    slugs = list(Organisation.objects.order_by("slug").values_list("slug", flat=True))
    if slug is None:
        if len(slugs) == 1:
            return Organisation.objects.get(slug=slugs[0])
        if not slugs:
            raise CLIError("no organisation in the database")
        raise CLIError(f"--organisation is required: one of {', '.join(slugs)}")
    try:
        return Organisation.objects.get(slug=slug)
    except Organisation.DoesNotExist:
        known = ", ".join(slugs) or "none"
        raise CLIError(f"unknown organisation {slug!r} (known: {known})") from None


def _report(result, handled: str) -> None:
    for output in (result.standard, result.large_print):
        if output is not None:
            print(f"{output.pdf}: {output.letters} letters, {output.pages} pages")
            print(f"{output.manifest}: manifest")
    print(f"{result.letters} letter(s), {result.rejected} rejected, {handled}")
    if result.rejected:
        print(f"{result.rejects_csv}: addresses not printed (NF Z10-011)")


def run_letters(args: argparse.Namespace) -> int:
    if args.workers < 1:
        raise CLIError("--workers must be at least 1")
    if args.citizens is None:
        return run_letters_from_database(args)
    announcement = _load(Path(args.announcement))
    total = _count_rows(args.citizens)

    from rich.progress import Progress

    from renderers.print import merge_letters

    def message_for_locale(locale: str):
        # The citizen's language when translated, else the announcement's own (never mixed).
        try:
            return announcement.message(locale)
        except AnnouncementFileError:
            return announcement.message()

    with Progress(transient=True) as progress:
        task = progress.add_task("Letters", total=total)
        result = merge_letters(
            message_for_locale,
            read_citizens(args.citizens, default_language=announcement.locale),
            args.output,
            progress=lambda done: progress.update(task, completed=done),
            place=args.place,
            workers=args.workers,
        )
    for output in (result.standard, result.large_print):
        if output is not None:
            print(f"{output.pdf}: {output.letters} letters, {output.pages} pages")
            print(f"{output.manifest}: manifest")
    if result.rejected:
        raise CLIError(
            f"{result.rejected} address(es) not printed (NF Z10-011), see {result.rejects_csv}"
        )
    return 0


def run_letters_from_database(args: argparse.Namespace) -> int:
    """The postal deliveries of announcement ID, merged (not cancelled or skipped ones)."""
    if not args.announcement.strip().isdigit():
        raise CLIError(
            f"--announcement {args.announcement!r}: give an announcement id, "
            "or a file with --citizens CSV"
        )
    setup_django()
    from rich.progress import Progress

    from gateway.mapping import to_message
    from gateway.models import Announcement, Delivery, DeliveryStatus
    from gateway.printing import postal_recipient
    from renderers.print import merge_letters

    try:
        announcement = Announcement.objects.select_related("organisation").get(
            pk=int(args.announcement)
        )
    except Announcement.DoesNotExist:
        raise CLIError(f"no announcement {args.announcement}") from None
    deliveries = (
        Delivery.objects.filter(announcement=announcement, channel="post", citizen__isnull=False)
        .exclude(status__in=(DeliveryStatus.CANCELLED, DeliveryStatus.SKIPPED))
        .select_related("citizen")
        .order_by("pk")
    )
    total = deliveries.count()
    if not total:
        raise CLIError(f"announcement {announcement.pk} has no postal delivery")
    recipients = (
        postal_recipient(d.citizen, d.locale) for d in deliveries.iterator(chunk_size=500)
    )
    with Progress(transient=True) as progress:
        task = progress.add_task("Letters", total=total)
        result = merge_letters(
            lambda locale: to_message(announcement, locale),
            recipients,
            args.output,
            progress=lambda done: progress.update(task, completed=done),
            place=args.place or announcement.organisation.city,
            workers=args.workers,
        )
    _report(result, f"{total} postal deliveries")
    return 0


def read_citizens(path: Path, *, default_language: str = "fr") -> Iterator:
    """Stream `PostalRecipient`s from the citizens CSV; bad rows raise CLIError."""
    from renderers.print import PostalRecipient

    with _open_csv(path) as handle:
        reader = csv.DictReader(handle)
        _check_columns(path, reader.fieldnames or [])
        for row in reader:
            line = reader.line_num
            name = " ".join(p for p in (_cell(row, "civility"), _cell(row, "name")) if p)
            street = tuple(_cell(row, f"address{n}") for n in range(1, 5))
            locality = f"{_cell(row, 'postcode')} {_cell(row, 'city')}".strip()
            yield PostalRecipient(
                reference=_cell(row, "reference"),
                name=name,
                address=(*street, locality),
                country=_cell(row, "country") or "FR",
                large_print=_yes_no(path, line, _cell(row, "large_print")),
                locale=_cell(row, "language") or default_language,
            )


def _check_columns(path: Path, columns: list[str]) -> None:
    unknown = [c for c in columns if c not in REQUIRED_COLUMNS + OPTIONAL_COLUMNS]
    if unknown:
        raise CLIError(f"{path}: unknown column {unknown[0]!r}")
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        raise CLIError(f"{path}: missing column {missing[0]!r}")


def _yes_no(path: Path, line: int, value: str) -> bool:
    word = value.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise CLIError(f"{path}, line {line}: large_print must be yes or no, not {value!r}")


def _cell(row: dict, column: str) -> str:
    return (row.get(column) or "").strip()


def _count_rows(path: Path) -> int:
    with _open_csv(path) as handle:
        return max(sum(1 for _ in csv.reader(handle)) - 1, 0)


def _open_csv(path: Path):
    try:
        return open(path, newline="", encoding="utf-8-sig")
    except OSError as error:
        raise CLIError(f"{path}: cannot read ({error.strerror})") from None


def _load(path: Path) -> AnnouncementFile:
    try:
        return load_announcement_file(path)
    except AnnouncementFileError as error:
        raise CLIError(str(error)) from None


def _write(path: Path, data: bytes) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    except OSError as error:
        raise CLIError(f"{path}: cannot write ({error.strerror})") from None
