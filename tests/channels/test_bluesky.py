"""Bluesky channel against a local fake PDS: session, records, replies, facets, idempotency."""

from __future__ import annotations

import re

import pytest

from channels.base import Recipient
from channels.bluesky import BlueskyChannel, BlueskyConfig, record_key
from channels.errors import PermanentChannelError, RetryableChannelError, UnknownOutcomeError
from renderers.message import Message
from renderers.social import render_bluesky
from tests.fakes.social import FakeBluesky

PASSWORD = "app-pass-abcd-efgh"
ACCOUNT = Recipient(reference="bluesky:mairie")
TID = re.compile(r"^[234567abcdefghij][234567abcdefghijklmnopqrstuvwxyz]{12}$")


@pytest.fixture
def fake():
    with FakeBluesky(handle="mairie.bsky.social", password=PASSWORD) as server:
        yield server


def create_channel(fake: FakeBluesky, **overrides) -> BlueskyChannel:
    values = {"handle": "mairie.bsky.social", "app_password": PASSWORD}
    values |= {"base_url": fake.base_url, "timeout": 0.5}
    return BlueskyChannel(BlueskyConfig(**{**values, **overrides}))


def create_thread(sentences: int = 12):
    message = Message(
        organisation="Mairie de Saint-Étienne",
        locale="fr",
        title="Écoles",
        summary="Écoles fermées à Saint-Étienne jeudi. " * sentences,
        body="",
        topics=("écoles",),
        public_url="https://crieur.example/v/K7P2",
    )
    return render_bluesky(message)


def test_thread_is_a_reply_chain_with_facets(fake):
    rendition = create_thread()
    posts = rendition.meta["posts"]
    assert len(posts) > 1
    receipt = create_channel(fake).send(rendition, ACCOUNT, idempotency_key="d-1")
    assert [p["text"] for p in fake.posts] == list(posts)
    root = {"uri": fake.posts[0]["uri"], "cid": fake.posts[0]["cid"]}
    assert "reply" not in fake.posts[0]
    for previous, post in zip(fake.posts, fake.posts[1:], strict=False):
        assert post["reply"] == {
            "root": root,
            "parent": {"uri": previous["uri"], "cid": previous["cid"]},
        }
    last = fake.posts[-1]
    link = next(f for f in last["facets"] if f["features"][0]["$type"].endswith("#link"))
    start, end = link["index"]["byteStart"], link["index"]["byteEnd"]
    assert last["text"].encode()[start:end] == b"https://crieur.example/v/K7P2"
    assert last["langs"] == ["fr"]
    assert receipt.provider_ref == fake.posts[0]["uri"]
    assert fake.sessions == 1  # one session for the whole thread


def test_record_keys_are_valid_tids_and_stable():
    assert TID.match(record_key("d-1", 0))
    assert record_key("d-1", 0) == record_key("d-1", 0) != record_key("d-1", 1)


def test_retry_after_partial_thread_does_not_double_post(fake):
    rendition = create_thread()
    channel = create_channel(fake)
    fake.fail_next(200)
    fake.fail_next(502)
    with pytest.raises(RetryableChannelError):
        channel.send(rendition, ACCOUNT, idempotency_key="d-2")
    assert len(fake.posts) == 1
    channel.send(rendition, ACCOUNT, idempotency_key="d-2")
    assert [p["text"] for p in fake.posts] == list(rendition.meta["posts"])


def test_accepted_but_unanswered_create_is_found_on_retry(fake):
    rendition = create_thread(1)
    channel = create_channel(fake, timeout=0.3)
    fake.fail_next(200, delay=1.0)
    with pytest.raises(UnknownOutcomeError):
        channel.send(rendition, ACCOUNT, idempotency_key="d-3")
    receipt = channel.send(rendition, ACCOUNT, idempotency_key="d-3")
    assert len(fake.posts) == 1 and receipt.provider_ref == fake.posts[0]["uri"]


def test_expired_session_is_renewed_once(fake):
    channel = create_channel(fake)
    channel.send(create_thread(1), ACCOUNT, idempotency_key="a")
    fake.expire_sessions()
    channel.send(create_thread(1), ACCOUNT, idempotency_key="b")
    assert fake.sessions == 2 and len(fake.posts) == 2


@pytest.mark.parametrize(
    ("status", "error"),
    [(429, RetryableChannelError), (500, RetryableChannelError), (401, PermanentChannelError)],
)
def test_http_errors_are_typed(fake, status, error):
    channel = create_channel(fake)
    channel._login()  # the session exists; the fault hits the createRecord
    fake.fail_next(status)
    with pytest.raises(error):
        channel.send(create_thread(1), ACCOUNT, idempotency_key="e")
    assert fake.posts == []


def test_wrong_password_is_permanent_and_masked(fake):
    channel = create_channel(fake, app_password="wrong-password-xyz")
    with pytest.raises(PermanentChannelError) as caught:
        channel.send(create_thread(1), ACCOUNT, idempotency_key="p")
    assert caught.value.status == 401
    assert "wrong-password" not in str(caught.value) + repr(channel)
