"""Moderation of free text: word lists as data and an offline classifier."""

from inbound.moderation.classify import Classification, Match, Verdict, classify, personal_data
from inbound.moderation.lists import (
    CATEGORIES,
    Term,
    WordListError,
    WordLists,
    load_lists,
    read_list,
    shipped_locales,
)

__all__ = [
    "CATEGORIES",
    "Classification",
    "Match",
    "Term",
    "Verdict",
    "WordListError",
    "WordLists",
    "classify",
    "load_lists",
    "personal_data",
    "read_list",
    "shipped_locales",
]
