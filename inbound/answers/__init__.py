"""Answers to citizens' questions, from the current announcements only: the engine picks the
announcement; the gateway sends that announcement's own summary and link, never made-up text."""

from inbound.answers.language import detect_language, looks_like_question
from inbound.answers.retrieval import Candidate, Match, Passage, Retriever, Tuning
from inbound.answers.semantic import E5Embedder, Embedder, shared_embedder

__all__ = [
    "Candidate",
    "E5Embedder",
    "Embedder",
    "Match",
    "Passage",
    "Retriever",
    "Tuning",
    "detect_language",
    "looks_like_question",
    "shared_embedder",
]
