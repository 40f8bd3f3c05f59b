"""Mastodon channel against a local fake instance, through the real Mastodon.py client."""

from __future__ import annotations

import pytest

from channels.base import Recipient
from channels.errors import PermanentChannelError, RetryableChannelError, UnknownOutcomeError
from channels.mastodon import MastodonChannel, MastodonConfig
from renderers.message import Message
from renderers.social import render_mastodon
from tests.fakes.social import FakeMastodon

TOKEN = "mastodon-secret-token-1234"
ACCOUNT = Recipient(reference="mastodon:mairie")


@pytest.fixture
def fake():
    with FakeMastodon(token=TOKEN) as server:
        yield server


def create_channel(fake: FakeMastodon, **overrides) -> MastodonChannel:
    values = {"base_url": fake.base_url, "access_token": TOKEN, "timeout": 0.5}
    return MastodonChannel(MastodonConfig(**{**values, **overrides}))


def create_thread(sentences: int = 40):
    message = Message(
        organisation="Mairie de Lyon",
        locale="fr_FR",
        title="Travaux",
        summary="Circulation alternée rue Garibaldi. " * sentences,
        body="",
        topics=("travaux",),
        public_url="https://crieur.example/v/K7P2",
    )
    return render_mastodon(message)


def test_thread_arrives_in_order_with_reply_ids(fake):
    rendition = create_thread(40)
    posts = rendition.meta["posts"]
    assert len(posts) == 4
    receipt = create_channel(fake).send(rendition, ACCOUNT, idempotency_key="d-1")
    assert [p["text"] for p in fake.posts] == list(posts)
    assert [p["in_reply_to_id"] for p in fake.posts] == [None] + [p["id"] for p in fake.posts[:-1]]
    assert receipt.provider_ref == fake.posts[0]["id"]
    assert receipt.extra["ids"].split(",") == [p["id"] for p in fake.posts]
    assert {p["language"] for p in fake.posts} == {"fr"}
    keys = [r.headers["idempotency-key"] for r in fake.requests]
    assert keys == ["d-1:0", "d-1:1", "d-1:2", "d-1:3"]


def test_retry_with_same_key_does_not_double_post(fake):
    rendition = create_thread(40)
    channel = create_channel(fake)
    # Post 1 accepted, post 2 fails with a 503: the delivery engine will retry the whole send.
    fake.fail_next(200)
    fake.fail_next(503)
    with pytest.raises(RetryableChannelError):
        channel.send(rendition, ACCOUNT, idempotency_key="d-2")
    assert len(fake.posts) == 1
    channel.send(rendition, ACCOUNT, idempotency_key="d-2")
    assert [p["text"] for p in fake.posts] == list(rendition.meta["posts"])
    assert [p["in_reply_to_id"] for p in fake.posts[1:]] == [p["id"] for p in fake.posts[:-1]]
    # A third identical send is a no-op too.
    channel.send(rendition, ACCOUNT, idempotency_key="d-2")
    assert len(fake.posts) == len(rendition.meta["posts"])


def test_accepted_but_unanswered_post_is_unknown_then_deduplicated(fake):
    rendition = create_thread(5)
    channel = create_channel(fake, timeout=0.3)
    fake.fail_next(200, delay=1.0)  # recorded, answered after the client gave up
    with pytest.raises(UnknownOutcomeError):
        channel.send(rendition, ACCOUNT, idempotency_key="d-3")
    assert len(fake.posts) == 1
    channel.send(rendition, ACCOUNT, idempotency_key="d-3")
    assert len(fake.posts) == 1


def test_a_different_key_posts_again(fake):
    rendition = create_thread(5)
    channel = create_channel(fake)
    channel.send(rendition, ACCOUNT, idempotency_key="a")
    channel.send(rendition, ACCOUNT, idempotency_key="b")
    assert len(fake.posts) == 2


@pytest.mark.parametrize(
    ("status", "error"),
    [(429, RetryableChannelError), (500, RetryableChannelError), (503, RetryableChannelError),
     (401, PermanentChannelError), (422, PermanentChannelError), (403, PermanentChannelError)],
)  # fmt: skip
def test_http_errors_are_typed(fake, status, error):
    fake.fail_next(status)
    with pytest.raises(error) as caught:
        create_channel(fake).send(create_thread(5), ACCOUNT, idempotency_key="e")
    assert type(caught.value) is error
    assert caught.value.status == status
    assert fake.posts == []


def test_bad_token_is_permanent_and_never_shown(fake):
    channel = create_channel(fake, access_token="wrong-token-abcdef")
    with pytest.raises(PermanentChannelError) as caught:
        channel.send(create_thread(5), ACCOUNT, idempotency_key="t")
    assert caught.value.status == 401
    assert "wrong-token" not in str(caught.value)


def test_text_over_the_instance_limit_is_a_422(fake):
    rendition = render_mastodon(Message("Mairie", "fr", "T", "Mot " * 200, ""), max_characters=5000)
    with pytest.raises(PermanentChannelError) as caught:
        create_channel(fake).send(rendition, ACCOUNT, idempotency_key="long")
    assert caught.value.status == 422


def test_unreachable_instance_is_retryable():
    channel = MastodonChannel(MastodonConfig("http://127.0.0.1:9", TOKEN, timeout=0.5))
    with pytest.raises(RetryableChannelError):
        channel.send(create_thread(5), ACCOUNT, idempotency_key="x")


def test_secrets_are_masked_and_config_is_checked():
    config = MastodonConfig("https://mastodon.example", TOKEN)
    assert TOKEN not in repr(config) and TOKEN not in repr(MastodonChannel(config))
    assert MastodonChannel.family == "social" and MastodonChannel.body_maxlen == 500
    with pytest.raises(Exception, match="base_url"):
        MastodonConfig("mastodon.example", TOKEN)
    with pytest.raises(Exception, match="visibility"):
        MastodonConfig("https://m.example", TOKEN, visibility="everyone")


def test_refuses_other_forms(fake):
    from renderers.message import Rendition

    with pytest.raises(ValueError):
        create_channel(fake).send(
            Rendition("sms", "fr", "text/plain", "x"), ACCOUNT, idempotency_key="k"
        )
