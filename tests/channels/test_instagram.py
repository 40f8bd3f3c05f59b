"""Instagram against a local Graph API fake that fetches the card from a local public URL."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from channels.base import Recipient
from channels.errors import (
    ChannelConfigError,
    PermanentChannelError,
    RetryableChannelError,
    UnknownOutcomeError,
)
from channels.instagram import InstagramChannel, InstagramConfig
from renderers.visual.media import Media
from renderers.visual.posts import render_instagram
from tests.channels.media_factories import card, card_media, message, small_video, video_media
from tests.fakes.visual import FakeInstagram, PublicFiles

IG_USER, TOKEN = "17841400000000001", "EAAG-ig-token-4242"
ACCOUNT = Recipient(reference="instagram:account")


@pytest.fixture
def fake():
    with FakeInstagram(IG_USER, TOKEN) as server:
        yield server


@pytest.fixture
def public():
    with PublicFiles() as files:
        yield files


def create_channel(fake: FakeInstagram, **overrides) -> InstagramChannel:
    values = {
        "ig_user_id": IG_USER,
        "access_token": TOKEN,
        "base_url": fake.base_url,
        "poll_interval": 0.01,
        "poll_timeout": 2.0,
        "timeout": 2.0,
    }
    return InstagramChannel(InstagramConfig(**{**values, **overrides}))


def card_post(public: PublicFiles, **changes):
    url = public.serve("/v/K7QM-2XPA/card.jpg", "image/jpeg", card().body)
    return render_instagram(message(**changes), card_media(url))


def test_the_card_is_fetched_processed_and_published_with_caption_and_alt(fake, public):
    rendition = card_post(public)
    receipt = create_channel(fake).send(rendition, ACCOUNT, idempotency_key="d1")
    [post] = fake.posts
    assert receipt.provider_ref == post["id"] and post["media_type"] == "IMAGE"
    assert post["caption"] == rendition.meta["caption"] and post["bytes"] == len(card().body)
    assert post["alt_text"] == card().meta["alt"]
    assert public.fetched == ["/v/K7QM-2XPA/card.jpg"]
    steps = [(r.method, r.path.split("/")[-1]) for r in fake.requests]
    container = next(iter(fake.containers))
    assert steps[:3] == [("GET", "media"), ("GET", "content_publishing_limit"), ("POST", "media")]
    assert steps[3:] == [("GET", container), ("GET", container), ("POST", "media_publish")]


def test_a_reel_carries_the_video_url(fake, public):
    url = public.serve("/v/K7QM-2XPA/video.mp4", "video/mp4", small_video())
    rendition = render_instagram(message(), video_media(url=url))
    create_channel(fake).send(rendition, ACCOUNT, idempotency_key="d2")
    assert fake.posts[0]["media_type"] == "REELS" and fake.posts[0]["url"] == url


def test_the_quota_is_checked_before_anything_is_created(fake, public):
    fake.used_before = 50
    with pytest.raises(RetryableChannelError) as error:
        create_channel(fake).send(card_post(public), ACCOUNT, idempotency_key="d3")
    assert "50 of 50" in str(error.value) and fake.containers == {}


def test_a_retry_after_an_unanswered_publish_does_not_post_twice(fake, public):
    rendition = card_post(public)
    fake.fail_next(200, delay=1.0)  # published, but the answer comes too late
    with pytest.raises(UnknownOutcomeError):
        create_channel(fake, timeout=0.3).send(rendition, ACCOUNT, idempotency_key="d4")
    assert len(fake.posts) == 1
    receipt = create_channel(fake).send(rendition, ACCOUNT, idempotency_key="d4")
    assert len(fake.posts) == 1 and receipt.provider_ref == fake.posts[0]["id"]
    assert receipt.extra == {"replayed": "yes"}


def test_a_progressive_jpeg_is_refused_by_instagram(fake, public):
    buffer = io.BytesIO()
    Image.new("RGB", (1080, 1350), "white").save(buffer, "JPEG", progressive=True)
    url = public.serve("/v/X/card.jpg", "image/jpeg", buffer.getvalue())
    media = Media("image/jpeg", data=buffer.getvalue(), url=url, alt="Carte")
    with pytest.raises(PermanentChannelError) as error:
        create_channel(fake).send(render_instagram(message(), media), ACCOUNT, idempotency_key="p")
    assert "progressive" in str(error.value) and fake.posts == []


def test_a_video_instagram_cannot_process_fails_the_send(fake, public):
    url = public.serve("/v/X/video.mp4", "video/mp4", b"\0\0\0\x18ftypisom" + bytes(64))
    rendition = render_instagram(message(), video_media(url=url))
    with pytest.raises(PermanentChannelError) as error:
        create_channel(fake).send(rendition, ACCOUNT, idempotency_key="v")
    assert error.value.code == "ERROR" and fake.posts == []


@pytest.mark.parametrize(
    ("status", "error"),
    [(429, RetryableChannelError), (500, RetryableChannelError), (400, PermanentChannelError)],
)
def test_graph_errors_are_typed(fake, public, status, error):
    fake.fail_next(status)
    with pytest.raises(error):
        create_channel(fake).send(card_post(public), ACCOUNT, idempotency_key="e")


def test_a_bad_token_is_permanent_and_never_shown(fake, public):
    with pytest.raises(PermanentChannelError) as error:
        create_channel(fake, access_token="bad-token-123456").send(
            card_post(public), ACCOUNT, idempotency_key="t"
        )
    assert error.value.code == 190 and "bad-token" not in str(error.value)
    assert TOKEN not in repr(create_channel(fake))


def test_check_reads_the_account_and_its_quota_without_posting(fake):
    fake.used_before = 3
    assert create_channel(fake).check() == "instagram: @mairie.saint.crieur, 3/50 posts in 24 h"
    assert fake.posts == [] and all(r.method == "GET" for r in fake.requests)


def test_config_is_checked():
    with pytest.raises(ChannelConfigError):
        InstagramConfig(ig_user_id="mairie", access_token=TOKEN)
