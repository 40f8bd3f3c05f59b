"""Spoken forms per locale: text written for the eye, rewritten for a voice.

The baseline is plain normalised text, not SSML `<say-as>`: the same words then reach Polly,
any other Twilio voice and the offline espeak-ng preview, and a test can read them. SSML support
differs from voice to voice (and `<say-as interpret-as="telephone">` reads French numbers digit
by digit in the en-US style), so it would buy little here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType

from renderers.i18n import language
from renderers.voice.spoken import ar, en, es, fr, pt
from renderers.voice.spoken.common import collapse_spaces, plain_spaces, replace_addresses

RULES: Mapping[str, Callable[[str], str]] = MappingProxyType(
    {
        "fr": fr.normalise,
        "en": en.normalise,
        "es": es.spoken,
        "pt": pt.spoken,
        "ar": ar.spoken,
    }
)


def spoken_form(text: str, locale: str) -> str:
    """`text` as a voice should read it in `locale`; languages without rules lose only URLs."""
    rules = RULES.get(language(locale))
    if rules is not None:
        return rules(text)
    text = replace_addresses(plain_spaces(text), locale, dot=None, at=None)
    return collapse_spaces(text)


__all__ = ["RULES", "spoken_form"]
