"""TwilioVoiceChannel over real HTTP against the fake Twilio, with the unmodified SDK."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from channels.base import Recipient
from channels.errors import (
    ChannelConfigError,
    PermanentChannelError,
    RetryableChannelError,
    UnknownOutcomeError,
)
from channels.twilio import TwilioVoiceChannel
from renderers.message import Rendition
from tests.channels.conftest import SENDER, create_twilio_config

CITIZEN = "+33512345678"
TWIML = (
    '<?xml version="1.0" encoding="UTF-8"?><Response>'
    '<Say language="fr-FR" voice="Polly.Lea">Coupure d\'eau demain matin.</Say></Response>'
)


def create_voice(body: str = TWIML, **meta) -> Rendition:
    return Rendition(form="voice", locale="fr", media_type="application/xml", body=body, meta=meta)


def create_recipient(phone: str = CITIZEN) -> Recipient:
    return Recipient(reference="citizen-7", phone=phone)


def test_call_with_inline_twiml(fake_twilio, voice_channel):
    receipt = voice_channel.send(create_voice(), create_recipient(), idempotency_key="v-1")

    [call] = fake_twilio.calls
    assert receipt.provider_ref == call["sid"] and call["sid"].startswith("CA")
    assert receipt.status == "queued" and receipt.cost is None
    assert (call["to"], call["from"]) == (CITIZEN, SENDER)
    assert call["_twiml"] == TWIML and call["_url"] is None
    assert call["_machine_detection"] == "DetectMessageEnd"
    assert fake_twilio.messages == []


def test_call_with_a_twiml_url(fake_twilio, voice_channel):
    url = "https://crieur.example/voice/announcement-12.xml"
    voice_channel.send(create_voice(twiml_url=url), create_recipient(), idempotency_key="v-2")

    [call] = fake_twilio.calls
    assert call["_url"] == url and call["_twiml"] is None


def test_status_callback_carries_the_key(fake_twilio):
    config = create_twilio_config(fake_twilio, status_callback_url="https://crieur.example/cb")
    TwilioVoiceChannel(config).send(create_voice(), create_recipient(), idempotency_key="v-3")
    assert fake_twilio.calls[0]["_status_callback"] == "https://crieur.example/cb?d=v-3"


def test_long_twiml_without_url_is_refused_before_calling(fake_twilio, voice_channel):
    long_twiml = "<Response>" + "<Say>bla</Say>" * 400 + "</Response>"
    with pytest.raises(PermanentChannelError) as error:
        voice_channel.send(create_voice(long_twiml), create_recipient(), idempotency_key="v")
    assert error.value.code == 32018
    assert fake_twilio.calls == []


def test_invalid_number_is_permanent(voice_channel):
    with pytest.raises(PermanentChannelError) as error:
        voice_channel.send(create_voice(), create_recipient("0512345678"), idempotency_key="v")
    assert error.value.code == 21211 and "0512345678" not in str(error.value)


@pytest.mark.parametrize("kind", ["429", "500", "timeout"])
def test_faults_are_retryable(fake_twilio, voice_channel, kind):
    fake_twilio.faults(rate=1.0, kinds=(kind,), delay=1.0)
    with pytest.raises(RetryableChannelError):
        voice_channel.send(create_voice(), create_recipient(), idempotency_key="v")
    assert fake_twilio.calls == []


def test_voice_needs_a_caller_number(fake_twilio):
    config = create_twilio_config(
        fake_twilio, from_number="", messaging_service_sid="MG" + "2" * 32
    )
    with pytest.raises(ChannelConfigError):
        TwilioVoiceChannel(config)


def test_timeout_after_accept_is_unknown_outcome_then_the_call_is_found(fake_twilio, voice_channel):
    """A call Twilio placed while its reply was lost is found before anyone calls again."""
    before = datetime.now(UTC)
    fake_twilio.faults(rate=1.0, kinds=("timeout_after_accept",), delay=1.0)
    with pytest.raises(UnknownOutcomeError):
        voice_channel.send(create_voice(), create_recipient(), idempotency_key="v-9")
    fake_twilio.faults(rate=0)

    [call] = fake_twilio.calls
    found = voice_channel.find_sent(CITIZEN, before, "v-9")
    assert found is not None and found.provider_ref == call["sid"]
    assert voice_channel.find_sent("+33522222222", before, "v-10") is None
    assert voice_channel.find_sent(CITIZEN, before + timedelta(hours=1), "v-9") is None
