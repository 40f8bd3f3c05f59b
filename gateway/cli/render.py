"""`crieur render`: render an announcement file into one form, without any database."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from gateway.announcement_file import AnnouncementFileError, load_announcement_file
from gateway.cli import CLIError
from renderers.errors import RenderError

FORMS = ("sms", "mastodon", "voice", "notice", "card", "card-square", "video")


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "render",
        help="render an announcement file (YAML/JSON) into one channel's form",
        description="Print the SMS text, the post or the TwiML, or write the notice PDF.",
    )
    parser.add_argument("--channel", required=True, choices=FORMS)
    parser.add_argument("--locale", help="locale of a translation in the file (default: its own)")
    parser.add_argument("-o", "--output", type=Path, help="write to this file instead of stdout")
    parser.add_argument("file", type=Path, help="announcement file (YAML or JSON)")
    parser.set_defaults(handler=run)


def render_file(path: Path, form: str, locale: str | None):
    from gateway.cli.render_visual import video_with_progress
    from renderers.print import render_notice
    from renderers.sms import render_sms
    from renderers.social import render_mastodon
    from renderers.visual import render_card, render_card_square
    from renderers.voice import render_voice

    renderers = {
        "sms": render_sms,
        "mastodon": render_mastodon,
        "voice": render_voice,
        "notice": render_notice,
        "card": render_card,
        "card-square": render_card_square,
        "video": video_with_progress,
    }
    try:
        message = load_announcement_file(path).message(locale)
        return renderers[form](message)
    except (AnnouncementFileError, RenderError) as exc:
        raise CLIError(str(exc)) from None


def run(args: argparse.Namespace) -> int:
    from gateway.cli.render_visual import VISUAL_FORMS, run_visual

    if args.channel in VISUAL_FORMS:
        return run_visual(args)
    rendition = render_file(args.file, args.channel, args.locale)
    body = rendition.body
    if isinstance(body, bytes):
        if args.output is None:
            raise CLIError(f"{args.channel} is a PDF: give an output file with -o FILE.pdf")
        args.output.write_bytes(body)
        print(f"wrote {args.output} ({rendition.meta.get('pages', '?')} page(s))")
        return 0
    if args.output:
        args.output.write_text(body + "\n", encoding="utf-8")
    else:
        sys.stdout.write(body + "\n")
    return 0
