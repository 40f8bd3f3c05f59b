"""Facebook Page channel against a local fake of the Graph API."""

from __future__ import annotations

import pytest

from channels.base import Recipient
from channels.errors import (
    ChannelConfigError,
    PermanentChannelError,
    RetryableChannelError,
    UnknownOutcomeError,
)
from channels.facebook import FacebookChannel, FacebookConfig
from renderers.message import Message
from renderers.social import render_facebook
from tests.fakes.social import FakeFacebook

PAGE, TOKEN = "1234567890", "EAAB-page-token-5555"
ACCOUNT = Recipient(reference="facebook:page")


@pytest.fixture
def fake():
    with FakeFacebook(page_id=PAGE, token=TOKEN) as server:
        yield server


def create_channel(fake: FakeFacebook, **overrides) -> FacebookChannel:
    values = {"page_id": PAGE, "page_token": TOKEN, "base_url": fake.base_url, "timeout": 0.5}
    return FacebookChannel(FacebookConfig(**{**values, **overrides}))


def create_rendition():
    body = "La collecte des déchets verts reprend le lundi. " * 60
    return render_facebook(Message("Mairie", "fr", "Déchets verts", "Collecte.", body))


def test_long_text_is_one_post(fake):
    rendition = create_rendition()
    receipt = create_channel(fake).send(rendition, ACCOUNT, idempotency_key="d")
    assert [p["message"] for p in fake.posts] == [rendition.text]
    assert receipt.provider_ref == fake.posts[0]["id"]
    assert len(rendition.text) > 2000  # longer than any other network allows
    assert fake.requests[0].path == f"/v21.0/{PAGE}/feed"


@pytest.mark.parametrize(
    ("status", "error"),
    [(429, RetryableChannelError), (500, RetryableChannelError), (400, PermanentChannelError)],
)
def test_graph_errors_are_typed(fake, status, error):
    fake.fail_next(status)  # 429 arrives as Graph does it: HTTP 400 with code 32
    with pytest.raises(error):
        create_channel(fake).send(create_rendition(), ACCOUNT, idempotency_key="e")


def test_invalid_token_is_permanent_and_masked(fake):
    with pytest.raises(PermanentChannelError) as caught:
        create_channel(fake, page_token="bad-token-77777").send(
            create_rendition(), ACCOUNT, idempotency_key="t"
        )
    assert caught.value.code == 190
    assert "bad-token" not in str(caught.value)
    assert TOKEN not in repr(create_channel(fake))


def test_read_timeout_is_unknown_outcome(fake):
    fake.fail_next(200, delay=1.0)
    with pytest.raises(UnknownOutcomeError):
        create_channel(fake, timeout=0.3).send(create_rendition(), ACCOUNT, idempotency_key="t")


def test_config_is_checked():
    with pytest.raises(ChannelConfigError):
        FacebookConfig(page_id="my-page", page_token=TOKEN)
