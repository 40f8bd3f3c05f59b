"""Text folding shared by poll answers, moderation and questions."""

from __future__ import annotations

import re
import unicodedata

# Leetspeak and look-alike symbols, read as the letters they stand for.
LEET = str.maketrans(
    {
        "0": "o",
        "1": "i",
        "3": "e",
        "4": "a",
        "5": "s",
        "7": "t",
        "@": "a",
        "$": "s",
        "€": "e",
        "!": "i",
        "|": "i",
        "+": "t",
    }
)
WORD = re.compile(r"\w+", re.UNICODE)
REPEATS = re.compile(r"(\w)\1+", re.UNICODE)


def fold(text: str) -> str:
    """Case-folded, without accents, NFKC digits (`١` → `1`): `  Arrêt ` → `arret`."""
    decomposed = unicodedata.normalize("NFKD", text.strip().casefold())
    kept = "".join(c for c in decomposed if not unicodedata.combining(c))
    return "".join(str(unicodedata.digit(c)) if c.isdigit() else c for c in kept)


def words(text: str) -> list[str]:
    """The folded words of `text`, punctuation dropped."""
    return WORD.findall(fold(text))


def squeeze(word: str) -> str:
    """Runs of one letter made one (`connnard` and `connard` both → `conard`): matched on both
    sides, so spelling a word with more letters never escapes a list."""
    return REPEATS.sub(r"\1", word)


def deobfuscate(text: str) -> list[str]:
    """Words for matching abusive terms: folded, leetspeak read as letters, letter runs
    squeezed, and spelled-out words (`c.o.n` or `c o n`) joined back."""
    folded = fold(text)
    letters = "".join(c.translate(LEET) if not c.isspace() else c for c in folded)
    # `5` inside a number stays a digit: only words mixing letters and symbols are leet.
    tokens = []
    for raw, clear in zip(folded.split(), letters.split(), strict=True):
        tokens.append(clear if any(ch.isalpha() for ch in raw) else raw)
    found = WORD.findall(" ".join(tokens))
    spelled: list[str] = []
    run: list[str] = []
    for token in [*found, ""]:
        if len(token) == 1 and token.isalpha():
            run.append(token)
            continue
        if len(run) >= 3:  # every stretch of the run, since a run may hold an elided `t'es`
            spelled += [
                "".join(run[i:j]) for i in range(len(run)) for j in range(i + 3, len(run) + 1)
            ]
        run = []
    return [squeeze(t) for t in [*found, *spelled]]
