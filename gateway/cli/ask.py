"""`crieur ask --announcements DIR [--locale fr] [--json] QUESTION`: which announcement of a
folder answers a question, and by what margin; no database, the same engine as the SMS answers."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from gateway.announcement_file import (
    AnnouncementFile,
    AnnouncementFileError,
    load_announcement_file,
)
from gateway.cli import CLIError

SUFFIXES = (".yaml", ".yml", ".json")


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "ask",
        help="answer a question from a folder of announcement files (no database)",
        description="Print the announcement file that answers QUESTION (or none) and the margin "
        "over the next best; with an answer, its summary and link in the chosen language.",
    )
    parser.add_argument("--announcements", required=True, type=Path, metavar="DIR")
    parser.add_argument("--locale", help="language of the answer (default: the question's)")
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.add_argument("question")
    parser.set_defaults(handler=run)


def load_folder(folder: Path) -> dict[str, AnnouncementFile]:
    """The announcement files of `folder` by file name (without suffix)."""
    if not folder.is_dir():
        raise CLIError(f"{folder}: no such folder")
    files = sorted(p for p in folder.iterdir() if p.suffix in SUFFIXES)
    if not files:
        raise CLIError(f"{folder}: no announcement file (*.yaml, *.yml, *.json)")
    try:
        return {p.stem: load_announcement_file(p) for p in files}
    except AnnouncementFileError as exc:
        raise CLIError(str(exc)) from None


def passages(announcements: dict[str, AnnouncementFile]):
    from inbound.answers import Passage

    found = []
    for key, file in announcements.items():
        for locale in file.locales:
            message = file.message(locale)
            found.append(Passage(key, locale, message.title, message.summary, message.body))
    return found


def run(args: argparse.Namespace) -> int:
    from inbound.answers import E5Embedder, Retriever, detect_language
    from renderers.i18n import shipped_locales

    if not args.question.strip():
        raise CLIError("QUESTION is empty")
    if args.locale and args.locale not in shipped_locales():
        raise CLIError(f"--locale: unknown locale {args.locale!r} ({', '.join(shipped_locales())})")
    announcements = load_folder(args.announcements)
    match = Retriever(passages(announcements), E5Embedder(threads=None)).ask(args.question)
    result = match.as_dict()
    if match.key is not None:
        file = announcements[match.key]
        wanted = args.locale or detect_language(args.question, file.locales) or file.locale
        locale = wanted if wanted in file.locales else file.locale
        message = file.message(locale)
        result["file"] = f"{match.key}"
        result["locale"] = locale
        result["reply"] = "\n".join(p for p in (message.summary, message.public_url) if p)
    if args.json:
        json.dump(result, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return 0
    if match.key is None:
        print(f"none (margin {match.margin:.3f}): not confident; pass it to the town hall")
    else:
        print(f"{match.key} (margin {match.margin:.3f}, locale {result['locale']})")
        print(result["reply"])
    return 0
