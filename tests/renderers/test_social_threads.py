"""Threads: split at sentences then words, number i/n, never cut a word or a URL."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from renderers.errors import RenderError, RenderErrorCode
from renderers.social import mastodon_length, split_thread, x_length

URL = "https://www.lyon.fr/actualites/travaux/rue-garibaldi"
NUMBER_RE = re.compile(r" (\d+)/(\d+)$")


def strip_number(post: str) -> str:
    return NUMBER_RE.sub("", post)


def test_short_text_is_one_unnumbered_post():
    assert split_thread("Une phrase courte.", len, 50) == ["Une phrase courte."]


def test_splits_at_sentence_boundaries_first():
    text = "Première phrase assez longue. Deuxième phrase aussi longue. Troisième !"
    posts = split_thread(text, len, 40)
    assert posts == [
        "Première phrase assez longue. 1/3",
        "Deuxième phrase aussi longue. 2/3",
        "Troisième ! 3/3",
    ]


def test_falls_back_to_words_and_never_cuts_a_word():
    text = "mot " * 30
    posts = split_thread(text, len, 20)
    assert all(len(p) <= 20 for p in posts)
    assert " ".join(strip_number(p) for p in posts) == text.strip()


def test_no_break_space_keeps_the_question_mark_with_its_word():
    text = "Pourquoi\u00a0? " * 20
    posts = split_thread(text, len, 30)
    assert not any(strip_number(p).startswith("?") for p in posts)


def test_urls_stay_whole_and_count_as_23_on_mastodon():
    text = " ".join(["Détails"] + [URL] * 10)
    posts = split_thread(text, mastodon_length, 60)
    for post in posts:
        assert mastodon_length(post) <= 60
        for word in strip_number(post).split():
            assert word in ("Détails", URL)


def test_numbering_reserves_room_for_two_digit_totals():
    text = " ".join(f"Phrase {i}." for i in range(30))
    posts = split_thread(text, len, 30)
    total = len(posts)
    assert total >= 10
    assert [NUMBER_RE.search(p).groups() for p in posts] == [
        (str(i), str(total)) for i in range(1, total + 1)
    ]
    assert all(len(p) <= 30 for p in posts)


def test_too_many_posts_raises():
    with pytest.raises(RenderError, match="150 posts, max is 25"):
        split_thread(" ".join(f"Phrase {i}." for i in range(200)), len, 30)


def test_a_word_longer_than_a_post_raises():
    with pytest.raises(RenderError) as caught:
        split_thread("court " + "x" * 50, len, 30)
    assert caught.value.code is RenderErrorCode.TOO_LONG


def test_paragraph_breaks_are_kept_inside_a_post():
    assert split_thread("Un.\n\nDeux.", len, 9) == ["Un. 1/2", "Deux. 2/2"]
    assert split_thread("Un.\n\nDeux. " + "x" * 10, len, 30)[0].startswith("Un.\n\nDeux.")


words = st.lists(
    st.one_of(
        st.text(alphabet="abcdéèêçœ’«»", min_size=1, max_size=12),
        st.sampled_from([URL, "https://a.fr/x", "fin.", "quoi\u00a0?", "👩‍👩‍👧", "水道"]),
    ),
    min_size=1,
    max_size=120,
)


@settings(max_examples=200)
@given(words=words, limit=st.integers(min_value=60, max_value=300))
def test_thread_properties(words, limit):
    text = " ".join(words)
    for length in (mastodon_length, x_length, len):
        posts = split_thread(text, length, limit, max_posts=10_000)
        assert all(length(p) <= limit for p in posts)
        bodies = [strip_number(p) if len(posts) > 1 else p for p in posts]
        # Re-joining the posts gives back every word, whole and in order.
        assert " ".join(bodies).split() == text.split()
