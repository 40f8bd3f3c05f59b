"""TikTok against a local fake of the Content Posting API: inbox drafts by default, direct
posts after the audit, chunked uploads, errors in `error.code`, 6 initialisations a minute."""

from __future__ import annotations

import re

import pytest

from channels.base import Recipient
from channels.errors import ChannelConfigError, PermanentChannelError, RetryableChannelError
from channels.tiktok import MB, TikTokChannel, TikTokConfig, chunk_plan
from renderers.visual.posts import render_tiktok
from tests.channels.media_factories import message, padded_video, small_video, video_media
from tests.fakes.visual import FakeTikTok, _chunk_problem

TOKEN = "act.tiktok-token-1357"
ACCOUNT = Recipient(reference="tiktok:creator")


@pytest.fixture
def fake():
    with FakeTikTok(TOKEN) as server:
        yield server


def create_channel(fake: FakeTikTok, **overrides) -> TikTokChannel:
    values = {"access_token": TOKEN, "base_url": fake.base_url, "poll_interval": 0.01}
    return TikTokChannel(TikTokConfig(**{**values, **overrides}))


def paths(fake: FakeTikTok) -> list[str]:
    return [f"{r.method} {r.path}" for r in fake.requests]


def test_by_default_the_video_lands_in_the_creator_inbox(fake):
    rendition = render_tiktok(message(), video_media())
    receipt = create_channel(fake).send(rendition, ACCOUNT, idempotency_key="d")
    assert paths(fake) == [
        "POST /v2/post/publish/creator_info/query/",
        "POST /v2/post/publish/inbox/video/init/",
        "PUT /upload/",
        "POST /v2/post/publish/status/fetch/",
    ]
    init, upload = fake.requests[1], fake.requests[2]
    size = len(small_video())
    assert "post_info" not in init.body
    assert init.body["source_info"] == {
        "source": "FILE_UPLOAD",
        "video_size": size,
        "chunk_size": size,
        "total_chunk_count": 1,
    }
    assert upload.headers["content-range"] == f"bytes 0-{size - 1}/{size}"
    assert receipt.extra == {"mode": "inbox", "state": "SEND_TO_USER_INBOX"}
    assert fake.posts[0]["bytes"] == size and not fake.posts[0]["direct"]


def test_an_audited_account_posts_directly_with_the_caption(fake):
    fake.audited = True
    rendition = render_tiktok(message(), video_media())
    receipt = create_channel(fake, direct_post=True).send(rendition, ACCOUNT, idempotency_key="d")
    [post] = fake.posts
    assert post["direct"] and post["title"] == rendition.meta["title"]
    assert post["privacy_level"] == "PUBLIC_TO_EVERYONE"
    assert receipt.extra["state"] == "PUBLISH_COMPLETE"


def test_direct_posting_before_the_audit_is_refused_before_any_upload(fake):
    rendition = render_tiktok(message(), video_media())
    with pytest.raises(PermanentChannelError) as error:
        create_channel(fake, direct_post=True).send(rendition, ACCOUNT, idempotency_key="d")
    assert "audit" in str(error.value) and "SELF_ONLY" in str(error.value)
    assert paths(fake) == ["POST /v2/post/publish/creator_info/query/"]


def test_a_big_video_goes_up_in_ordered_chunks_the_last_taking_the_rest(fake):
    data = padded_video(12 * MB + 12345)
    rendition = render_tiktok(message(), video_media(data))
    create_channel(fake, chunk_size=5 * MB).send(rendition, ACCOUNT, idempotency_key="big")
    ranges = [r.headers["content-range"] for r in fake.requests if r.method == "PUT"]
    total = len(data)
    assert ranges == [f"bytes 0-{5 * MB - 1}/{total}", f"bytes {5 * MB}-{total - 1}/{total}"]
    assert fake.posts[0]["chunks"] == 2 and fake.posts[0]["bytes"] == total


@pytest.mark.parametrize(
    ("size", "plan"),
    [
        (3 * MB, (3 * MB, 1)),
        (5 * MB, (5 * MB, 1)),
        (7 * MB, (7 * MB, 1)),
        (12 * MB, (10 * MB, 1)),
        (25 * MB, (10 * MB, 2)),
    ],
)
def test_chunk_plan_follows_tiktok_rules(size, plan):
    assert chunk_plan(size, 10 * MB) == plan


def test_the_seventh_initialisation_in_a_minute_is_rate_limited(fake):
    channel = create_channel(fake)
    rendition = render_tiktok(message(), video_media())
    for index in range(6):
        channel.send(rendition, ACCOUNT, idempotency_key=f"r{index}")
    with pytest.raises(RetryableChannelError) as error:
        channel.send(rendition, ACCOUNT, idempotency_key="r7")
    assert error.value.code == "rate_limit_exceeded" and len(fake.posts) == 6


@pytest.mark.parametrize(
    ("code", "error"),
    [
        ("spam_risk_too_many_posts", PermanentChannelError),
        ("scope_not_authorized", PermanentChannelError),
        ("internal_error", RetryableChannelError),
    ],
)
def test_an_error_code_is_an_error_even_with_http_200(fake, code, error):
    fake.answer_next(code, status=200)
    with pytest.raises(error) as caught:
        create_channel(fake).send(
            render_tiktok(message(), video_media()), ACCOUNT, idempotency_key="e"
        )
    assert caught.value.code == code and caught.value.status == 200


def test_a_video_tiktok_refuses_fails_with_its_reason(fake):
    fake.max_duration = 3  # this creator may post 3 s; the clip lasts 4
    rendition = render_tiktok(message(), video_media(duration=0.0))  # duration unknown to us
    with pytest.raises(PermanentChannelError) as error:
        create_channel(fake).send(rendition, ACCOUNT, idempotency_key="f")
    assert re.search(r"refused \(duration 4\.\d s outside 3-3 s\)", str(error.value))


def test_a_video_longer_than_the_creator_may_post_is_refused_before_upload(fake):
    fake.max_duration = 3
    with pytest.raises(PermanentChannelError):
        create_channel(fake).send(
            render_tiktok(message(), video_media(duration=4.0)), ACCOUNT, idempotency_key="l"
        )
    assert not any(r.method == "PUT" for r in fake.requests)


def test_a_bad_token_is_permanent_and_never_shown(fake):
    with pytest.raises(PermanentChannelError) as error:
        create_channel(fake, access_token="act.wrong-token-0000").send(
            render_tiktok(message(), video_media()), ACCOUNT, idempotency_key="t"
        )
    assert error.value.code == "access_token_invalid" and "wrong-token" not in str(error.value)
    assert TOKEN not in repr(create_channel(fake))


def test_check_names_the_creator_and_the_mode(fake):
    assert create_channel(fake).check() == (
        "tiktok: @mairie.saint.crieur, drafts in the creator's inbox; privacy SELF_ONLY, "
        "videos up to 600 s"
    )
    assert fake.posts == []


def test_config_is_checked():
    with pytest.raises(ChannelConfigError):
        TikTokConfig(access_token=TOKEN, privacy_level="EVERYONE")


@pytest.mark.parametrize(
    "size", [1, 5 * MB - 1, 5 * MB, 7 * MB, 12 * MB, 64 * MB, 64 * MB + 1, 200 * MB, 640 * MB]
)
@pytest.mark.parametrize("preferred", [5 * MB, 10 * MB, 64 * MB])
def test_every_chunk_plan_passes_the_fake_s_rules(size, preferred):
    chunk, count = chunk_plan(size, preferred)
    source = {"source": "FILE_UPLOAD", "video_size": size, "chunk_size": chunk}
    assert _chunk_problem({**source, "total_chunk_count": count}) == ""
