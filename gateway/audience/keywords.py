"""SMS keywords: what a citizen's text asks for. Pure functions, no database.

Matching is done after trimming, case folding and accent folding (`ARRÊT`, `arret`, ` Arrêt. `
are the same word). The first word says the command; topic words may follow a join keyword,
or come alone (`TRAVAUX` joins the topic).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from enum import StrEnum


class Command(StrEnum):
    JOIN = "join"
    STOP = "stop"
    START = "start"
    HELP = "help"
    LANGUAGE = "language"
    UNKNOWN = "unknown"


# keyword → (command, language the keyword is written in, or "" when it says nothing)
KEYWORDS: dict[str, tuple[Command, str]] = {
    **{w: (Command.STOP, "") for w in ("stop", "stopall", "unsubscribe", "cancel", "end", "quit")},
    **{w: (Command.STOP, "fr") for w in ("arret", "arrete")},
    **{w: (Command.START, "") for w in ("start", "unstop")},
    "oui": (Command.START, "fr"),
    "yes": (Command.START, "en"),
    **{w: (Command.HELP, "") for w in ("help", "info")},
    "aide": (Command.HELP, "fr"),
    **{w: (Command.JOIN, "fr") for w in ("inscription", "inscrire", "abonnement")},
    **{w: (Command.JOIN, "en") for w in ("join", "subscribe")},
    "langue": (Command.LANGUAGE, "fr"),
    "language": (Command.LANGUAGE, "en"),
}
WORD = re.compile(r"[a-z0-9]+")


def fold(text: str) -> str:
    """Trimmed, case-folded, without accents: `  Arrêt ` → `arret`."""
    decomposed = unicodedata.normalize("NFKD", text.strip().casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def words(text: str) -> list[str]:
    return WORD.findall(fold(text))


@dataclass(frozen=True)
class Request:
    command: Command
    language: str = ""  # the language the keyword was written in, when it says
    topics: tuple[str, ...] = ()  # topic slugs asked for
    unknown: tuple[str, ...] = ()  # words that are no topic
    argument: str = ""  # LANGUAGE: the language asked for (a code, or "" when not understood)


@dataclass(frozen=True)
class Vocabulary:
    """An organisation's topic keywords (folded word → slug) and the languages it speaks."""

    topics: dict[str, str] = field(default_factory=dict)
    languages: dict[str, str] = field(default_factory=dict)  # folded name or code → code


def parse(text: str, vocabulary: Vocabulary) -> Request:
    """What the text asks for."""
    found = words(text)
    if not found:
        return Request(Command.UNKNOWN)
    head, rest = found[0], found[1:]
    command, language = KEYWORDS.get(head, (None, ""))
    if command is None:
        if head in vocabulary.topics:  # "TRAVAUX" alone joins the topic
            command, rest = Command.JOIN, found
        else:
            return Request(Command.UNKNOWN)
    if command is Command.LANGUAGE:
        asked = vocabulary.languages.get(" ".join(rest)) or vocabulary.languages.get(
            rest[0] if rest else ""
        )
        return Request(command, language, argument=asked or "")
    if command is Command.JOIN:
        topics = tuple(dict.fromkeys(vocabulary.topics[w] for w in rest if w in vocabulary.topics))
        unknown = tuple(w for w in rest if w not in vocabulary.topics)
        return Request(command, language, topics=topics, unknown=unknown)
    return Request(command, language)
