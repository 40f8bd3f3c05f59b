"""Lexical matching: BM25 (bm25s) over stemmed words, one index per language, so that exact
words such as a street name or "piscine" count. Scores are brought to [0, 1] by the best a
passage could score for the question, so languages and questions compare."""

from __future__ import annotations

import logging
import math
from collections import Counter
from collections.abc import Sequence
from functools import lru_cache

import bm25s
import numpy as np
import snowballstemmer
from bm25s import stopwords as bm25s_stopwords

from inbound.text import words

# bm25s sets its own logger to DEBUG and says "Building index" on every index: not our log.
logging.getLogger("bm25s").setLevel(logging.WARNING)

K1, B = 1.2, 0.75
STEMMERS = {"fr": "french", "en": "english", "es": "spanish", "pt": "portuguese", "ar": "arabic"}
# Arabic function words (bm25s ships none), written without diacritics.
ARABIC_STOPWORDS = (
    "في من على الى إلى عن مع هل ما ماذا متى اين أين كيف لماذا كم هذا هذه ذلك تلك التي الذي "
    "هو هي هم انا أنا نحن انت أنت لا لم لن ان أن إن كان يكون قد ثم او أو و ف ب ل يا كل بعد قبل "
    "عند حتى اي أي"
).split()
STOPWORDS = {
    "fr": bm25s_stopwords.STOPWORDS_FRENCH,
    "en": bm25s_stopwords.STOPWORDS_EN,
    "es": bm25s_stopwords.STOPWORDS_SPANISH,
    "pt": bm25s_stopwords.STOPWORDS_PORTUGUESE,
    "ar": ARABIC_STOPWORDS,
}


@lru_cache(maxsize=16)
def _stemmer(language: str):
    algorithm = STEMMERS.get(language)
    return snowballstemmer.stemmer(algorithm) if algorithm else None


@lru_cache(maxsize=16)
def _stopwords(language: str) -> frozenset[str]:
    return frozenset(" ".join(words(w)) for w in STOPWORDS.get(language, ()))


def analyse(text: str, language: str) -> list[str]:
    """The words BM25 counts: folded, stop words dropped, stemmed in `language`."""
    stop = _stopwords(language)
    kept = [w for w in words(text) if w not in stop and not (len(w) == 1 and w.isalpha())]
    stemmer = _stemmer(language)
    return stemmer.stemWords(kept) if stemmer else kept


class _LanguageIndex:
    def __init__(self, language: str, texts: Sequence[str], rows: Sequence[int]) -> None:
        self.language = language
        self.rows = np.asarray(rows)
        docs = [analyse(t, language) or ["∅"] for t in texts]
        self.bm25 = bm25s.BM25(k1=K1, b=B, method="lucene")
        self.bm25.index(docs, show_progress=False)
        self.n = len(docs)
        self.df = Counter(term for doc in docs for term in set(doc))

    def idf(self, term: str) -> float:
        df = self.df.get(term, 0)
        return math.log(1 + (self.n - df + 0.5) / (df + 0.5))

    def scores(self, question: str) -> np.ndarray:
        terms = analyse(question, self.language)
        if not terms:
            return np.zeros(len(self.rows))
        known = [t for t in terms if t in self.df]
        raw = self.bm25.get_scores(known) if known else np.zeros(self.n)
        # The most a passage could score: every question word, many times. Unknown words
        # count too, at the highest idf, so a question about something absent scores low.
        best = sum(self.idf(t) for t in terms) * (K1 + 1)
        return np.asarray(raw, dtype=float) / best


class LexicalIndex:
    """Passages in several languages; `scores(question)` gives one score per passage."""

    def __init__(self, texts: Sequence[str], languages: Sequence[str]) -> None:
        self.size = len(texts)
        by_language: dict[str, list[int]] = {}
        for row, language in enumerate(languages):
            by_language.setdefault(language, []).append(row)
        self.indexes = [
            _LanguageIndex(lang, [texts[r] for r in rows], rows)
            for lang, rows in sorted(by_language.items())
        ]

    def scores(self, question: str) -> np.ndarray:
        out = np.zeros(self.size)
        for index in self.indexes:
            out[index.rows] = index.scores(question)
        return out
