"""Split a text into numbered posts at sentence, then word boundaries; never inside a word."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import regex

from renderers.errors import RenderError, RenderErrorCode
from renderers.social.counting import Length

# A sentence ends with . ! ? … (maybe followed by a closing quote or bracket) before a space.
_SENTENCE_END = regex.compile(r"[.!?…][\"'’»)\]]*$")


@dataclass(frozen=True)
class _Piece:
    text: str
    separator: str  # what stood before it in the source: " ", "\n" or "\n\n"


def _separator(space: str) -> str:
    newlines = space.count("\n")
    return "\n\n" if newlines > 1 else "\n" if newlines else " "


def _words(text: str) -> list[_Piece]:
    # No-break spaces (French "8\u00a0h", "Pourquoi\u00a0?") hold their neighbours together.
    tokens = regex.split(r"([^\S\u00a0\u202f\u2007]+)", text.strip())
    pieces = [_Piece(tokens[0], "")]
    for space, word in zip(tokens[1::2], tokens[2::2], strict=True):
        pieces.append(_Piece(word, _separator(space)))
    return pieces


def _sentences(text: str) -> list[list[_Piece]]:
    """Sentences as lists of words; a paragraph break also ends a sentence."""
    sentences: list[list[_Piece]] = []
    for word in _words(text):
        starts = (
            not sentences or word.separator != " " or _SENTENCE_END.search(sentences[-1][-1].text)
        )
        if starts:
            sentences.append([word])
        else:
            sentences[-1].append(word)
    return sentences


def _join(pieces: list[_Piece]) -> str:
    return "".join((p.separator if i else "") + p.text for i, p in enumerate(pieces))


def _pack(sentences: list[list[_Piece]], fits: Callable[[str], bool]) -> list[str]:
    posts: list[list[_Piece]] = [[]]
    for sentence in sentences:
        if fits(_join(posts[-1] + sentence)):
            posts[-1].extend(sentence)
            continue
        if posts[-1] and fits(_join(sentence)):
            posts.append(list(sentence))
            continue
        # The sentence is too long for any post: fall back to word boundaries.
        for word in sentence:
            if fits(_join(posts[-1] + [word])):
                posts[-1].append(word)
            elif fits(word.text):
                posts.append([word])
            else:
                raise RenderError(
                    RenderErrorCode.TOO_LONG,
                    f"{word.text[:40]!r} cannot fit in one post, even alone",
                )
    return [_join(post) for post in posts if post]


def _fits(length: Length, limit: int, reserve: str) -> Callable[[str], bool]:
    def fits(candidate: str) -> bool:
        return length(candidate + reserve) <= limit

    return fits


def numbered(text: str, index: int, total: int) -> str:
    return f"{text} {index}/{total}"


def split_thread(text: str, length: Length, limit: int, *, max_posts: int = 25) -> list[str]:
    """Posts whose `length()` is at most `limit`; numbered `i/n` when there are several."""
    if not text.strip():
        return []
    if length(text.strip()) <= limit:
        return [text.strip()]
    sentences = _sentences(text)
    guess = 2
    while True:
        # Room for the widest number, e.g. " 10/12", is kept in every post.
        reserve = f" {guess}/{guess}"
        posts = _pack(sentences, _fits(length, limit, reserve))
        if len(str(len(posts))) <= len(str(guess)):
            break
        guess = len(posts)
    if len(posts) > max_posts:
        raise RenderError(
            RenderErrorCode.TOO_LONG, f"the thread needs {len(posts)} posts, max is {max_posts}"
        )
    if len(posts) == 1:
        return posts
    return [numbered(post, i, len(posts)) for i, post in enumerate(posts, start=1)]
