"""`crieur render`: render an announcement file into one form, without any database."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from gateway.announcement_file import AnnouncementFileError, load_announcement_file
from gateway.cli import CLIError
from renderers.errors import RenderError
from renderers.message import Message, Rendition


@dataclass(frozen=True)
class Options:
    large_print: bool = False


def _sms(message: Message, options: Options) -> Rendition:
    from renderers.sms import render_sms

    return render_sms(message)


def _social(form: str) -> Callable[[Message, Options], Rendition]:
    def render(message: Message, options: Options) -> Rendition:
        from renderers.social import render_social

        return render_social(message, form)

    return render


def _voice(message: Message, options: Options) -> Rendition:
    """The call as the webhook serves it, menu included, its action URL a placeholder."""
    from gateway.voicemenu import NO_SERVER, menu_url
    from renderers.voice import VoiceConfig, render_voice

    return render_voice(message, VoiceConfig(gather_action_url=menu_url(NO_SERVER)))


def _cell_broadcast(message: Message, options: Options) -> Rendition:
    from renderers.cell_broadcast import render_cell_broadcast

    return render_cell_broadcast(message)


def _notice(message: Message, options: Options) -> Rendition:
    from renderers.print import render_notice

    return render_notice(message, large_print=options.large_print)


def _letter(message: Message, options: Options) -> Rendition:
    """A letter to a specimen recipient (the mail merge gives each citizen's address)."""
    from renderers.i18n import gettext
    from renderers.print import PostalRecipient, render_letter

    specimen = PostalRecipient(
        reference="SPECIMEN",
        name=gettext(message.locale, "Destinataire exemple"),
        address=("1 place de la Mairie", "00000 EXEMPLE"),
        locale=message.locale,
    )
    return render_letter(message, specimen, large_print=options.large_print)


def _card(name: str) -> Callable[[Message, Options], Rendition]:
    def render(message: Message, options: Options) -> Rendition:
        import renderers.visual

        return getattr(renderers.visual, name)(message)

    return render


def _video(message: Message, options: Options) -> Rendition:
    from gateway.cli.render_visual import video_with_progress

    return video_with_progress(message)


# Every form Crieur renders, one line each: `--channel NAME` renders FORMS[NAME].
FORMS: dict[str, Callable[[Message, Options], Rendition]] = {
    "sms": _sms,
    "mastodon": _social("mastodon"),
    "bluesky": _social("bluesky"),
    "x": _social("x"),
    "facebook": _social("facebook"),
    "voice": _voice,
    "cell-broadcast": _cell_broadcast,
    "notice": _notice,
    "letter": _letter,
    "card": _card("render_card"),
    "card-square": _card("render_card_square"),
    "video": _video,
}


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "render",
        help="render an announcement file (YAML/JSON) into one channel's form",
        description="Print the SMS text, a post or the TwiML, or write the notice or letter PDF.",
    )
    parser.add_argument("--channel", required=True, choices=list(FORMS))
    parser.add_argument("--locale", help="locale of a translation in the file (default: its own)")
    parser.add_argument(
        "--large-print", action="store_true", help="notice and letter in large print (≥ 16 pt)"
    )
    parser.add_argument("-o", "--output", type=Path, help="write to this file instead of stdout")
    parser.add_argument("file", type=Path, help="announcement file (YAML or JSON)")
    parser.set_defaults(handler=run)


def render_file(path: Path, form: str, locale: str | None, options: Options = Options()):
    try:
        message = load_announcement_file(path).message(locale)
        return FORMS[form](message, options)
    except (AnnouncementFileError, RenderError) as exc:
        raise CLIError(str(exc)) from None


def run(args: argparse.Namespace) -> int:
    from gateway.cli.render_visual import VISUAL_FORMS, run_visual

    if args.channel in VISUAL_FORMS:
        return run_visual(args)
    rendition = render_file(args.file, args.channel, args.locale, Options(args.large_print))
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
    if args.channel == "cell-broadcast":  # on stderr: stdout is the text to hand over
        meta = rendition.meta
        print(
            f"{meta['pages']} page(s) of {meta['max_pages']}, {meta['encoding']}, "
            f"{meta['units']}/{meta['limit']} characters; sent by the préfecture (FR-Alert), "
            "not by Crieur",
            file=sys.stderr,
        )
    return 0
