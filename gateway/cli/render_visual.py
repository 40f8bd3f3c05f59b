"""`crieur render --channel card|card-square|video`: the image card and the short video.

Both are files, so `-o` is required; the video also writes its captions (`.vtt`) and its
transcript (`.txt`) beside the MP4, and shows a progress bar on stderr while it encodes.
"""

from __future__ import annotations

import argparse

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from gateway.cli import CLIError
from renderers.message import Message, Rendition

VISUAL_FORMS = ("card", "card-square", "video")


def video_with_progress(message: Message) -> Rendition:
    """The video, with a progress bar; a missing voice or encoder is one line of error."""
    from renderers.visual.encoder import EncoderError
    from renderers.visual.video import render_video
    from renderers.voice.audio import AudioUnavailableError

    columns = (
        TextColumn("{task.description:<9}"),
        BarColumn(),
        TextColumn("{task.percentage:>3.0f} %"),
        TimeElapsedColumn(),
    )
    console = Console(stderr=True)
    # A bar for a person at a terminal; nothing in a pipe or a log.
    with Progress(
        *columns, console=console, transient=True, disable=not console.is_terminal
    ) as bar:
        task = bar.add_task("video", total=1.0)
        try:
            return render_video(
                message,
                progress=lambda done, stage: bar.update(task, completed=done, description=stage),
            )
        except (AudioUnavailableError, EncoderError) as error:
            raise CLIError(str(error)) from None


def run_visual(args: argparse.Namespace) -> int:
    from gateway.cli.render import render_file

    if args.output is None:
        suffix = "mp4" if args.channel == "video" else "jpg"
        raise CLIError(f"{args.channel} is a file: give one with -o FILE.{suffix}")
    rendition = render_file(args.file, args.channel, args.locale)
    assert isinstance(rendition.body, bytes)
    args.output.write_bytes(rendition.body)
    meta = rendition.meta
    size = f"{meta['width']}×{meta['height']}, {len(rendition.body) // 1024} KiB"
    if args.channel != "video":
        print(f"wrote {args.output} ({size}; text layout: {meta['layout']})")
        print(f"alt: {meta['alt']}")
        return 0
    captions = args.output.with_suffix(".vtt")
    text = args.output.with_suffix(".txt")
    captions.write_text(meta["vtt"], encoding="utf-8")
    text.write_text(meta["transcript"], encoding="utf-8")
    print(f"wrote {args.output} ({size}, {meta['duration']:.1f} s), {captions}, {text}")
    return 0
