"""`crieur import citizens FILE.csv [--organisation SLUG] [--dry-run]` and
`crieur import undo ID [--organisation SLUG]`.

Columns (UTF-8, header row, any order): reference, name, civility, phone, address1..address4,
postcode, city, country, language, timezone, channels (sms voice post, in order of preference),
topics, area, large_print, quiet_start, quiet_end. All lines or none. A line with a known
reference updates that citizen: a column absent from the file leaves the field as it is, an
empty cell clears it. The report says what changed per citizen (phone numbers masked), and the
import's id, which `crieur import undo` takes. `--dry-run` shows the same report and writes
nothing.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from gateway.cli import CLIError, setup_django


def register(subparsers) -> None:
    parser = subparsers.add_parser("import", help="import citizens from a CSV file")
    kinds = parser.add_subparsers(dest="import_kind", metavar="KIND", required=True)
    citizens = kinds.add_parser("citizens", help="citizens CSV: all lines or none")
    citizens.add_argument("file", type=Path, metavar="FILE.csv")
    citizens.add_argument("--organisation", help="organisation slug (needed when several)")
    citizens.add_argument(
        "--dry-run", action="store_true", help="show what would change, write nothing"
    )
    citizens.set_defaults(handler=run)
    undo = kinds.add_parser("undo", help="put back what an import changed")
    undo.add_argument("import_id", type=int, metavar="ID", help="the id the import printed")
    undo.add_argument("--organisation", help="organisation slug (needed when several)")
    undo.set_defaults(handler=run_undo)


def _organisation(slug: str | None):
    from gateway.models import Organisation

    if slug:
        organisation = Organisation.objects.filter(slug=slug).first()
        if organisation is None:
            raise CLIError(f"--organisation: no organisation {slug!r}")
        return organisation
    organisations = list(Organisation.objects.all()[:2])
    if len(organisations) != 1:
        raise CLIError("--organisation SLUG is required (there is not exactly one)")
    return organisations[0]


def run(args: argparse.Namespace) -> int:
    try:
        text = args.file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CLIError(f"{args.file}: no such file") from None
    except (UnicodeDecodeError, IsADirectoryError) as exc:
        raise CLIError(f"{args.file}: not a UTF-8 text file ({type(exc).__name__})") from None
    setup_django()
    from gateway.audience.importer import import_citizens

    organisation = _organisation(args.organisation)
    report = import_citizens(organisation, text, source_name=args.file.name, dry_run=args.dry_run)
    if not report.ok:
        for line, field, problem in report.problems:
            print(f"{args.file.name}:{line}: {field}: {problem}", file=sys.stderr)
        raise CLIError(f"{len(report.problems)} problem(s); nothing was imported")
    for row in report.lines:
        if row.action == "unchanged":
            continue
        changes = "; ".join(
            f"{name}: {change['before']!r} → {change['after']!r}"
            for name, change in row.changes.items()
        )
        print(
            f"line {row.line} {row.reference}: {row.action}" + (f": {changes}" if changes else "")
        )
    summary = (
        f"{report.created} citizen(s) created, {report.updated} updated, "
        f"{report.unchanged} unchanged"
    )
    if report.skipped:
        summary += f", {report.skipped} erased (not brought back)"
    if report.dry_run:
        print(f"{summary} (dry run: nothing was written)")
    else:
        print(f"{summary} (import {report.import_id}: `crieur import undo {report.import_id}`)")
    return 0


def run_undo(args: argparse.Namespace) -> int:
    setup_django()
    from gateway.audience.importer import undo_import

    report = undo_import(_organisation(args.organisation), args.import_id)
    if report is None:
        raise CLIError(f"no import {args.import_id} in this organisation")
    for reference, field in report.conflicts:
        print(f"{reference}: {field}: changed since the import, left as it is")
    print(f"{report.restored} citizen(s) restored, {report.removed} removed")
    return 0
