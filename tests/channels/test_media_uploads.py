"""The card attached to Mastodon, Bluesky, X and Facebook posts when the account asks for it
(`attach_image`), each through its network's media upload, always with its alt text."""

from __future__ import annotations

import pytest

from channels.base import Recipient
from channels.bluesky import BlueskyChannel, BlueskyConfig
from channels.errors import PermanentChannelError
from channels.facebook import FacebookChannel, FacebookConfig
from channels.mastodon import MastodonChannel, MastodonConfig
from channels.x import XChannel, XConfig
from renderers.social import render_bluesky, render_facebook, render_mastodon, render_x
from renderers.visual.media import Media, with_media
from tests.channels.media_factories import card, card_media, message, small_video, video_media
from tests.fakes.visual import FakeBlueskyMedia, FakeFacebookMedia, FakeMastodonMedia, FakeXMedia

ACCOUNT = Recipient(reference="social:account")
ALT = card().meta["alt"]


def with_card(rendition):
    return with_media(rendition, [card_media()])


def test_mastodon_uploads_the_card_waits_for_processing_and_attaches_it():
    with FakeMastodonMedia(token="m-token", processing_polls=1) as fake:
        config = MastodonConfig(fake.base_url, "m-token", attach_image=True, timeout=2.0)
        rendition = with_card(render_mastodon(message(summary="Coupure d’eau mardi. " * 30)))
        MastodonChannel(config).send(rendition, ACCOUNT, idempotency_key="m")
        first, *rest = fake.posts
        [attachment] = first["media_attachments"]
        assert attachment["description"] == ALT and attachment["url"]
        assert rest and all(post["media_attachments"] == [] for post in rest)  # first post only
        [upload] = fake.media.values()
        assert upload["bytes"] == card().body
        assert any(r.method == "GET" and r.path.startswith("/api/v1/media/") for r in fake.requests)


def test_bluesky_embeds_the_card_blob_with_alt_and_aspect_ratio():
    with FakeBlueskyMedia() as fake:
        config = BlueskyConfig(fake.account_handle, fake.password, fake.base_url, attach_image=True)
        BlueskyChannel(config).send(
            with_card(render_bluesky(message())), ACCOUNT, idempotency_key="b"
        )
        [image] = fake.posts[0]["embed"]["images"]
        assert image["alt"] == ALT and image["aspectRatio"] == {"width": 1080, "height": 1350}
        assert fake.blobs[image["image"]["ref"]["$link"]] == card().body


def test_bluesky_refuses_a_picture_over_its_blob_limit_before_uploading():
    big = Media("image/jpeg", data=b"\xff\xd8" + bytes(1_000_001), alt="Carte")
    with FakeBlueskyMedia() as fake:
        config = BlueskyConfig(fake.account_handle, fake.password, fake.base_url, attach_image=True)
        with pytest.raises(PermanentChannelError) as error:
            BlueskyChannel(config).send(
                with_media(render_bluesky(message()), [big]), ACCOUNT, idempotency_key="b"
            )
        assert "1000000 at most" in str(error.value) and fake.posts == []


def test_x_uploads_sets_the_alt_text_then_posts_with_the_media_id():
    with FakeXMedia(token="x-token") as fake:
        channel = XChannel(XConfig("x-token", fake.base_url, attach_image=True))
        channel.send(with_card(render_x(message())), ACCOUNT, idempotency_key="x")
        [media] = fake.posts[0]["media"]
        assert media["alt"] == ALT and media["bytes"] == card().body
        assert [r.path for r in fake.requests] == [
            "/2/media/upload",
            "/2/media/metadata",
            "/2/tweets",
        ]


def test_facebook_posts_a_photo_with_alt_text():
    with FakeFacebookMedia(page_id="1234567890", token="fb-token") as fake:
        config = FacebookConfig("1234567890", "fb-token", fake.base_url, attach_image=True)
        receipt = FacebookChannel(config).send(
            with_card(render_facebook(message())), ACCOUNT, idempotency_key="f"
        )
        [post] = fake.posts
        assert post["alt"] == ALT and post["bytes"] == len(card().body)
        assert receipt.provider_ref == post["id"] and receipt.extra == {"kind": "photos"}
        assert post["message"] == render_facebook(message()).text


def test_facebook_posts_a_video_when_the_account_takes_videos():
    with FakeFacebookMedia(page_id="1234567890", token="fb-token") as fake:
        config = FacebookConfig("1234567890", "fb-token", fake.base_url, attach_video=True)
        rendition = with_media(render_facebook(message()), [video_media()])
        receipt = FacebookChannel(config).send(rendition, ACCOUNT, idempotency_key="v")
        [post] = fake.posts
        assert post["video"] and post["bytes"] == len(small_video())
        assert post["description"] == rendition.text and receipt.extra == {"kind": "videos"}


def test_an_account_that_asks_for_the_card_refuses_a_post_without_one():
    with FakeMastodonMedia(token="m-token") as fake:
        config = MastodonConfig(fake.base_url, "m-token", attach_image=True)
        with pytest.raises(PermanentChannelError) as error:
            MastodonChannel(config).send(render_mastodon(message()), ACCOUNT, idempotency_key="n")
        assert "carries none" in str(error.value) and fake.posts == []


def test_a_picture_without_alt_text_is_never_posted():
    no_alt = Media("image/jpeg", data=card().body, alt=" ")
    rendition = render_x(message())
    rendition = type(rendition)(
        **{**rendition.__dict__, "meta": {**rendition.meta, "media": (no_alt,)}}
    )
    with FakeXMedia(token="x-token") as fake:
        with pytest.raises(PermanentChannelError) as error:
            XChannel(XConfig("x-token", fake.base_url, attach_image=True)).send(
                rendition, ACCOUNT, idempotency_key="a"
            )
        assert "alt text" in str(error.value) and fake.requests == []


def test_without_the_flag_the_post_is_text_only_as_before():
    with FakeXMedia(token="x-token") as fake:
        XChannel(XConfig("x-token", fake.base_url)).send(
            with_card(render_x(message())), ACCOUNT, idempotency_key="t"
        )
        assert [r.path for r in fake.requests] == ["/2/tweets"] and fake.posts[0]["media"] == []
