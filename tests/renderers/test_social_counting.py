"""Each network's counting rule: URLs, mentions, graphemes, X weights."""

from __future__ import annotations

import pytest

from renderers.social import bluesky_length, graphemes, mastodon_length, x_length
from renderers.social.counting import URL_RE

LONG_URL = "https://www.lyon.fr/actualites/travaux/rue-garibaldi-2025-calendrier-complet"


@pytest.mark.parametrize(
    ("text", "urls"),
    [
        ("Voir https://crieur.fr/v/K7P2.", ["https://crieur.fr/v/K7P2"]),
        ("(https://a.fr/b) et http://c.fr", ["https://a.fr/b", "http://c.fr"]),
        ("« https://a.fr/x?y=1&z=2 »", ["https://a.fr/x?y=1&z=2"]),
        ("lien : https://a.fr/page!", ["https://a.fr/page"]),
        ("pas de lien : crieur.fr", []),
    ],
)
def test_url_detection_leaves_trailing_punctuation(text, urls):
    assert URL_RE.findall(text) == urls


@pytest.mark.parametrize("url", ["https://a.fr", LONG_URL])
def test_mastodon_counts_every_url_as_23(url):
    assert mastodon_length(f"Infos : {url}") == len("Infos : ") + 23


def test_mastodon_counts_a_mention_without_its_domain():
    assert mastodon_length("@mairie@mastodon.social merci") == len("@mairie merci")
    assert mastodon_length("@mairie merci") == len("@mairie merci")


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("école", 5),
        ("e\u0301cole", 5),  # e + combining acute: one grapheme
        ("👍", 1),
        ("👍🏽", 1),  # skin-tone modifier
        ("👩‍👩‍👧", 1),  # ZWJ family
        ("🇫🇷", 1),  # flag: two regional indicators
        ("Fête 🎉 !", 8),
    ],
)
def test_graphemes(text, count):
    assert graphemes(text) == count
    assert bluesky_length(text) == count


def test_bluesky_counts_a_link_as_displayed():
    assert bluesky_length(LONG_URL) == len(LONG_URL)


@pytest.mark.parametrize(
    ("text", "weight"),
    [
        ("Fête de l’école", 15),  # Latin, Latin-1 and the ’ range weigh 1
        ("水道", 4),  # CJK weighs 2
        ("مرحبا", 5),  # Arabic is below U+10FF: 1
        ("👍", 2),
        ("👩‍👩‍👧", 2),  # one emoji sequence weighs 2, not per code point
        ("🇫🇷", 2),
        (f"Voir {LONG_URL}", 5 + 23),
        ("→", 2),  # arrows are outside the light ranges
    ],
)
def test_x_weighted_length(text, weight):
    assert x_length(text) == weight


def test_x_normalises_to_nfc_first():
    assert x_length("e\u0301") == x_length("é") == 1
