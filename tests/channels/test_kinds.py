"""The kind table: settings parse from text, secrets are declared, errors are one line."""

from __future__ import annotations

import pytest

from channels.errors import ChannelConfigError
from channels.kinds import kinds

SETTINGS = {
    "twilio": {
        "account_sid": "AC" + "0" * 32,
        "auth_token": "t0ken",
        "from_number": "+33700000001",
    },
    "mastodon": {"base_url": "https://social.example", "access_token": "t0ken"},
    "bluesky": {"handle": "mairie.example", "app_password": "abcd-efgh-ijkl-mnop"},
    "x": {"access_token": "t0ken"},
    "facebook": {"page_id": "1234", "page_token": "t0ken"},
    "telegram": {"chat_id": "@mairie_infos", "bot_token": "123456789:AAsecretsecretsecretsecret"},
    "whatsapp": {
        "phone_number_id": "106540352242922",
        "waba_id": "102290129340398",
        "access_token": "EAAGsecrettoken",
        "app_secret": "appsecret0123",
        "verify_token": "verify-token-0123456",
    },
    "email": {
        "host": "smtp.mairie.example",
        "from_address": "Mairie <infos@mairie.example>",
        "username": "crieur",
        "password": "s3cret-password",
    },
}
SECRETS = {
    "twilio": {"auth_token"},
    "mastodon": {"access_token"},
    "bluesky": {"app_password"},
    "x": {"access_token"},
    "facebook": {"page_token"},
    "telegram": {"bot_token"},
    "whatsapp": {"access_token", "app_secret", "verify_token"},
    "email": {"password", "api_key", "api_secret", "webhook_secret", "webhook_signing_key"},
}
BROADCAST = {"mastodon", "bluesky", "x", "facebook", "telegram"}


@pytest.mark.parametrize("name", sorted(SETTINGS))
def test_every_kind_builds_its_channels_from_text_settings(name):
    kind = kinds()[name]
    config = kind.parse(SETTINGS[name])
    channels = kind.build(config)
    assert channels and all(ch.name == key or name == "twilio" for key, ch in channels.items())
    assert kind.secret_fields() == SECRETS[name]
    for secret in kind.secret_fields():  # never in the repr
        assert SETTINGS[name].get(secret, "no such value") not in repr(config)


def test_every_kind_of_the_table_is_covered_here():
    assert set(kinds()) >= set(SETTINGS)


@pytest.mark.parametrize("name", ["telegram", "whatsapp", "email"])
def test_messaging_kinds_say_whether_they_broadcast(name):
    assert kinds()[name].broadcast is (name in BROADCAST)


def test_an_email_port_is_typed_from_text():
    config = kinds()["email"].parse({**SETTINGS["email"], "port": "465", "security": "tls"})
    assert config.port == 465 and config.security == "tls"


def test_internal_fields_are_not_settings():
    names = [f.name for f in kinds()["twilio"].fields()]
    assert "status_callback_url" not in names and "timeout" not in names


@pytest.mark.parametrize(
    "values, message",
    [
        ({"base_url": "https://s.example"}, "mastodon: missing setting 'access_token'"),
        ({"base_url": "https://s.example", "access_token": "t", "tokn": "x"}, "unknown setting"),
        ({"base_url": "ftp://s", "access_token": "t"}, "base_url must start with http"),
        ({"base_url": "https://s", "access_token": "t", "max_characters": "many"}, "must be a int"),
    ],
)
def test_bad_settings_are_one_line(values, message):
    with pytest.raises(ChannelConfigError) as error:
        kinds()["mastodon"].parse(values)
    assert message in str(error.value) and "\n" not in str(error.value)
