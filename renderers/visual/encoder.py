"""The bundled encoder: the static ffmpeg of the `imageio-ffmpeg` wheel (a GPL build, with
libx264), run as a separate program; its progress is read from `-progress pipe:1`."""

from __future__ import annotations

import subprocess
import threading
from collections.abc import Callable, Sequence
from functools import cache
from pathlib import Path

TIMEOUT_SECONDS = 600


class EncoderError(RuntimeError):
    """The video cannot be encoded: `reason` is `missing`, `failed` or `timeout`."""

    def __init__(self, reason: str, message: str) -> None:
        self.reason = reason
        super().__init__(message)


@cache
def ffmpeg_path() -> str:
    try:
        import imageio_ffmpeg

        return str(imageio_ffmpeg.get_ffmpeg_exe())
    except (ImportError, RuntimeError) as error:
        raise EncoderError("missing", f"video: no ffmpeg ({error})") from None


@cache
def ffmpeg_version() -> str:
    result = subprocess.run(
        [ffmpeg_path(), "-hide_banner", "-version"],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    first = (result.stdout.splitlines() or ["ffmpeg"])[0]
    return " ".join(first.split()[:3])


def run_ffmpeg(
    arguments: Sequence[str],
    *,
    duration: float,
    progress: Callable[[float], None] = lambda fraction: None,
    cwd: Path | None = None,
) -> None:
    """Run ffmpeg with `arguments`, reporting the fraction of `duration` encoded so far."""
    command = [
        ffmpeg_path(),
        "-hide_banner",
        "-nostdin",
        "-loglevel",
        "error",
        "-y",
        "-progress",
        "pipe:1",
        "-nostats",
        *arguments,
    ]
    with subprocess.Popen(
        command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    ) as process:
        # A watchdog, since reading the progress blocks until ffmpeg writes or ends.
        watchdog = threading.Timer(TIMEOUT_SECONDS, process.kill)
        watchdog.start()
        try:
            assert process.stdout is not None and process.stderr is not None
            done = 0.0
            for line in process.stdout:
                key, _, value = line.strip().partition("=")
                if key == "out_time_us" and value.isdigit() and duration > 0:
                    # ffmpeg's clock can step back between streams: report only progress.
                    done = max(done, min(1.0, int(value) / 1e6 / duration))
                    progress(done)
            errors = process.stderr.read()
            process.wait()
        finally:
            timed_out = not watchdog.is_alive()
            watchdog.cancel()
    if timed_out:
        raise EncoderError("timeout", f"video: ffmpeg took over {TIMEOUT_SECONDS} s")
    if process.returncode != 0:
        detail = (errors.strip().splitlines() or [f"exit code {process.returncode}"])[-1]
        raise EncoderError("failed", f"video: ffmpeg failed: {detail}")
    progress(1.0)
