"""Word lists as data: the shipped ones per locale (`words/<locale>.txt`), plus an
organisation's own terms and allowed words."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from inbound.text import deobfuscate

WORDS_DIR = Path(__file__).resolve().parent / "words"
CATEGORIES = ("insult", "threat", "hate", "sexual", "spam")


class WordListError(ValueError):
    """A list line or a term that cannot be used; the message names it."""


@dataclass(frozen=True)
class Term:
    category: str
    text: str  # as written in the list
    locale: str  # "" for an organisation's own term
    tokens: tuple[str, ...]  # as matched: deobfuscated words
    prefix: bool = False  # `encul*`: the last word may go on

    @classmethod
    def parse(cls, category: str, text: str, locale: str = "") -> Term:
        if category not in CATEGORIES:
            raise WordListError(
                f"category must be one of {', '.join(CATEGORIES)}, not {category!r}"
            )
        prefix = text.rstrip().endswith("*")
        tokens = tuple(deobfuscate(text.rstrip().rstrip("*")))
        if not tokens:
            raise WordListError(f"term {text!r} has no letters")
        return cls(category, text.strip(), locale, tokens, prefix)


def shipped_locales() -> tuple[str, ...]:
    return tuple(sorted(p.stem for p in WORDS_DIR.glob("*.txt")))


def read_list(locale: str) -> list[Term]:
    path = WORDS_DIR / f"{locale}.txt"
    if not path.exists():
        raise WordListError(
            f"no word list for locale {locale!r} (shipped: {', '.join(shipped_locales())})"
        )
    terms = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        category, _, text = line.partition(":")
        try:
            terms.append(Term.parse(category.strip(), text.strip(), locale))
        except WordListError as exc:
            raise WordListError(f"{path.name}:{number}: {exc}") from None
    return terms


@dataclass(frozen=True)
class WordLists:
    """The terms to look for and the words never flagged (an allowed word wins)."""

    terms: tuple[Term, ...]
    allowed: frozenset[str] = field(default_factory=frozenset)


def load_lists(
    locales: Iterable[str] | None = None,
    *,
    extra: Iterable[tuple[str, str]] = (),
    allowed: Iterable[str] = (),
) -> WordLists:
    """The shipped lists of `locales` (all when None), an organisation's `extra`
    (category, term) pairs and its `allowed` words or phrases."""
    terms: list[Term] = []
    for locale in shipped_locales() if locales is None else locales:
        terms += read_list(locale)
    terms += [Term.parse(category, text) for category, text in extra]
    allowed_words = frozenset(" ".join(deobfuscate(word)) for word in allowed if deobfuscate(word))
    return WordLists(tuple(terms), allowed_words)
