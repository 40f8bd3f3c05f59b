"""Pictures and videos for the publishing channels' tests: the real card, a small real MP4."""

from __future__ import annotations

import struct
import subprocess
import tempfile
from functools import cache
from pathlib import Path

from renderers.message import Message, Rendition
from renderers.visual import render_card
from renderers.visual.encoder import ffmpeg_path
from renderers.visual.media import Media, media_of
from tests.renderers.print.factories import create_message


@cache
def card() -> Rendition:
    return render_card(create_message())


def card_media(url: str = "") -> Media:
    return media_of(card(), url=url)


@cache
def small_video() -> bytes:
    """A 4-second 360×640 H.264/AAC MP4, made in well under a second."""
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "clip.mp4"
        subprocess.run(
            [ffmpeg_path(), "-v", "error", "-f", "lavfi", "-i", "color=c=navy:s=360x640:d=4"]
            + ["-f", "lavfi", "-i", "sine=frequency=440:duration=4", "-c:v", "libx264"]
            + ["-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac", "-ar", "48000"]
            + ["-shortest", "-movflags", "+faststart", str(out)],
            check=True,
        )
        return out.read_bytes()


def padded_video(size: int) -> bytes:
    """The small video grown to `size` bytes by a trailing `free` box (still a valid MP4)."""
    data = small_video()
    padding = size - len(data)
    return data + struct.pack(">I4s", padding, b"free") + bytes(padding - 8)


def video_media(data: bytes | None = None, *, url: str = "", duration: float = 4.0) -> Media:
    return Media(
        "video/mp4", data=data or small_video(), url=url, duration=duration, filename="v.mp4"
    )


def message(**changes) -> Message:
    return create_message(**changes)
