"""The voice of the video behind one small interface: espeak-ng today, a better offline voice
later. Each caption is spoken on its own, so its start and end in the soundtrack are known
exactly and the captions follow the speech.
"""

from __future__ import annotations

import shutil
import subprocess
import wave
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Protocol

from renderers.errors import RenderError, RenderErrorCode
from renderers.i18n import language
from renderers.voice.audio import BINARY, AudioUnavailableError, audio_preview
from renderers.voice.spoken import spoken_form

GAP_SECONDS = 0.35  # silence between two captions: a breath, and a clean caption change


class Speaker(Protocol):
    """Writes `text` spoken in `locale` to a mono 16-bit PCM WAV file."""

    name: str

    def check(self, locale: str) -> None:
        """Raise AudioUnavailableError (no engine) or RenderError (no voice for `locale`)."""

    def speak(self, text: str, locale: str, out: Path) -> None: ...


@cache
def espeak_languages() -> frozenset[str]:
    """The languages espeak-ng has a voice for (`fr-fr` counts as `fr`)."""
    binary = shutil.which(BINARY)
    if binary is None:
        return frozenset()
    result = subprocess.run(
        [binary, "--voices"], capture_output=True, text=True, timeout=10, check=False
    )
    rows = result.stdout.splitlines()[1:]
    return frozenset(row.split()[1].split("-")[0] for row in rows if len(row.split()) > 1)


class EspeakSpeaker:
    """espeak-ng, through the same call the voice preview uses."""

    name = "espeak-ng"

    def check(self, locale: str) -> None:
        if shutil.which(BINARY) is None:
            raise AudioUnavailableError(
                "missing", "video: espeak-ng is not installed (apt install espeak-ng)"
            )
        if language(locale) not in espeak_languages():
            raise RenderError(
                RenderErrorCode.UNSUPPORTED_LOCALE,
                f"espeak-ng has no voice for {locale!r}",
                form="video",
            )

    def speak(self, text: str, locale: str, out: Path) -> None:
        audio_preview(text, locale, out)


@dataclass(frozen=True)
class Spoken:
    """The soundtrack and, for each caption, when its speech starts and ends (seconds)."""

    wav: Path
    segments: tuple[tuple[float, float], ...]
    duration: float


def speak_captions(
    speaker: Speaker,
    captions: Sequence[str],
    locale: str,
    folder: Path,
    *,
    progress: Callable[[int], None] = lambda done: None,
) -> Spoken:
    """Speak each caption (in its spoken form) and join them, a short silence apart."""
    out = folder / "speech.wav"
    segments: list[tuple[float, float]] = []
    with wave.open(str(out), "wb") as track:
        rate = 0
        position = 0
        for index, caption in enumerate(captions):
            part = folder / f"speech-{index:03d}.wav"
            speaker.speak(spoken_form(caption, locale), locale, part)
            with wave.open(str(part), "rb") as piece:
                if not rate:
                    rate = piece.getframerate()
                    track.setnchannels(1)
                    track.setsampwidth(2)
                    track.setframerate(rate)
                if (piece.getnchannels(), piece.getsampwidth(), piece.getframerate()) != (
                    1,
                    2,
                    rate,
                ):
                    raise AudioUnavailableError("failed", f"{speaker.name}: unexpected WAV format")
                frames = piece.readframes(piece.getnframes())
            part.unlink()
            track.writeframes(frames)
            length = len(frames) // 2
            segments.append((position / rate, (position + length) / rate))
            gap = round(GAP_SECONDS * rate)
            track.writeframes(b"\0\0" * gap)
            position += length + gap
            progress(index + 1)
    return Spoken(out, tuple(segments), position / rate if rate else 0.0)
