"""The voice table: which `<Say>` language tag and Twilio voice speak each message locale."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from babel import UnknownLocaleError

from renderers.errors import RenderError, RenderErrorCode
from renderers.i18n import language

# Twilio passes `language` through as is (it does not turn `fr_fr` into `fr-FR`), so a tag is
# checked here, once, when the table is built: BCP-47 language (2-3 letters) + optional region.
_TAG = re.compile(r"^[a-z]{2,3}(?:-[A-Z]{2})?$")

# The language each Amazon Polly voice speaks (Twilio docs, "Text-to-speech voices"). A `<Say>`
# whose language differs from its voice's is read with the wrong accent or rejected, so a table
# entry naming a voice listed here must use its language. Voices not listed are trusted.
POLLY_LANGUAGES: Mapping[str, str] = MappingProxyType(
    {
        "Polly.Lea": "fr-FR",
        "Polly.Celine": "fr-FR",
        "Polly.Mathieu": "fr-FR",
        "Polly.Remi": "fr-FR",
        "Polly.Chantal": "fr-CA",
        "Polly.Gabrielle": "fr-CA",
        "Polly.Liam": "fr-CA",
        "Polly.Isabelle": "fr-BE",
        "Polly.Amy": "en-GB",
        "Polly.Brian": "en-GB",
        "Polly.Emma": "en-GB",
        "Polly.Arthur": "en-GB",
        "Polly.Joanna": "en-US",
        "Polly.Matthew": "en-US",
        "Polly.Lucia": "es-ES",
        "Polly.Conchita": "es-ES",
        "Polly.Enrique": "es-ES",
        "Polly.Sergio": "es-ES",
        "Polly.Ines": "pt-PT",
        "Polly.Cristiano": "pt-PT",
        "Polly.Camila": "pt-BR",
        "Polly.Zeina": "arb",
        "Polly.Hala": "ar-AE",
        "Polly.Hannah": "de-AT",
        "Polly.Vicki": "de-DE",
        "Polly.Bianca": "it-IT",
    }
)


@dataclass(frozen=True)
class VoiceChoice:
    """A `<Say>` language tag (`fr-FR`) and the voice that speaks it (`Polly.Lea`)."""

    language_tag: str
    voice: str

    def __post_init__(self) -> None:
        if not _TAG.match(self.language_tag):
            raise ValueError(
                f"voice language tag {self.language_tag!r} is not a BCP-47 tag like 'fr-FR'"
            )
        # "-Neural" and "-Generative" are engines of the same voice, same language.
        base = re.sub(r"-(Neural|Generative)$", "", self.voice)
        expected = POLLY_LANGUAGES.get(base)
        if expected is not None and expected != self.language_tag:
            raise ValueError(f"voice {self.voice} speaks {expected}, not {self.language_tag}")


# Breton (br) has no voice: neither Twilio/Amazon Polly nor espeak-ng speak it. `voice_for`
# refuses it (UNSUPPORTED_LOCALE) and the gateway then calls in the organisation's language.
DEFAULT_VOICES: Mapping[str, VoiceChoice] = MappingProxyType(
    {
        "fr": VoiceChoice("fr-FR", "Polly.Lea"),
        "en": VoiceChoice("en-GB", "Polly.Amy"),
        "es": VoiceChoice("es-ES", "Polly.Lucia"),
        "pt": VoiceChoice("pt-PT", "Polly.Ines"),
        "ar": VoiceChoice("arb", "Polly.Zeina"),
    }
)


def voice_for(locale: str, voices: Mapping[str, VoiceChoice]) -> VoiceChoice:
    """The table entry for `locale`: its exact tag (`fr-CA`) first, then its language (`fr`)."""
    exact = locale.replace("_", "-")
    if exact in voices:
        return voices[exact]
    try:
        lang = language(locale)
    except (UnknownLocaleError, ValueError) as error:
        raise RenderError(
            RenderErrorCode.UNSUPPORTED_LOCALE, f"unknown locale {locale!r}", form="voice"
        ) from error
    if lang in voices:
        return voices[lang]
    known = ", ".join(sorted(voices)) or "none"
    raise RenderError(
        RenderErrorCode.UNSUPPORTED_LOCALE,
        f"no voice for locale {locale!r} (voices: {known})",
        form="voice",
    )
