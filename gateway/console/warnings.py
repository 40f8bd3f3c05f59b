"""Warnings shown while composing: missing translations, forms that cannot fit, readability.

Readability is deliberately simple and documented: a sentence longer than 25 words, a word
longer than 15 letters (plain-language guidance for readers with difficulties). Only words
count: a stray apostrophe or dash is not one; a compound (`Saint-Crieur`, `l’eau`) is measured
part by part, and names (a capital inside a sentence) are never flagged.
"""

from __future__ import annotations

from dataclasses import dataclass

import regex
from babel import Locale

from gateway.console.words import form_word, language_word
from gateway.models import Organisation
from gateway.routing.audience_version import readers_by_language
from renderers.errors import RenderError
from renderers.i18n import gettext, language, ngettext

LONG_SENTENCE_WORDS = 25
LONG_WORD_LETTERS = 15  # "renseignements", "stationnement" are ordinary: not flagged
SENTENCE_END = regex.compile(r"(?<=[.!?…])\s+|\n\s*\n")
WORD = regex.compile(r"\p{L}[\p{L}\p{M}]*(?:[’'-]\p{L}[\p{L}\p{M}]*)*")
PART = regex.compile(r"[’'-]")


@dataclass(frozen=True)
class ComposeWarning:
    kind: str  # "translation", "too_long", "readability"
    text: str


def missing_translations(
    texts: dict, organisation: Organisation, fallback: str, ui: str
) -> list[ComposeWarning]:
    """One warning per language that some of the organisation's citizens read and that has no
    text: they will get the `fallback` text (routing's choice), and the agent should know."""
    readers = [
        (code, count)
        for code, count in readers_by_language(organisation.pk).items()
        if code not in texts
    ]
    names = Locale.parse(language(ui)).languages
    return [
        ComposeWarning(
            "translation",
            ngettext(
                ui,
                "Pas de traduction en {language} : {count} abonné la recevra en {fallback}.",
                "Pas de traduction en {language} : {count} abonnés la recevront en {fallback}.",
                count,
            ).format(
                language=names.get(code, code),
                count=count,
                fallback=names.get(fallback, fallback),
            ),
        )
        for code, count in readers
    ]


def render_errors(errors: list[tuple[str, RenderError]], ui: str) -> list[ComposeWarning]:
    return [
        ComposeWarning(
            "too_long",
            gettext(ui, "{form} ({locale}) ne peut pas être produit : {detail}").format(
                form=form_word(form, ui),
                locale=language_word(error_locale, ui),
                detail=error.detail,
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
                            count=len(words),
                            locale=language_word(code, ui),
                            start=" ".join(words[:6]),
                        ),
                    )
                )
        long_words = sorted(
            {
                word
                for sentence in SENTENCE_END.split(words_of)
                for index, word in enumerate(WORD.findall(sentence))
                if _too_long(word, first=index == 0)
            }
        )
        if long_words:
            found.append(
                ComposeWarning(
                    "readability",
                    gettext(ui, "Mots longs ({locale}) : {words}").format(
                        locale=language_word(code, ui), words=", ".join(long_words[:5])
                    ),
                )
            )
    return found


def _too_long(word: str, *, first: bool) -> bool:
    """A part longer than the limit that is not a name (a capital, but a sentence's first)."""
    return any(
        _letters(part) > LONG_WORD_LETTERS and not (part[:1].isupper() and (i or not first))
        for i, part in enumerate(PART.split(word))
    )


def _letters(word: str) -> int:
    return len(regex.findall(r"\p{L}", word))
