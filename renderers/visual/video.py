"""The short video: 1080×1920 H.264/AAC MP4 of 15 to 60 s for Reels and TikTok.

The card's design fills the frame; the voice script is spoken (espeak-ng, behind `Speaker`)
one caption at a time, so every caption burned into the picture starts when its words start.
A WebVTT file and the transcript come with it, for the verification page (WCAG 1.2.2,
RGAA 4.3/4.4). The last seconds show the QR code and the link.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image, ImageDraw

from renderers.errors import RenderError, RenderErrorCode
from renderers.i18n import gettext
from renderers.message import Message, Rendition
from renderers.print.dates import full_date
from renderers.visual.alt import alt_text
from renderers.visual.captions import (
    Cue,
    script_paragraphs,
    split_captions,
    transcript,
    webvtt,
)
from renderers.visual.design import GREY, INK, WHITE, Painter, fit_blocks, open_logo
from renderers.visual.encoder import ffmpeg_version, run_ffmpeg
from renderers.visual.fonts import Engine, engine_description
from renderers.visual.qr import qr_image
from renderers.visual.speech import EspeakSpeaker, Speaker, Spoken, speak_captions
from renderers.visual.textlayout import Typesetter

FORM = "video"
MEDIA_TYPE = "video/mp4"
Progress = Callable[[float, str], None]


@dataclass(frozen=True)
class VideoFormat:
    width: int = 1080
    height: int = 1920
    fps: int = 30
    margin: int = 100  # sides: TikTok and Reels put their buttons on the right
    top: int = 120  # the phone's status bar
    caption_top: int = 1100  # captions sit above the networks' description overlay
    caption_bottom: int = 1420
    caption_size: int = 54
    min_seconds: float = 15.0
    max_seconds: float = 60.0
    end_seconds: float = 3.0  # the closing frame: QR and link
    title: tuple[int, int] = (100, 48)
    x264: tuple[str, ...] = field(default=("-preset", "veryfast", "-tune", "stillimage"))


VIDEO = VideoFormat()


def render_video(
    message: Message,
    *,
    logo: bytes | None = None,
    speaker: Speaker | None = None,
    progress: Progress | None = None,
    engine: Engine | None = None,
    fmt: VideoFormat = VIDEO,
) -> Rendition:
    """`render_video(message, *, progress=None) -> Rendition` (form "video", an MP4).

    `meta` holds `vtt`, `transcript`, `cues`, `duration` and `alt`. Raises RenderError
    (TOO_LONG over 60 s, UNSUPPORTED_LOCALE without a voice), AudioUnavailableError without
    espeak-ng, EncoderError when ffmpeg fails.
    """
    report = progress or (lambda fraction, stage: None)
    speaker = speaker or EspeakSpeaker()
    speaker.check(message.locale)
    setter = Typesetter(message.locale, engine)
    logo_image = open_logo(logo) if logo else None
    caption_width = fmt.width - 2 * fmt.margin - 80
    with tempfile.TemporaryDirectory(prefix="crieur-video-") as tmp:
        folder = Path(tmp)
        spoken = None
        for long_form in (True, False):  # the whole text if it fits in a minute, else the summary
            paragraphs = script_paragraphs(message, long_form=long_form)
            captions = split_captions(paragraphs, setter, fmt.caption_size, caption_width)
            count = len(captions)

            def spoken_so_far(done: int, count: int = count) -> None:
                report(0.15 * done / count, "speech")

            spoken = speak_captions(
                speaker, captions, message.locale, folder, progress=spoken_so_far
            )
            if spoken.duration + fmt.end_seconds <= fmt.max_seconds:
                break
        assert spoken is not None
        total = max(fmt.min_seconds, spoken.duration + fmt.end_seconds)
        if total > fmt.max_seconds:
            raise RenderError(
                RenderErrorCode.TOO_LONG,
                f"even the summary takes {spoken.duration:.1f} s to say; a video lasts at most "
                f"{fmt.max_seconds:.0f} s, the last {fmt.end_seconds:.0f} s showing the link",
                form=FORM,
            )
        cues = timed_cues(captions, spoken)
        frames = Frames(message, setter, fmt, logo_image)
        listing = frames.write(cues, total, folder, lambda f: report(0.15 + 0.1 * f, "frames"))
        out = folder / "video.mp4"
        run_ffmpeg(
            encode_arguments(listing, spoken.wav, out, total, fmt),
            duration=total,
            progress=lambda f: report(0.25 + 0.75 * f, "encoding"),
            cwd=folder,
        )
        data = out.read_bytes()
    report(1.0, "done")
    return Rendition(
        form=FORM,
        locale=message.locale,
        media_type=MEDIA_TYPE,
        body=data,
        meta={
            "width": fmt.width,
            "height": fmt.height,
            "fps": fmt.fps,
            "duration": round(total, 3),
            "speech": tuple(spoken.segments),
            "cues": tuple((c.start, c.end, c.text) for c in cues),
            "vtt": webvtt(cues, message.locale),
            "transcript": transcript(message, paragraphs),
            "alt": alt_text(message),
            "script": "body" if long_form else "summary",
            "voice": speaker.name,
            "encoder": f"{ffmpeg_version()} libx264 (GPL build from imageio-ffmpeg)",
            "layout": engine_description(setter.engine),
            "bytes": len(data),
        },
    )


def timed_cues(captions: Sequence[str], spoken: Spoken) -> list[Cue]:
    """Each caption from the start of its words until the next one starts."""
    cues = []
    for index, (text, (start, end)) in enumerate(zip(captions, spoken.segments, strict=True)):
        following = spoken.segments[index + 1][0] if index + 1 < len(captions) else end + 0.5
        cues.append(Cue(round(start, 3), round(following, 3), text))
    return cues


def encode_arguments(
    listing: Path, wav: Path, out: Path, total: float, fmt: VideoFormat
) -> list[str]:
    """Stills with their durations + the speech, padded with silence to the full length."""
    return [
        "-f", "concat", "-safe", "0", "-i", listing.name,
        "-i", wav.name,
        "-filter_complex", "[1:a]apad[a]",
        "-map", "0:v", "-map", "[a]",
        "-t", f"{total:.3f}",
        "-r", str(fmt.fps), "-fps_mode", "cfr",
        "-c:v", "libx264", *fmt.x264, "-pix_fmt", "yuv420p",
        "-c:a", "aac", "-b:a", "128k", "-ar", "48000", "-ac", "2",
        "-movflags", "+faststart",
        out.name,
    ]  # fmt: skip


class Frames:
    """The stills of the video: the card's design, each caption burned in, the closing frame."""

    def __init__(
        self, message: Message, setter: Typesetter, fmt: VideoFormat, logo: Image.Image | None
    ) -> None:
        self.message, self.setter, self.fmt = message, setter, fmt
        self.background, self.painter = self._background(logo)

    def _background(self, logo: Image.Image | None) -> tuple[Image.Image, Painter]:
        fmt = self.fmt
        image = Image.new("RGB", (fmt.width, fmt.height), WHITE)
        painter = Painter(image, self.setter, fmt.margin)
        painter.margin = fmt.top  # the header's text starts below the status bar
        top = painter.header(self.message.organisation, logo)
        top = painter.band(self.message, top, size=44) + 40
        top = painter.lines_at([full_date(self.message)], top, 34, fill=GREY, role="date") + 24
        room = fmt.caption_top - 48 - top
        width = painter.right - painter.left
        fitted = fit_blocks(
            self.setter, [self.message.title], [(*fmt.title, True)], width, room, form=FORM
        )
        top += (room - fitted.height) / 2  # the title in the middle of the room it has
        painter.lines_at(fitted.lines[0], top, fitted.sizes[0], bold=True, fill=INK, role="title")
        code = self.message.verification_code
        if code:
            label = gettext(self.message.locale, "Vérifier l’authenticité : {code}")
            painter.lines_at(
                [label.format(code=code)],
                fmt.caption_bottom + 40,
                32,
                bold=True,
                fill=INK,
                role="verification",
                centre=True,
            )
        return image, painter

    def caption_frame(self, text: str) -> Image.Image:
        fmt = self.fmt
        image = self.background.copy()
        canvas = ImageDraw.Draw(image)
        box = (fmt.margin, fmt.caption_top, fmt.width - fmt.margin, fmt.caption_bottom)
        canvas.rounded_rectangle(box, radius=24, fill="#111111")
        lines = self.setter.wrap(text, fmt.caption_size, box[2] - box[0] - 80)
        height = len(lines) * self.setter.line_height(fmt.caption_size)
        top = (box[1] + box[3] - height) / 2
        for line in lines:
            self.setter.draw(
                canvas,
                line,
                left=box[0] + 40,
                right=box[2] - 40,
                top=top,
                size=fmt.caption_size,
                fill=WHITE,
                centre=True,
                role="caption",
            )
            top += self.setter.line_height(fmt.caption_size)
        return image

    def closing_frame(self) -> Image.Image:
        """The last seconds: the QR code and the link to the verification page."""
        fmt = self.fmt
        image = self.background.copy()
        canvas = ImageDraw.Draw(image)
        top: float = fmt.caption_top - 20
        bottom = fmt.caption_bottom + 20
        canvas.rectangle((0, top, fmt.width, bottom), fill=WHITE)
        data = self.message.public_url or self.message.verification_code
        if data:
            qr = qr_image(data, 240)
            image.paste(qr, ((fmt.width - qr.width) // 2, round(top)))
            top += qr.height + 12
        if self.message.public_url:
            label = gettext(self.message.locale, "Plus d’informations : {link}")
            texts = [label.format(link="").strip(), self.message.public_url]
            ranges = [(30, 22, True), (30, 20, False)]
            width = fmt.width - 2 * fmt.margin
            fitted = fit_blocks(self.setter, texts, ranges, width, bottom - top, form=FORM)
            painter = Painter(image, self.setter, fmt.margin)
            for lines, size, bold in zip(fitted.lines, fitted.sizes, (True, False), strict=True):
                top = painter.lines_at(lines, top, size, bold=bold, centre=True, role="link")
        return image

    def write(
        self, cues: Sequence[Cue], total: float, folder: Path, progress: Callable[[float], None]
    ) -> Path:
        """PNG stills and the concat listing that gives each its duration."""
        entries = []
        for index, cue in enumerate(cues):
            name = f"frame-{index:03d}.png"
            self.caption_frame(cue.text).save(folder / name, compress_level=1)
            entries.append((name, cue.end - cue.start))
            progress((index + 1) / (len(cues) + 1))
        self.closing_frame().save(folder / "closing.png", compress_level=1)
        entries.append(("closing.png", max(0.04, total - (cues[-1].end if cues else 0.0))))
        listing = folder / "frames.ffconcat"
        lines = ["ffconcat version 1.0"]
        for name, seconds in entries:
            lines += [f"file '{name}'", f"duration {seconds:.3f}"]
        lines.append(f"file '{entries[-1][0]}'")  # the concat demuxer needs the last one twice
        listing.write_text("\n".join(lines) + "\n", encoding="utf-8")
        progress(1.0)
        return listing
