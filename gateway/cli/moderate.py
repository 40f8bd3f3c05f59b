"""`crieur moderate [--json] [--locale fr] TEXT`: the moderation verdict of one text and why,
from the shipped word lists, without a database (for scripts and for checking the lists)."""

from __future__ import annotations

import argparse
import json
import sys

from gateway.cli import CLIError


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "moderate",
        help="classify a text: ok, to_review or spam, with the matched rule or term",
        description="Print the verdict (ok, to_review, spam) and the reason. Exit 0 either way.",
    )
    parser.add_argument(
        "--locale",
        action="append",
        help="word list to use (repeatable; default: every shipped list)",
    )
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.add_argument("text")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from inbound.moderation import WordListError, classify, load_lists

    try:
        lists = load_lists(args.locale)
    except WordListError as exc:
        raise CLIError(f"--locale: {exc}") from None
    result = classify(args.text, lists)
    if args.json:
        json.dump(result.as_dict(), sys.stdout, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        print(f"{result.verdict.value}" + (f" ({result.reason})" if result.reason else ""))
    return 0
