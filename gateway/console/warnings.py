"""Warnings shown while composing: missing translations, forms that cannot fit, readability.

Readability is deliberately simple and documented: a sentence longer than 25 words, a word
longer than 12 letters (plain-language guidance for readers with difficulties).
"""

from __future__ import annotations

from dataclasses import dataclass

import regex
from django.conf import settings

from renderers.errors import RenderError
from renderers.i18n import gettext

LONG_SENTENCE_WORDS = 25
LONG_WORD_LETTERS = 12
SENTENCE_END = regex.compile(r"(?<=[.!?…])\s+|\n\s*\n")
WORD = regex.compile(r"[\p{L}\p{M}’'-]+")


@dataclass(frozen=True)
class ComposeWarning:
    kind: str  # "translation", "too_long", "readability"
    text: str


def missing_translations(texts: dict, ui: str) -> list[ComposeWarning]:
    names = dict(settings.LANGUAGES)
    return [
        ComposeWarning(
            "translation",
            gettext(
                ui, "Pas de traduction en {language} : ces abonnés recevront le texte source."
            ).format(language=names[code]),
        )
        for code in names
        if code not in texts
    ]


def render_errors(errors: list[tuple[str, RenderError]], ui: str) -> list[ComposeWarning]:
    return [
        ComposeWarning(
            "too_long",
            gettext(ui, "{form} ({locale}) ne peut pas être produit : {detail}").format(
                form=form, locale=error_locale, detail=error.detail
            ),
        )
        for (form, error_locale), error in errors
    ]


def readability(texts: dict, ui: str) -> list[ComposeWarning]:
    found = []
    for code, text in texts.items():
        words_of = f"{text.get('summary', '')}\n\n{text.get('body', '')}"
        for sentence in SENTENCE_END.split(words_of):
            words = WORD.findall(sentence)
            if len(words) > LONG_SENTENCE_WORDS:
                found.append(
                    ComposeWarning(
                        "readability",
                        gettext(ui, "Phrase de {count} mots ({locale}) : « {start}… »").format(
                            count=len(words), locale=code, start=" ".join(words[:6])
                        ),
                    )
                )
        long_words = sorted({w for w in WORD.findall(words_of) if _letters(w) > LONG_WORD_LETTERS})
        if long_words:
            found.append(
                ComposeWarning(
                    "readability",
                    gettext(ui, "Mots longs ({locale}) : {words}").format(
                        locale=code, words=", ".join(long_words[:5])
                    ),
                )
            )
    return found


def _letters(word: str) -> int:
    return len(regex.findall(r"\p{L}", word))
