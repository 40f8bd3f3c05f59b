"""Offline audio preview of a script with espeak-ng: a robotic voice, but no account needed.

The preview lets an agent hear the spoken forms (dates, phone numbers) before a real call;
Twilio's Polly voices sound better, but cost money and need the internet.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Mapping
from os import PathLike
from pathlib import Path
from types import MappingProxyType

from renderers.errors import RenderError, RenderErrorCode
from renderers.i18n import language

BINARY = "espeak-ng"
TIMEOUT_SECONDS = 30
# A little slower than espeak-ng's 175 words a minute: the preview stands for a phone call.
WORDS_PER_MINUTE = 150

# espeak-ng voice per language; British English to match the default Polly voice.
ESPEAK_VOICES: Mapping[str, str] = MappingProxyType(
    {"fr": "fr-fr", "en": "en-gb", "es": "es", "pt": "pt", "ar": "ar", "de": "de", "it": "it"}
)


class AudioUnavailableError(RuntimeError):
    """No preview can be made; the message is meant for the agent's screen."""

    def __init__(self, reason: str, message: str) -> None:
        self.reason = reason
        super().__init__(message)


def audio_preview(script: str, locale: str, out_path: str | PathLike[str]) -> Path:
    """Speak `script` in `locale` into the WAV file `out_path` and return its path.

    Raises AudioUnavailableError when espeak-ng is missing, has no voice for the language,
    fails or takes too long.
    """
    if not script.strip():
        raise RenderError(RenderErrorCode.MISSING_FIELD, "nothing to say", form="voice")
    binary = shutil.which(BINARY)
    if binary is None:
        raise AudioUnavailableError(
            "missing", "aperçu audio indisponible : espeak-ng n’est pas installé"
        )
    lang = language(locale)
    voice = ESPEAK_VOICES.get(lang, lang)
    out = Path(out_path)
    # The script goes through stdin: a script starting with "-" is then never an option.
    command = [binary, "-v", voice, "-s", str(WORDS_PER_MINUTE), "-b", "1", "-w", str(out)]
    try:
        result = subprocess.run(
            command,
            input=script.encode("utf-8"),
            capture_output=True,
            timeout=TIMEOUT_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired as error:
        raise AudioUnavailableError(
            "timeout", f"aperçu audio indisponible : espeak-ng n’a pas fini en {TIMEOUT_SECONDS} s"
        ) from error
    if result.returncode != 0 or not out.exists() or out.stat().st_size == 0:
        out.unlink(missing_ok=True)
        detail = result.stderr.decode("utf-8", "replace").strip() or f"code {result.returncode}"
        raise AudioUnavailableError("failed", f"aperçu audio indisponible en {locale} : {detail}")
    return out
