"""The language a question is written in (py3langid, offline), and whether a text asks."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from inbound.text import words

# Words a question starts with, folded (no accents), in the shipped languages.
QUESTION_WORDS = frozenset(
    "quand ou comment pourquoi quel quelle quels quelles combien qui que quoi est-ce estce y "
    "when where how why what which who whom whose is are can could do does will "
    "cuando donde como por porque que cual cuales quien cuanto cuanta cuantos se "
    "quando onde porque qual quais quem quanto "
    "متى اين أين كيف لماذا ما ماذا هل كم من "
    "pegoulz pelec'h penaos perak petra piv".split()
)


def looks_like_question(text: str) -> bool:
    """A question mark, or a first word that asks (`Quand…`, `¿Dónde…`, `متى…`)."""
    if "?" in text or "؟" in text:
        return True
    found = words(text)
    return bool(found) and found[0] in QUESTION_WORDS


@lru_cache(maxsize=8)
def _identifier(languages: tuple[str, ...]):
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages(list(languages))
    return identifier


def detect_language(text: str, languages: Sequence[str], *, confidence: float = 0.9) -> str:
    """One of `languages` when the text says so clearly, else "" (too short, mixed)."""
    usable = tuple(sorted(lang for lang in set(languages) if lang != "br"))  # langid has no br
    if len(usable) < 2 or len(words(text)) < 2:
        return usable[0] if len(usable) == 1 and words(text) else ""
    language, probability = _identifier(usable).classify(text)
    return language if probability >= confidence else ""
