"""`crieur import citizens FILE.csv [--organisation SLUG]`: all or nothing, with a report.

Columns (UTF-8, header row, any order): reference, name, civility, phone, address1..address4,
postcode, city, country, language, timezone, channels (sms voice post, in order of preference),
topics, area, large_print, quiet_start, quiet_end. A line with a known reference updates that
citizen; opt-outs survive re-imports. Without `channels`, a line with an address gets `post`.
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
    citizens.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    try:
        text = args.file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CLIError(f"{args.file}: no such file") from None
    except (UnicodeDecodeError, IsADirectoryError) as exc:
        raise CLIError(f"{args.file}: not a UTF-8 text file ({type(exc).__name__})") from None
    setup_django()
    from gateway.audience.citizens import import_citizens
    from gateway.models import Organisation

    if args.organisation:
        organisation = Organisation.objects.filter(slug=args.organisation).first()
        if organisation is None:
            raise CLIError(f"--organisation: no organisation {args.organisation!r}")
    else:
        organisations = list(Organisation.objects.all()[:2])
        if len(organisations) != 1:
            raise CLIError("--organisation SLUG is required (there is not exactly one)")
        organisation = organisations[0]
    report = import_citizens(organisation, text, source_name=args.file.name)
    if not report.ok:
        for line, field, problem in report.problems:
            print(f"{args.file.name}:{line}: {field}: {problem}", file=sys.stderr)
        raise CLIError(f"{len(report.problems)} problem(s); nothing was imported")
    print(f"{report.created} citizen(s) created, {report.updated} updated")
    return 0
