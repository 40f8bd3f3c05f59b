"""Which announcement answers a question: sentence embeddings (meaning, across languages) plus
BM25 (exact words), and confidence by the margin between the best announcement and the next.

Scores of e5 bunch together (0.78–0.88 for anything on the topic of a town), so no fixed score
says "answered"; a clear lead over the runner-up does. With no runner-up (one announcement),
the lead is taken over `floor`, what an unrelated announcement scores.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from inbound.answers.lexical import LexicalIndex
from inbound.answers.semantic import Embedder


@dataclass(frozen=True)
class Passage:
    """One announcement in one language. `key` names the announcement (id or file)."""

    key: str
    locale: str
    title: str
    summary: str
    body: str = ""

    @property
    def text(self) -> str:
        parts = [self.title.strip(), self.summary.strip(), self.body.strip()]
        return "\n".join(p for p in parts if p)


@dataclass(frozen=True)
class Tuning:
    """Measured on bench/ask (see bench/README.md); change them there, not by feel."""

    lexical_weight: float = 0.05  # how much BM25 (0–1) adds to the cosine similarity
    margin: float = 0.025  # the lead over the runner-up that makes an answer confident
    floor: float = 0.80  # the score of an unrelated announcement, when there is no runner-up
    semantic: bool = True
    lexical: bool = True


@dataclass(frozen=True)
class Candidate:
    key: str
    score: float
    semantic: float
    lexical: float


@dataclass(frozen=True)
class Match:
    """The best announcement (`key`, None when not confident), its lead, and the ranking."""

    key: str | None
    margin: float
    best: Candidate | None
    runner_up: Candidate | None
    ranking: tuple[Candidate, ...] = field(default=(), repr=False)

    @property
    def confident(self) -> bool:
        return self.key is not None

    def as_dict(self) -> dict:
        def cand(c: Candidate | None):
            if c is None:
                return None
            return {
                "key": c.key,
                "score": round(c.score, 4),
                "semantic": round(c.semantic, 4),
                "lexical": round(c.lexical, 4),
            }

        return {
            "answer": self.key,
            "margin": round(self.margin, 4),
            "best": cand(self.best),
            "runner_up": cand(self.runner_up),
        }


class Retriever:
    """An index of passages; `ask(question)` answers which announcement, if any, it is about."""

    def __init__(
        self,
        passages: Sequence[Passage],
        embedder: Embedder | None = None,
        tuning: Tuning = Tuning(),
    ) -> None:
        self.passages = list(passages)
        self.tuning = tuning
        self.keys = sorted({p.key for p in self.passages})
        self._rows_of = {
            k: [i for i, p in enumerate(self.passages) if p.key == k] for k in self.keys
        }
        texts = [p.text for p in self.passages]
        self.embedder = embedder if tuning.semantic else None
        if self.embedder is None and tuning.semantic:
            raise ValueError("semantic matching needs an embedder")
        self.vectors = self.embedder.passages(texts) if self.embedder and texts else None
        self.lexical = (
            LexicalIndex(texts, [p.locale for p in self.passages])
            if tuning.lexical and texts
            else None
        )

    def rank(self, question: str) -> list[Candidate]:
        n = len(self.passages)
        semantic = np.zeros(n)
        if self.vectors is not None and self.embedder is not None:
            semantic = self.vectors @ self.embedder.query(question)
        lexical = self.lexical.scores(question) if self.lexical is not None else np.zeros(n)
        candidates = []
        for key, rows in self._rows_of.items():
            sem = float(semantic[rows].max())
            lex = float(lexical[rows].max())
            candidates.append(Candidate(key, sem + self.tuning.lexical_weight * lex, sem, lex))
        return sorted(candidates, key=lambda c: (-c.score, c.key))

    def ask(self, question: str) -> Match:
        ranking = self.rank(question) if question.strip() else []
        if not ranking:
            return Match(None, 0.0, None, None, ())
        best = ranking[0]
        runner_up = ranking[1] if len(ranking) > 1 else None
        baseline = runner_up.score if runner_up else self._floor()
        margin = best.score - baseline
        key = best.key if margin >= self.tuning.margin else None
        return Match(key, margin, best, runner_up, tuple(ranking))

    def _floor(self) -> float:
        return self.tuning.floor if self.tuning.semantic else 0.0
