"""`crieur locales report`: how much of each catalog is translated. No Django needed."""

from __future__ import annotations

import argparse
import json

from gateway.cli import CLIError


def register(subparsers: argparse._SubParsersAction) -> None:
    locales = subparsers.add_parser("locales", help="translation catalogs")
    commands = locales.add_subparsers(dest="locales_command", metavar="SUBCOMMAND", required=True)
    report = commands.add_parser("report", help="coverage of each locale (translated/total)")
    report.add_argument("--json", action="store_true", help="print one JSON object")
    report.add_argument(
        "--fail-under",
        type=float,
        metavar="PERCENT",
        help="exit 1 when a locale is below PERCENT (default: report only, exit 0)",
    )
    report.set_defaults(handler=report_command)


def report_command(args: argparse.Namespace) -> int:
    from gateway.localecheck import coverage

    if args.fail_under is not None and not 0 <= args.fail_under <= 100:
        raise CLIError(f"--fail-under: {args.fail_under} is not a percentage (0 to 100)")
    rows = {
        locale: {"translated": done, "total": total, "percent": _percent(done, total)}
        for locale, (done, total) in coverage().items()
    }
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, sort_keys=True))
    else:
        print(f"{'locale':<8}{'translated':>12}{'coverage':>10}")
        for locale, row in rows.items():
            fraction = f"{row['translated']}/{row['total']}"
            print(f"{locale:<8}{fraction:>12}{row['percent']:>9.1f}%")
    if args.fail_under is not None:
        below = [locale for locale, row in rows.items() if row["percent"] < args.fail_under]
        return 1 if below else 0
    return 0


def _percent(done: int, total: int) -> float:
    return round(100.0 * done / total, 1) if total else 100.0
