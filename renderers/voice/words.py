"""The fixed words of a call, in the message's language (msgids are French, the source)."""

from __future__ import annotations

from dataclasses import astuple, dataclass, fields

from renderers.errors import RenderError, RenderErrorCode
from renderers.i18n import SOURCE_LOCALE, gettext, language


@dataclass(frozen=True)
class CallWords:
    greeting: str
    urgent: str
    repeat: str
    menu: str
    goodbye: str
    confirmed: str
    stopped: str
    unknown_choice: str
    contact: str


def call_words(locale: str) -> CallWords:
    """The words of a call in `locale`; a language whose catalog lacks them is refused.

    A French sentence read by a Spanish voice helps no one, and routing falls back to the
    organisation's language when a rendition is refused, so refusing is the kinder failure.
    """
    words = CallWords(
        greeting=gettext(locale, "{organisation} vous informe."),
        urgent=gettext(locale, "Message urgent."),
        repeat=gettext(locale, "Je répète."),
        menu=gettext(
            locale,
            "Pour réécouter ce message, tapez 1. "
            "Pour confirmer que vous l’avez bien reçu, tapez 2. "
            "Pour ne plus recevoir d’appels, tapez 0.",
        ),
        goodbye=gettext(locale, "Au revoir."),
        confirmed=gettext(locale, "Merci, votre accusé de réception est enregistré."),
        stopped=gettext(locale, "C’est noté : vous ne recevrez plus d’appels de notre part."),
        unknown_choice=gettext(locale, "Choix non reconnu."),
        contact=gettext(locale, "Pour tout renseignement : {contact}."),
    )
    return _translated(words, call_words, locale, "the fixed words of a call")


def _translated(words, source_words, locale: str, what: str):
    """`words` when each differs from the source language's, else UNSUPPORTED_LOCALE."""
    if language(locale) == SOURCE_LOCALE:
        return words
    source = source_words(SOURCE_LOCALE)
    pairs = zip(fields(words), astuple(words), astuple(source), strict=True)
    missing = [f.name for f, said, source_said in pairs if said == source_said]
    if missing:
        raise RenderError(
            RenderErrorCode.UNSUPPORTED_LOCALE,
            f"{what} are not translated into {locale!r}: {', '.join(missing)}",
            form="voice",
        )
    return words


@dataclass(frozen=True)
class PollWords:
    question: str
    choice: str
    hear_again: str
    stop: str
    counted: str
    already: str
    refused: str
    closed: str
    none_open: str


def poll_words(locale: str) -> PollWords:
    """The fixed words of a consultation by phone; refused like `call_words` when untranslated."""
    words = PollWords(
        question=gettext(locale, "Consultation : {question}"),
        choice=gettext(locale, "Pour « {answer} », tapez {number}."),
        hear_again=gettext(locale, "Pour réentendre la question, tapez étoile."),
        stop=gettext(locale, "Pour ne plus recevoir d’appels, tapez 0."),
        counted=gettext(locale, "Merci, votre réponse « {answer} » est enregistrée."),
        already=gettext(locale, "Vous avez déjà répondu ; votre première réponse est gardée."),
        refused=gettext(locale, "Ce numéro ne peut pas répondre à cette consultation."),
        closed=gettext(locale, "Cette consultation est close."),
        none_open=gettext(locale, "Aucune consultation n’est ouverte pour ce numéro."),
    )
    return _translated(words, poll_words, locale, "the words of a consultation")
