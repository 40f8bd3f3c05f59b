"""One table-driven contract run over every channel class.

To add a channel, append a `ChannelCase` to CASES: how to build it against its local fake,
a rendition it accepts, how to make its provider fail, and the secrets it must never show.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from channels.base import Channel, Receipt, Recipient
from channels.email import EmailChannel, EmailConfig
from channels.errors import ChannelError
from channels.outbox import (
    OutboxPrintChannel,
    OutboxSMSChannel,
    OutboxSocialChannel,
    OutboxVoiceChannel,
)
from channels.telegram import TelegramChannel, TelegramConfig
from channels.twilio import TwilioSMSChannel, TwilioVoiceChannel
from channels.whatsapp import WhatsAppChannel, WhatsAppConfig
from renderers.message import Rendition
from tests.channels.conftest import create_twilio_config
from tests.channels.visual_cases import visual_cases
from tests.fakes.jsonapi import Answer
from tests.fakes.smtp import FakeSMTP
from tests.fakes.telegram import FakeTelegram
from tests.fakes.whatsapp import FakeWhatsApp
from tests.fakes.whatsapp import error as whatsapp_error

FAMILIES = {"sms", "voice", "social", "print", "messaging", "email"}
PHONE = "+33612345678"
EMAIL = "citizen-1@example.org"
RECIPIENT = Recipient(
    reference="citizen-1", phone=PHONE, address=("1 rue de la Mairie",), email=EMAIL
)


@dataclass
class Env:
    """What a case may use: the fakes and a scratch folder."""

    fake_twilio: Any
    tmp_path: Path
    fake_telegram: Any = None
    fake_whatsapp: Any = None
    fake_smtp: Any = None


@dataclass
class ChannelCase:
    cls: type[Channel]
    build: Callable[[Env], Channel]
    rendition: Rendition
    break_provider: Callable[[Env], None]  # make the next send fail
    secrets: Callable[[Env], list[str]] = field(default=lambda env: [])


def _sms() -> Rendition:
    return Rendition("sms", "fr", "text/plain", "Coupure d'eau demain. STOP au 36111")


def _twiml() -> Rendition:
    return Rendition("voice", "fr", "application/xml", "<Response><Say>Bonjour</Say></Response>")


def _twilio_down(env: Env) -> None:
    env.fake_twilio.faults(rate=1.0, kinds=("500",))


def _twilio_secrets(env: Env) -> list[str]:
    return [env.fake_twilio.auth_token]


def _outbox_blocked(env: Env) -> None:
    # The outbox folder is a file: writing fails with an OSError the base turns into a retry.
    (env.tmp_path / "outbox").write_text("")


def _outbox(cls: type[Channel]) -> Callable[[Env], Channel]:
    return lambda env: cls(env.tmp_path / "outbox")  # type: ignore[call-arg]


def _telegram(env: Env) -> Channel:
    fake = env.fake_telegram
    config = TelegramConfig("@contract_test", fake.token, base_url=fake.base_url, timeout=0.5)
    return TelegramChannel(config)


def _telegram_down(env: Env) -> None:
    body = {"ok": False, "error_code": 502, "description": "Bad Gateway"}
    env.fake_telegram.fail_next(Answer(502, body))


def _whatsapp(env: Env) -> Channel:
    return WhatsAppChannel(WhatsAppConfig(**env.fake_whatsapp.settings(), timeout=0.5))


def _email(env: Env) -> Channel:
    fake = env.fake_smtp
    sender = "Mairie <infos@mairie.example>"
    return EmailChannel(EmailConfig(fake.host, sender, port=fake.port, security="none"))


def _email_rendition() -> Rendition:
    meta = {"subject": "Coupure d'eau", "html": "<p>Coupure d'eau</p>", "language": "fr"}
    meta["unsubscribe_url"] = "https://mairie.example/u/TOKEN"
    return Rendition("email", "fr", "text/plain", "Coupure d'eau demain.", meta)


CASES = [
    ChannelCase(
        TwilioSMSChannel,
        lambda env: TwilioSMSChannel(create_twilio_config(env.fake_twilio)),
        _sms(),
        _twilio_down,
        _twilio_secrets,
    ),
    ChannelCase(
        TwilioVoiceChannel,
        lambda env: TwilioVoiceChannel(create_twilio_config(env.fake_twilio)),
        _twiml(),
        _twilio_down,
        _twilio_secrets,
    ),
    ChannelCase(
        TelegramChannel,
        _telegram,
        Rendition("telegram", "fr", "text/html", "<b>Coupure d'eau</b> demain"),
        _telegram_down,
        lambda env: [env.fake_telegram.token],
    ),
    ChannelCase(
        WhatsAppChannel,
        _whatsapp,
        Rendition("whatsapp_text", "fr", "text/plain", "Coupure d'eau demain."),
        lambda env: env.fake_whatsapp.fail_next(whatsapp_error(131000)),
        lambda env: [env.fake_whatsapp.access_token, env.fake_whatsapp.app_secret],
    ),
    ChannelCase(
        EmailChannel,
        _email,
        _email_rendition(),
        lambda env: env.fake_smtp.fail_next("451"),
    ),
    ChannelCase(OutboxSMSChannel, _outbox(OutboxSMSChannel), _sms(), _outbox_blocked),
    ChannelCase(OutboxVoiceChannel, _outbox(OutboxVoiceChannel), _twiml(), _outbox_blocked),
    ChannelCase(
        OutboxSocialChannel,
        _outbox(OutboxSocialChannel),
        Rendition("mastodon", "fr", "text/plain", "Coupure d'eau demain #Lilas"),
        _outbox_blocked,
    ),
    ChannelCase(
        OutboxPrintChannel,
        _outbox(OutboxPrintChannel),
        Rendition("notice", "fr", "application/pdf", b"%PDF-1.4 fake"),
        _outbox_blocked,
    ),
]
CASES += visual_cases(ChannelCase)  # Instagram, LinkedIn, TikTok (tests/channels/visual_cases.py)
IDS = [case.cls.__name__ for case in CASES]


@pytest.fixture(scope="module")
def messaging_fakes():
    with FakeTelegram() as telegram, FakeWhatsApp(pair_interval=0) as whatsapp:
        with FakeSMTP(security="none") as smtp:
            telegram.add_chat("@contract_test", type="channel")
            yield telegram, whatsapp, smtp


@pytest.fixture
def env(fake_twilio, tmp_path, messaging_fakes) -> Env:
    telegram, whatsapp, smtp = messaging_fakes
    for fake in (telegram, whatsapp):
        fake.clear_faults()
    smtp.reset()
    return Env(fake_twilio, tmp_path, telegram, whatsapp, smtp)


def test_names_are_unique():
    names = [case.cls.name for case in CASES]
    assert len(names) == len(set(names))


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_declares_its_limits_as_class_attributes(case: ChannelCase):
    cls = case.cls
    assert cls.name and cls.family in FAMILIES
    assert isinstance(cls.forms, tuple) and cls.forms
    assert cls.body_maxlen is None or cls.body_maxlen > 0
    assert cls.request_rate_per_sec is None or cls.request_rate_per_sec > 0
    assert case.rendition.form in cls.forms


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_sends_and_returns_a_receipt(case: ChannelCase, env: Env):
    receipt = case.build(env).send(case.rendition, RECIPIENT, idempotency_key="contract-1")
    assert isinstance(receipt, Receipt) and receipt.provider_ref


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_wrong_form_is_a_value_error(case: ChannelCase, env: Env):
    wrong = Rendition("no-such-form", "fr", "text/plain", "x")
    with pytest.raises(ValueError):
        case.build(env).send(wrong, RECIPIENT, idempotency_key="contract-2")


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_provider_failure_is_a_channel_error_without_secrets(case: ChannelCase, env: Env):
    channel = case.build(env)
    case.break_provider(env)
    with pytest.raises(ChannelError) as error:
        channel.send(case.rendition, RECIPIENT, idempotency_key="contract-3")
    for secret in [PHONE, EMAIL, *case.secrets(env)]:
        assert secret not in str(error.value)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_repr_shows_no_secret(case: ChannelCase, env: Env):
    channel = case.build(env)
    shown = repr(channel) + repr(getattr(channel, "holder", None) and channel.holder.config)
    for secret in [PHONE, EMAIL, *case.secrets(env)]:
        assert secret not in shown
    assert PHONE not in repr(RECIPIENT) and EMAIL not in repr(RECIPIENT)


def test_channels_never_load_django_or_the_gateway():
    modules = sorted({case.cls.__module__ for case in CASES})
    code = (
        "import sys\n"
        + "".join(f"import {m}\n" for m in modules)
        + "bad = [m for m in sys.modules if m.split('.')[0] in ('django', 'gateway')]\n"
        + "assert not bad, bad\n"
    )
    root = Path(__file__).resolve().parents[2]
    result = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
