"""`check(to=…)` of every kind's channels, against the local fakes over HTTP: one line of what
the provider answered, or a ChannelError whose one line names the cause."""

from __future__ import annotations

import pytest

from channels.bluesky import BlueskyChannel, BlueskyConfig
from channels.errors import ChannelError
from channels.facebook import FacebookChannel, FacebookConfig
from channels.mastodon import MastodonChannel, MastodonConfig
from channels.twilio import TwilioSMSChannel, TwilioVoiceChannel
from channels.x import XChannel, XConfig
from tests.channels.conftest import SENDER, create_twilio_config
from tests.fakes.social import FakeBluesky, FakeFacebook, FakeMastodon, FakeX

PHONE = "+33612345678"


def one_line(error: ChannelError) -> str:
    text = str(error)
    assert "\n" not in text
    return text


def test_twilio_check_fetches_the_account(fake_twilio, twilio_config):
    answer = TwilioSMSChannel(twilio_config).check()
    assert answer.startswith("twilio: account …") and "is active" in answer
    assert fake_twilio.messages == [] and fake_twilio.calls == []
    assert fake_twilio.auth_token not in answer


def test_twilio_check_to_sends_one_test_sms_and_never_names_the_number(fake_twilio, twilio_config):
    answer = TwilioSMSChannel(twilio_config).check(to=PHONE)
    (message,) = fake_twilio.messages
    assert message["to"] == PHONE and message["from"] == SENDER
    assert "message de test" in message["body"]
    assert f"test SMS {message['sid']} queued" in answer
    assert PHONE not in answer


def test_twilio_voice_check_to_places_one_test_call(fake_twilio, twilio_config):
    answer = TwilioVoiceChannel(twilio_config).check(to=PHONE)
    (call,) = fake_twilio.calls
    assert call["to"] == PHONE and "<Say" in call["_twiml"] and "test" in call["_twiml"]
    assert f"test call {call['sid']}" in answer and PHONE not in answer


def test_twilio_bad_token_names_the_cause(fake_twilio):
    channel = TwilioSMSChannel(create_twilio_config(fake_twilio, auth_token="wrong"))
    with pytest.raises(ChannelError) as error:
        channel.check(to=PHONE)
    assert one_line(error.value) == "twilio_sms: HTTP 401, authentication failed (code 20003)"
    assert fake_twilio.messages == []


def test_twilio_wrong_sender_names_the_cause(fake_twilio):
    fake_twilio.numbers = {"+33700000009"}
    try:
        channel = TwilioSMSChannel(create_twilio_config(fake_twilio))
        with pytest.raises(ChannelError) as error:
            channel.check(to=PHONE)
        assert "the sender is not a number of this account (code 21606)" in one_line(error.value)
        voice = TwilioVoiceChannel(create_twilio_config(fake_twilio))
        with pytest.raises(ChannelError) as error:
            voice.check(to=PHONE)
        assert "caller ID is not a number of this account (code 21210)" in one_line(error.value)
    finally:
        fake_twilio.numbers = set()


def test_mastodon_check_is_verify_credentials():
    with FakeMastodon(token="good") as fake:
        answer = MastodonChannel(MastodonConfig(fake.base_url, "good")).check(to=PHONE)
        assert answer == f"mastodon: posts as @mairie (Mairie) on {fake.base_url}"
        assert [r.path for r in fake.requests] == ["/api/v1/accounts/verify_credentials"]
        assert fake.posts == []
        with pytest.raises(ChannelError) as error:
            MastodonChannel(MastodonConfig(fake.base_url, "bad")).check()
        assert one_line(error.value) == "mastodon: The access token is invalid (HTTP 401)"


def test_bluesky_check_opens_a_session():
    with FakeBluesky(handle="mairie.example", password="app-pass") as fake:
        config = BlueskyConfig("mairie.example", "app-pass", base_url=fake.base_url)
        assert (
            BlueskyChannel(config).check()
            == f"bluesky: session opened for mairie.example ({fake.did})"
        )
        assert fake.sessions == 1 and fake.posts == []
        bad = BlueskyConfig("mairie.example", "wrong", base_url=fake.base_url)
        with pytest.raises(ChannelError) as error:
            BlueskyChannel(bad).check()
        assert "Invalid password" in one_line(error.value)


def test_x_check_is_users_me():
    with FakeX(token="good") as fake:
        answer = XChannel(XConfig("good", base_url=fake.base_url)).check()
        assert answer == "x: posts as @mairie (Mairie)"
        assert fake.posts == []
        with pytest.raises(ChannelError) as error:
            XChannel(XConfig("bad", base_url=fake.base_url)).check()
        assert one_line(error.value) == "x: Unauthorized (HTTP 401)"


def test_facebook_check_fetches_the_page_with_the_token_in_a_header():
    with FakeFacebook(page_id="1234567890", token="good") as fake:
        answer = FacebookChannel(
            FacebookConfig("1234567890", "good", base_url=fake.base_url)
        ).check()
        assert answer == "facebook: page 'Mairie de Saint-Crieur' (1234567890)"
        (request,) = fake.requests
        assert request.path == "/v21.0/1234567890" and "access_token" not in request.body
        assert request.headers["authorization"] == "Bearer good"
        with pytest.raises(ChannelError) as error:
            FacebookChannel(FacebookConfig("999", "good", base_url=fake.base_url)).check()
        assert "Object with ID '999' does not exist" in one_line(error.value)
        with pytest.raises(ChannelError) as error:
            FacebookChannel(FacebookConfig("1234567890", "bad", base_url=fake.base_url)).check()
        assert one_line(error.value) == "facebook: Invalid OAuth access token. (code 190)"
