"""Fixtures for channel tests: one fake Twilio per session, reset before each test."""

from __future__ import annotations

import pytest

from channels.config import TwilioConfig
from channels.twilio import TwilioSMSChannel, TwilioVoiceChannel
from tests.fakes.twilio import FakeTwilio

OPTED_OUT = "+33699999999"  # replied STOP: Twilio answers 21610
SENDER = "+33700000001"


@pytest.fixture(scope="session")
def _fake_twilio_server():
    with FakeTwilio(opted_out={OPTED_OUT}) as fake:
        yield fake


@pytest.fixture
def fake_twilio(_fake_twilio_server: FakeTwilio) -> FakeTwilio:
    _fake_twilio_server.reset()
    return _fake_twilio_server


def create_twilio_config(fake: FakeTwilio, **overrides) -> TwilioConfig:
    values = {
        "account_sid": fake.account_sid,
        "auth_token": fake.auth_token,
        "from_number": SENDER,
        "base_url": fake.base_url,
        "timeout": 0.5,  # small, so timeout faults fail fast
    }
    return TwilioConfig(**{**values, **overrides})


@pytest.fixture
def twilio_config(fake_twilio: FakeTwilio) -> TwilioConfig:
    return create_twilio_config(fake_twilio)


@pytest.fixture
def sms_channel(twilio_config: TwilioConfig) -> TwilioSMSChannel:
    return TwilioSMSChannel(twilio_config)


@pytest.fixture
def voice_channel(twilio_config: TwilioConfig) -> TwilioVoiceChannel:
    return TwilioVoiceChannel(twilio_config)
