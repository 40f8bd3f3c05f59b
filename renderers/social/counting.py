"""How each network counts a post: Mastodon, Bluesky and X each have their own rule."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable

import regex

# A URL needs its scheme, as on Mastodon; trailing punctuation belongs to the sentence.
URL_RE = regex.compile(r"https?://[^\s<>\"«»“”]+?(?=[.,;:!?'’»)\]]*(?:\s|$))")
MENTION_RE = regex.compile(r"(?<![\w/@])@(\w+)@[\w-]+(?:\.[\w-]+)+")
Length = Callable[[str], int]
HASHTAG_RE = regex.compile(r"(?<![\w#])#(\w+)")
URL_WEIGHT = 23  # Mastodon and X count every link as a t.co-sized 23


def graphemes(text: str) -> int:
    """User-perceived characters (extended grapheme clusters): 👩🏽‍🚒 and é are one each."""
    return len(regex.findall(r"\X", text))


def mastodon_length(text: str) -> int:
    """Mastodon's StatusLengthValidator: graphemes, each URL 23, a mention without @domain."""
    text = URL_RE.sub("x" * URL_WEIGHT, text)
    text = MENTION_RE.sub(r"@\1", text)
    return graphemes(text)


def bluesky_length(text: str) -> int:
    """Bluesky counts graphemes of the displayed text; a link counts as shown."""
    return graphemes(text)


# twitter-text v3 (config/v3.json): scale 100, default weight 200, these ranges weigh 100.
_X_LIGHT_RANGES = ((0x0000, 0x10FF), (0x2000, 0x200D), (0x2010, 0x201F), (0x2032, 0x2037))
_EMOJI_RE = regex.compile(r"\p{Extended_Pictographic}|\p{Regional_Indicator}")


def _x_weight(code_point: int) -> int:
    for low, high in _X_LIGHT_RANGES:
        if low <= code_point <= high:
            return 1
    return 2


def x_length(text: str) -> int:
    """X's weighted length (max 280): Latin 1, CJK and most other scripts 2, emoji 2, URL 23."""
    text = unicodedata.normalize("NFC", text)
    total = 0
    position = 0
    for match in URL_RE.finditer(text):
        total += _x_plain_length(text[position : match.start()]) + URL_WEIGHT
        position = match.end()
    return total + _x_plain_length(text[position:])


def _x_plain_length(text: str) -> int:
    total = 0
    for cluster in regex.findall(r"\X", text):
        if _EMOJI_RE.search(cluster):
            total += 2  # an emoji sequence (ZWJ, skin tone, flag) weighs one default char
        else:
            total += sum(_x_weight(ord(ch)) for ch in cluster)
    return total


def facebook_length(text: str) -> int:
    return len(text)
