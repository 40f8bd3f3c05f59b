"""An MP4 read back without ffprobe (the wheel ships only ffmpeg): the ISO BMFF boxes give
duration, tracks, codecs, picture size and audio rate; ffmpeg decodes the audio to PCM."""

from __future__ import annotations

import struct
import subprocess
from array import array
from dataclasses import dataclass, field

CONTAINERS = {b"moov", b"trak", b"mdia", b"minf", b"stbl"}


@dataclass
class Track:
    handler: str = ""
    codec: str = ""
    width: int = 0
    height: int = 0
    sample_rate: int = 0
    channels: int = 0
    duration: float = 0.0


@dataclass
class Movie:
    top_level: list[str] = field(default_factory=list)
    duration: float = 0.0
    tracks: list[Track] = field(default_factory=list)

    def track(self, handler: str) -> Track:
        return next(t for t in self.tracks if t.handler == handler)


def _boxes(data: bytes, start: int, end: int):
    while start + 8 <= end:
        size, kind = struct.unpack(">I4s", data[start : start + 8])
        header = 8
        if size == 1:
            size = struct.unpack(">Q", data[start + 8 : start + 16])[0]
            header = 16
        elif size == 0:
            size = end - start
        yield kind, start + header, start + size
        start += size


def read_mp4(data: bytes) -> Movie:
    movie = Movie()
    for kind, body, end in _boxes(data, 0, len(data)):
        movie.top_level.append(kind.decode())
        if kind == b"moov":
            _moov(data, body, end, movie)
    return movie


def _moov(data: bytes, start: int, end: int, movie: Movie) -> None:
    for kind, body, stop in _boxes(data, start, end):
        if kind == b"mvhd":
            timescale, duration = _times(data, body)
            movie.duration = duration / timescale
        elif kind == b"trak":
            track = Track()
            _walk(data, body, stop, track)
            movie.tracks.append(track)


def _times(data: bytes, body: int) -> tuple[int, int]:
    """Timescale and duration of an mvhd or mdhd box (version 0 or 1)."""
    if data[body] == 1:
        return struct.unpack(">IQ", data[body + 20 : body + 32])
    return struct.unpack(">II", data[body + 12 : body + 20])


def _walk(data: bytes, start: int, end: int, track: Track) -> None:
    for kind, body, stop in _boxes(data, start, end):
        if kind in CONTAINERS:
            _walk(data, body, stop, track)
        elif kind == b"mdhd":
            timescale, duration = _times(data, body)
            track.duration = duration / timescale
        elif kind == b"hdlr":
            track.handler = data[body + 8 : body + 12].decode()
        elif kind == b"stsd":
            entry = body + 8
            track.codec = data[entry + 4 : entry + 8].decode()
            sample = entry + 8
            if track.handler == "vide":
                track.width, track.height = struct.unpack(">HH", data[sample + 24 : sample + 28])
            elif track.handler == "soun":
                track.channels = struct.unpack(">H", data[sample + 16 : sample + 18])[0]
                track.sample_rate = struct.unpack(">I", data[sample + 24 : sample + 28])[0] >> 16


def decoded_audio(path: str, rate: int = 8000) -> array:
    """The soundtrack as mono 16-bit samples at `rate` Hz."""
    from renderers.visual.encoder import ffmpeg_path

    pcm = subprocess.run(
        [
            ffmpeg_path(),
            "-v",
            "error",
            "-i",
            path,
            "-f",
            "s16le",
            "-ac",
            "1",
            "-ar",
            str(rate),
            "-",
        ],
        capture_output=True,
        check=True,
    ).stdout
    samples = array("h")
    samples.frombytes(pcm)
    return samples


def voiced_windows(samples: array, rate: int = 8000, window: float = 0.02) -> list[bool]:
    """Whether each `window` of audio holds sound (RMS above 5 % of the loudest window)."""
    size = int(rate * window)
    levels = []
    for start in range(0, len(samples) - size + 1, size):
        chunk = samples[start : start + size]
        levels.append((sum(v * v for v in chunk) / size) ** 0.5)
    loudest = max(levels, default=0.0)
    return [level > max(150.0, 0.05 * loudest) for level in levels]


def onsets(voiced: list[bool], window: float = 0.02, silence: float = 0.2) -> list[float]:
    """Times where sound starts after at least `silence` seconds of quiet."""
    quiet_needed = round(silence / window)
    times, quiet = [], quiet_needed
    for index, on in enumerate(voiced):
        if on and quiet >= quiet_needed:
            times.append(index * window)
        quiet = 0 if on else quiet + 1
    return times
