"""Captions of picture and video posts: counting, no cut word or URL, LinkedIn escaping."""

from __future__ import annotations

import pytest

from renderers.errors import RenderError, RenderErrorCode
from renderers.i18n import shipped_locales
from renderers.visual.media import Media, media_of, with_media
from renderers.visual.posts import (
    LITTLE_TEXT_RESERVED,
    escape_little_text,
    render_instagram,
    render_linkedin,
    render_tiktok,
    utf16_length,
)
from tests.fakes.visual import read_little_text
from tests.renderers.print.factories import create_message
from tests.renderers.test_locales import message_in

CARD = Media("image/jpeg", data=b"\xff\xd8jpeg", url="https://x.example/v/C/card.jpg", alt="Carte")
VIDEO = Media("video/mp4", data=b"mp4", url="https://x.example/v/C/video.mp4", duration=20)


@pytest.mark.parametrize("locale", shipped_locales())
def test_every_caption_renders_in_every_locale(locale):
    message = message_in(locale)
    for rendition in (
        render_instagram(message, CARD),
        render_linkedin(message, CARD),
        render_tiktok(message, VIDEO),
    ):
        shown = plain(rendition.text)
        assert message.summary in shown or message.body in shown
        assert message.public_url in rendition.text
        assert rendition.meta["media"][0] in (CARD, VIDEO)


def test_the_full_text_when_it_fits_else_the_summary_never_cut():
    short = render_instagram(create_message(), CARD)
    assert create_message().body.split("\n\n")[0] in plain(short.text)
    long_body = "Les travaux avancent dans le quartier du centre. " * 60
    long = render_instagram(create_message(body=long_body), CARD)
    assert create_message().summary in plain(long.text) and "travaux avancent" not in long.text
    assert create_message().public_url in long.text  # the link whole, never cut


def test_a_summary_too_long_for_the_network_is_a_typed_error():
    summary = "Coupure d’eau dans tout le quartier. " * 70
    with pytest.raises(RenderError) as error:
        render_instagram(create_message(summary=summary, body=""), CARD)
    assert error.value.code is RenderErrorCode.TOO_LONG and "2200" in str(error.value)


def test_instagram_counts_utf16_units_and_keeps_few_hashtags():
    assert utf16_length("é🙂") == 3
    topics = tuple(f"sujet{n}" for n in range(9))
    rendition = render_instagram(create_message(topics=topics), CARD)
    assert len(rendition.meta["hashtags"]) == 5


@pytest.mark.parametrize("char", list(LITTLE_TEXT_RESERVED))
def test_every_little_text_reserved_character_is_escaped(char):
    text = f"a{char}b"
    assert escape_little_text(text) == f"a\\{char}b"
    assert read_little_text(escape_little_text(text)) == text
    assert read_little_text(text) != text  # bare, LinkedIn would cut (or eat) it


def test_linkedin_counts_the_escaped_commentary():
    summary = "(a) " * 700  # 2,800 shown, 4,200 once escaped
    with pytest.raises(RenderError) as error:
        render_linkedin(create_message(summary=summary, body=""))
    assert "3000" in str(error.value)
    ok = render_linkedin(create_message(topics=("travaux",)))
    assert ok.meta["count"] == len(ok.meta["commentary"]) <= 3000
    assert ok.meta["commentary"].endswith("{hashtag|\\#|Travaux}")


def test_instagram_needs_a_public_url_and_alt_text():
    with pytest.raises(RenderError) as error:
        render_instagram(create_message(), Media("image/jpeg", data=b"x", alt="Carte"))
    assert error.value.code is RenderErrorCode.MISSING_FIELD and "public URL" in str(error.value)
    with pytest.raises(RenderError):
        render_instagram(create_message(), Media("image/jpeg", url="https://x/c.jpg"))


def test_tiktok_needs_the_video_file():
    with pytest.raises(RenderError):
        render_tiktok(create_message(), CARD)
    with pytest.raises(RenderError):
        render_tiktok(create_message(), Media("video/mp4", url="https://x/v.mp4"))


def test_media_of_a_card_carries_its_alt_size_and_never_shows_bytes():
    from renderers.visual import render_card

    card = render_card(create_message())
    media = media_of(card, url="https://x/v/C/card.jpg")
    assert (media.width, media.height, media.alt) == (1080, 1350, card.meta["alt"])
    assert "bytes" in repr(media) and "\\x" not in repr(media)
    with pytest.raises(RenderError):
        with_media(card, [Media("image/jpeg", data=b"x")])  # no alt text


def plain(text: str) -> str:
    """The post with its no-break spaces (`8 h`, ` :`) as the plain spaces typed."""
    return text.replace("\u00a0", " ")
