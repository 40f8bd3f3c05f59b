"""The question engine: the real model on a few announcements (every language, no answer when
none fits, margin), BM25 alone for exact words, and a bag-of-words embedder for the mechanics."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from inbound.answers import Passage, Retriever, Tuning, detect_language, looks_like_question
from inbound.answers.lexical import LexicalIndex, analyse

PASSAGES = [
    Passage(
        "eau",
        "fr",
        "Coupure d’eau rue des Lilas mardi",
        "Coupure d’eau mardi de 8 h à 12 h rue des Lilas pour travaux.",
    ),
    Passage(
        "eau",
        "en",
        "Water cut on Rue des Lilas on Tuesday",
        "Water cut on Tuesday from 8 am to noon on Rue des Lilas.",
    ),
    Passage(
        "piscine",
        "fr",
        "Piscine fermée du 1er au 15 juillet",
        "La piscine municipale est fermée du 1er au 15 juillet pour sa vidange.",
    ),
    Passage(
        "piscine",
        "ar",
        "المسبح البلدي مغلق من 1 إلى 15 يوليو",
        "المسبح البلدي مغلق من 1 إلى 15 يوليو للتفريغ السنوي.",
    ),
    Passage(
        "vote",
        "fr",
        "Élections municipales les 15 et 22 mars",
        "Les bureaux de vote sont ouverts de 8 h à 18 h. Apportez une pièce d’identité.",
    ),
    Passage(
        "vote",
        "es",
        "Elecciones municipales el 15 y el 22 de marzo",
        "Los colegios electorales abren de 8 a 18 h. Lleve un documento de identidad.",
    ),
]


@pytest.fixture(scope="module")
def retriever():
    from inbound.answers import E5Embedder

    return Retriever(PASSAGES, E5Embedder())


@pytest.mark.parametrize(
    ("question", "key"),
    [
        ("Quand revient l’eau rue des Lilas ?", "eau"),
        ("Will there be water on Tuesday morning?", "eau"),
        ("هل المسبح مفتوح في يوليو؟", "piscine"),
        ("¿A qué hora cierran los colegios electorales?", "vote"),
        ("Faut-il une pièce d’identité pour voter ?", "vote"),
    ],
)
def test_the_real_model_finds_the_announcement_in_any_language(retriever, question, key):
    match = retriever.ask(question)
    assert match.key == key, match.as_dict()
    assert match.margin >= Tuning().margin


def test_no_answer_when_no_announcement_fits(retriever):
    match = retriever.ask("Comment refaire mon passeport ?")
    assert match.key is None and match.best is not None


class WordsEmbedder:
    """Bag of folded words in a fixed vocabulary: deterministic, to test the mechanics."""

    def __init__(self, vocabulary):
        self.vocabulary = {w: i for i, w in enumerate(vocabulary)}

    def _vector(self, text):
        from inbound.text import words

        v = np.zeros(len(self.vocabulary))
        for w in words(text):
            if w in self.vocabulary:
                v[self.vocabulary[w]] += 1
        n = np.linalg.norm(v)
        return v / n if n else v

    def passages(self, texts):
        return np.stack([self._vector(t) for t in texts])

    def query(self, text):
        return self._vector(text)


def test_the_margin_decides_not_the_score():
    embedder = WordsEmbedder(["eau", "piscine", "lilas", "juillet", "vote"])
    tuning = Tuning(lexical_weight=0.0, margin=0.2, floor=0.0)
    retriever = Retriever(PASSAGES[:4], embedder, tuning)
    clear = retriever.ask("eau lilas")
    assert clear.key == "eau" and clear.margin > 0.2
    tie = retriever.ask("eau piscine")
    assert tie.key is None and tie.runner_up is not None
    assert [c.key for c in tie.ranking] == sorted(c.key for c in tie.ranking)


def test_one_announcement_is_compared_with_the_floor():
    embedder = WordsEmbedder(["eau", "lilas"])
    retriever = Retriever(PASSAGES[:2], embedder, Tuning(lexical_weight=0.0, floor=0.5))
    assert retriever.ask("eau lilas").key == "eau"
    assert retriever.ask("passeport").key is None


def test_bm25_counts_exact_words_with_french_stemming():
    assert analyse("Les piscines municipales", "fr") == analyse("piscine municipale", "fr")
    index = LexicalIndex([p.text for p in PASSAGES], [p.locale for p in PASSAGES])
    scores = index.scores("rue des Lilas")
    assert scores.argmax() in (0, 1) and 0 < scores.max() <= 1  # the water cut, fr or en
    assert index.scores("passeport biométrique").max() == 0.0
    lexical = Retriever(
        PASSAGES, tuning=replace(Tuning(), semantic=False, lexical_weight=1.0, margin=0.05)
    )
    assert lexical.ask("piscine juillet").key == "piscine"


def test_a_retriever_needs_an_embedder_for_meaning():
    with pytest.raises(ValueError, match="embedder"):
        Retriever(PASSAGES)


@pytest.mark.parametrize(
    ("text", "question"),
    [
        ("Quand revient l'eau", True),
        ("¿Dónde voto", True),
        ("متى تفتح المسبحة", True),
        ("merci beaucoup", False),
        ("Ok ?", True),
    ],
)
def test_what_looks_like_a_question(text, question):
    assert looks_like_question(text) is question


def test_the_language_of_a_question():
    assert detect_language("When does the swimming pool open again?", ["fr", "en"]) == "en"
    assert detect_language("متى تفتح المسبحة؟", ["fr", "en", "ar"]) == "ar"
    assert detect_language("ok", ["fr", "en"]) == ""
