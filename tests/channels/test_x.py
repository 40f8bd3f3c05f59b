"""X channel against a local fake of API v2."""

from __future__ import annotations

import pytest

from channels.base import Recipient
from channels.errors import PermanentChannelError, RetryableChannelError, UnknownOutcomeError
from channels.x import XChannel, XConfig
from renderers.message import Message
from renderers.social import render_x
from tests.fakes.social import FakeX

TOKEN = "x-user-context-token-9876"
ACCOUNT = Recipient(reference="x:mairie")


@pytest.fixture
def fake():
    with FakeX(token=TOKEN) as server:
        yield server


def create_channel(fake: FakeX, **overrides) -> XChannel:
    values = {"access_token": TOKEN, "base_url": fake.base_url, "timeout": 0.5}
    return XChannel(XConfig(**{**values, **overrides}))


def create_thread(sentences: int = 12):
    message = Message(
        "Mairie", "fr", "Canicule", "Vigilance canicule : buvez de l’eau. " * sentences, ""
    )
    return render_x(message)


def test_thread_is_a_reply_chain(fake):
    rendition = create_thread()
    receipt = create_channel(fake).send(rendition, ACCOUNT, idempotency_key="d")
    assert [p["text"] for p in fake.posts] == list(rendition.meta["posts"])
    assert [p["in_reply_to"] for p in fake.posts] == [None] + [p["id"] for p in fake.posts[:-1]]
    assert receipt.extra["ids"].split(",") == [p["id"] for p in fake.posts]
    assert all(r.headers["authorization"] == f"Bearer {TOKEN}" for r in fake.requests)


@pytest.mark.parametrize(
    ("status", "error"),
    [(429, RetryableChannelError), (503, RetryableChannelError), (401, PermanentChannelError),
     (403, PermanentChannelError)],
)  # fmt: skip
def test_http_errors_are_typed(fake, status, error):
    fake.fail_next(status)
    with pytest.raises(error) as caught:
        create_channel(fake).send(create_thread(1), ACCOUNT, idempotency_key="e")
    assert caught.value.status == status


def test_duplicate_post_is_refused_not_doubled(fake):
    channel = create_channel(fake)
    channel.send(create_thread(1), ACCOUNT, idempotency_key="a")
    with pytest.raises(PermanentChannelError, match="duplicate"):
        channel.send(create_thread(1), ACCOUNT, idempotency_key="a")
    assert len(fake.posts) == 1


def test_read_timeout_is_unknown_outcome(fake):
    fake.fail_next(201, delay=1.0)
    with pytest.raises(UnknownOutcomeError):
        create_channel(fake, timeout=0.3).send(create_thread(1), ACCOUNT, idempotency_key="t")


def test_token_is_masked():
    channel = XChannel(XConfig(TOKEN))
    assert TOKEN not in repr(channel) and XChannel.body_maxlen == 280
