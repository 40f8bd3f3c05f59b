"""The offline classifier of free text: `ok`, `to_review` or `spam`, with the rule or term
that decided it. It flags for a person; it never decides to hide anything."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from enum import StrEnum

from inbound.moderation.lists import Term, WordLists
from inbound.text import deobfuscate, fold


class Verdict(StrEnum):
    OK = "ok"
    TO_REVIEW = "to_review"
    SPAM = "spam"


@dataclass(frozen=True)
class Match:
    """What was found: a list term (`category` is its category) or a rule (`personal data`…)."""

    category: str
    term: str
    locale: str = ""

    def __str__(self) -> str:
        where = f" ({self.locale})" if self.locale else ""
        return f"{self.category}: {self.term}{where}"


@dataclass(frozen=True)
class Classification:
    verdict: Verdict
    reason: str  # the matched rule or term; empty when ok
    matches: tuple[Match, ...] = ()

    def as_dict(self) -> dict:
        return {
            "verdict": self.verdict.value,
            "reason": self.reason,
            "matches": [asdict(m) for m in self.matches],
        }


# Personal data in a public or agent-read text: a phone number, an e-mail address, a street
# address, a bank account. The numbers allow the separators people type (06 12 34 56 78).
PHONE = re.compile(r"(?<![\w+])(?:\+|00)?\d(?:[\s.\-/]?\d){8,13}(?!\w)")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?:\s?[A-Z0-9]{4}){3,7}\b")
STREET_WORDS = (
    "rue|avenue|av|bd|boulevard|chemin|impasse|allee|place|route|quai|cours|lotissement|"
    "residence|square|street|st|road|rd|lane|drive|calle|avenida|rua|plaza"
)
ADDRESS = re.compile(rf"\b\d{{1,4}}\s*(?:bis|ter)?\s*,?\s*(?:{STREET_WORDS})\b\.?\s+\w+")
LINK = re.compile(r"(?:https?://|www\.)\S+|\b[\w-]+\.(?:com|net|org|info|xyz|top|io|ly|fr)/\S*")


def personal_data(text: str) -> list[Match]:
    found = []
    if IBAN.search(text.upper()):  # first: its digits would also read as a phone number
        found.append(Match("personal data", "bank account"))
        text = IBAN.sub(" ", text.upper())
    if PHONE.search(text):
        found.append(Match("personal data", "phone number"))
    if EMAIL.search(text):
        found.append(Match("personal data", "e-mail address"))
    if ADDRESS.search(fold(text)):
        found.append(Match("personal data", "street address"))
    return found


def _contains(tokens: list[str], term: Term) -> bool:
    n = len(term.tokens)
    for i in range(len(tokens) - n + 1):
        window = tokens[i : i + n]
        if window[:-1] != list(term.tokens[:-1]):
            continue
        last, wanted = window[-1], term.tokens[-1]
        if last == wanted or (term.prefix and last.startswith(wanted)):
            return True
        if not term.prefix and last in (wanted + "s", wanted + "x", wanted + "e", wanted + "es"):
            return True  # the plural and feminine of a listed word
    return False


def _allowed(tokens: list[str], allowed: frozenset[str]) -> list[str]:
    """The tokens with every allowed word or phrase blanked out."""
    if not allowed:
        return tokens
    kept = list(tokens)
    for phrase in allowed:
        words = phrase.split()
        n = len(words)
        for i in range(len(kept) - n + 1):
            if kept[i : i + n] == words:
                kept[i : i + n] = [""] * n
    return kept


def classify(text: str, lists: WordLists) -> Classification:
    """The verdict on one free-text message, and why."""
    tokens = _allowed(deobfuscate(text), lists.allowed)
    found = [Match(t.category, t.text, t.locale) for t in lists.terms if _contains(tokens, t)]
    found = list(dict.fromkeys(found))
    spam = [m for m in found if m.category == "spam"]
    links = LINK.findall(text)
    private = personal_data(text)
    if len({m.term for m in spam}) >= 2 or (spam and (links or private)) or len(links) >= 3:
        reason = str(spam[0]) if spam else f"spam: {len(links)} links"
        return Classification(Verdict.SPAM, reason, tuple(spam or found))
    flagged = [m for m in found if m.category != "spam"] + private + spam
    if flagged:
        return Classification(Verdict.TO_REVIEW, str(flagged[0]), tuple(flagged))
    return Classification(Verdict.OK, "", ())
