"""Reading comments back from the social accounts, against the local fakes of Mastodon and the
Graph API: mentions and replies, page comments, cursors, hiding, typed errors."""

from __future__ import annotations

import pytest

from channels.base import Recipient
from channels.comments import FacebookComments, MastodonComments, comment_reader, plain
from channels.errors import PermanentChannelError, RetryableChannelError
from channels.facebook import FacebookChannel, FacebookConfig
from channels.mastodon import MastodonChannel, MastodonConfig
from channels.outbox import outbox_channel
from renderers.message import Rendition
from tests.fakes.social import FakeFacebook, FakeMastodon

PAGE, TOKEN = "1234567890", "EAAB-page-token-5555"


@pytest.fixture
def mastodon():
    with FakeMastodon(token="m-token") as fake:
        yield fake


@pytest.fixture
def facebook():
    with FakeFacebook(page_id=PAGE, token=TOKEN) as fake:
        yield fake


def mastodon_channel(fake, token="m-token"):
    return MastodonChannel(MastodonConfig(fake.base_url, token, timeout=2.0))


def facebook_channel(fake, token=TOKEN):
    return FacebookChannel(
        FacebookConfig(page_id=PAGE, page_token=token, base_url=fake.base_url, timeout=2.0)
    )


def test_mastodon_mentions_are_read_oldest_first_and_the_cursor_moves_on(mastodon):
    first = mastodon.mention("Merci pour l’info !", acct="alice@other.social")
    second = mastodon.mention("Quand revient l’eau ?", acct="bob@other.social", reply_to="42")
    reader = comment_reader(mastodon_channel(mastodon))
    assert isinstance(reader, MastodonComments)
    page = reader.fetch()
    assert [(c.id, c.author, c.text) for c in page.comments] == [
        (first, "@alice@other.social", "Merci pour l’info !"),
        (second, "@bob@other.social", "Quand revient l’eau ?"),
    ]
    assert page.comments[1].in_reply_to == "42"
    assert reader.fetch(page.cursor).comments == []
    third = mastodon.mention("Encore une question")
    assert [c.id for c in reader.fetch(page.cursor).comments] == [third]
    request = [r for r in mastodon.requests if r.path == "/api/v1/notifications"][0]
    assert request.body.get("types[]") == "mention"


def test_mastodon_cannot_hide_and_a_bad_token_is_permanent(mastodon):
    reader = comment_reader(mastodon_channel(mastodon, token="wrong"))
    with pytest.raises(PermanentChannelError):
        reader.fetch()
    with pytest.raises(PermanentChannelError, match="cannot be hidden"):
        reader.hide("1")


def test_facebook_page_comments_are_read_after_the_cursor_and_can_be_hidden(facebook):
    channel = facebook_channel(facebook)
    channel.send(
        Rendition("facebook", "fr", "text/plain", "Coupure d’eau mardi"),
        Recipient("facebook:page"),
        idempotency_key="k",
    )
    post_id = facebook.posts[0]["id"]
    one = facebook.comment(post_id, "Encore ?! Bande de nuls", name="Jean Public")
    reader = comment_reader(channel)
    assert isinstance(reader, FacebookComments) and reader.can_hide
    page = reader.fetch()
    assert [(c.id, c.author, c.text, c.in_reply_to) for c in page.comments] == [
        (one, "Jean Public", "Encore ?! Bande de nuls", post_id)
    ]
    two = facebook.comment(post_id, "Merci")
    assert [c.id for c in reader.fetch(page.cursor).comments] == [two]
    reader.hide(one)
    assert facebook.comments[one]["is_hidden"] is True
    assert [c.id for c in reader.fetch().comments] == [two]  # a hidden comment is not listed


def test_facebook_errors_are_typed(facebook):
    with pytest.raises(PermanentChannelError, match="Invalid OAuth"):
        comment_reader(facebook_channel(facebook, token="bad-token-1234")).fetch()


def test_a_network_down_is_retryable():
    config = FacebookConfig(
        page_id=PAGE, page_token=TOKEN, base_url="http://127.0.0.1:9", timeout=0.5
    )
    with pytest.raises(RetryableChannelError):
        FacebookComments(config).fetch()


def test_channels_without_comments_give_no_reader(tmp_path):
    assert comment_reader(outbox_channel(tmp_path, "social")) is None


def test_html_content_becomes_text():
    assert plain("<p>Bonjour&nbsp;<a href='x'>@mairie</a></p><p>ligne 2</p>") == (
        "Bonjour\xa0@mairie\nligne 2"
    )
