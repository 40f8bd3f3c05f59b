"""`crieur accounts …`: every kind added and tested against its local fake over HTTP; one
clear line and exit 2 on bad input; secrets never printed; keys rotated."""

from __future__ import annotations

import io
from contextlib import ExitStack

import pytest
from cryptography.fernet import Fernet

from gateway.accounts.models import ProviderAccount
from gateway.accounts.secrets import unseal
from gateway.cli import main
from gateway.models import AuditEvent
from tests.factories import create_organisation
from tests.fakes.social import FakeBluesky, FakeFacebook, FakeMastodon, FakeX
from tests.fakes.twilio import FakeTwilio

pytestmark = pytest.mark.django_db

PHONE = "+33612345678"
SENDER = "+33700000001"


@pytest.fixture
def fakes():
    with ExitStack() as stack:
        yield {
            "twilio": stack.enter_context(FakeTwilio(numbers={SENDER})),
            "mastodon": stack.enter_context(FakeMastodon(token="masto-token-0001")),
            "bluesky": stack.enter_context(FakeBluesky("mairie.example", "app-pass-0002")),
            "x": stack.enter_context(FakeX(token="x-token-00000003")),
            "facebook": stack.enter_context(FakeFacebook("1234567890", "fb-page-token-04")),
        }


def settings_for(kind: str, fake) -> dict[str, str]:
    return {
        "twilio": {
            "account_sid": getattr(fake, "account_sid", ""),
            "auth_token": getattr(fake, "auth_token", ""),
            "from_number": SENDER,
            "base_url": fake.base_url,
        },
        "mastodon": {"base_url": fake.base_url, "access_token": "masto-token-0001"},
        "bluesky": {
            "handle": "mairie.example",
            "app_password": "app-pass-0002",
            "base_url": fake.base_url,
        },
        "x": {"access_token": "x-token-00000003", "base_url": fake.base_url},
        "facebook": {
            "page_id": "1234567890",
            "page_token": "fb-page-token-04",
            "base_url": fake.base_url,
        },
    }[kind]


EXPECTED = {
    "twilio": "twilio: account …",
    "mastodon": "mastodon: posts as @mairie (Mairie)",
    "bluesky": "bluesky: session opened for mairie.example (did:plc:",
    "x": "x: posts as @mairie (Mairie)",
    "facebook": "facebook: page 'Mairie de Saint-Crieur' (1234567890)",
}


@pytest.mark.parametrize("kind", sorted(EXPECTED))
def test_every_kind_is_added_and_tested_against_its_provider(kind, fakes, capsys):
    org = create_organisation()
    values = settings_for(kind, fakes[kind])
    argv = ["accounts", "add", "--org", org.slug, "--kind", kind, "--label", f"{kind} mairie"]
    assert main([*argv, *(f"{k}={v}" for k, v in values.items())]) == 0
    out, err = capsys.readouterr()
    account = ProviderAccount.objects.get(pk=int(out.strip()))
    assert f"account {account.pk} added: {kind}" in err
    assert main(["accounts", "test", str(account.pk)]) == 0
    out, err = capsys.readouterr()
    assert out.startswith(EXPECTED[kind]), out
    assert err == ""
    main(["accounts", "list", "--org", org.slug])
    listing = capsys.readouterr().out
    assert f"{account.pk}\t{org.slug}\t{kind}\t{kind} mairie\tfr\tok\t" in listing
    for secret in ProviderAccount.objects.get(pk=account.pk).secret_masks:
        assert values[secret] not in listing and values[secret][-4:] in listing


def test_twilio_test_to_sends_a_test_sms_or_calls_with_channel_voice(fakes, capsys):
    org = create_organisation()
    values = settings_for("twilio", fakes["twilio"])
    main(
        ["accounts", "add", "--org", org.slug, "--kind", "twilio"]
        + [f"{k}={v}" for k, v in values.items()]
    )
    pk = capsys.readouterr().out.strip()
    assert main(["accounts", "test", pk, "--to", "06 12 34 56 78"]) == 0
    out = capsys.readouterr().out
    (message,) = fakes["twilio"].messages
    assert message["to"] == PHONE and message["from"] == SENDER
    assert f"test SMS {message['sid']} queued" in out and PHONE not in out
    assert main(["accounts", "test", pk, "--to", PHONE, "--channel", "voice"]) == 0
    (call,) = fakes["twilio"].calls
    assert call["to"] == PHONE and f"test call {call['sid']}" in capsys.readouterr().out
    assert not AuditEvent.objects.filter(data__icontains="612345678").exists()


def test_a_refused_test_exits_1_naming_the_cause(fakes, capsys):
    org = create_organisation()
    values = {**settings_for("twilio", fakes["twilio"]), "from_number": "+33700000999"}
    main(
        ["accounts", "add", "--org", org.slug, "--kind", "twilio"]
        + [f"{k}={v}" for k, v in values.items()]
    )
    pk = capsys.readouterr().out.strip()
    assert main(["accounts", "test", pk, "--to", PHONE]) == 1
    err = capsys.readouterr().err.strip()
    assert err == (
        f"crieur: account {pk} failed: twilio_sms: HTTP 400, the sender is not a number of this "
        "account (code 21606)"
    )
    bad = {**settings_for("mastodon", fakes["mastodon"]), "access_token": "wrong-token"}
    main(
        ["accounts", "add", "--org", org.slug, "--kind", "mastodon"]
        + [f"{k}={v}" for k, v in bad.items()]
    )
    pk = capsys.readouterr().out.strip()
    assert main(["accounts", "test", pk]) == 1
    assert (
        capsys.readouterr().err.strip().endswith("mastodon: The access token is invalid (HTTP 401)")
    )


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["--kind", "mastodon", "base_url=https://s.example"],
            "settings: missing setting 'access_token'",
        ),
        (
            ["--kind", "mastodon", "base_url=https://s.example", "access_token=t", "toot=1"],
            "settings: unknown setting 'toot'",
        ),
        (
            ["--kind", "facebook", "page_id=abc", "page_token=t"],
            "settings: page_id must be the page's numeric id",
        ),
        (
            ["--kind", "twilio", "account_sid=AC1", "auth_token=t", "from_number=+337"],
            "settings: account_sid must be",
        ),
        (["--kind", "telex", "a=b"], "kind: unknown kind 'telex'"),
        (
            ["--kind", "x", "access_token=t", "access_token=u"],
            "settings: access_token is given twice",
        ),
        (["--kind", "x", "=t"], "settings: '=t' is not KEY=VALUE"),
        (["--kind", "x", "access_token=t", "--locale", "zz"], "locale: unknown locale 'zz'"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(argv, message, capsys):
    org = create_organisation()
    assert main(["accounts", "add", "--org", org.slug, *argv]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"crieur: error: {message}") and err.count("\n") == 1, err
    assert not ProviderAccount.objects.exists()


def test_unknown_org_id_or_number_are_one_line(capsys):
    assert main(["accounts", "add", "--org", "nowhere", "--kind", "x", "access_token=t"]) == 2
    assert main(["accounts", "test", "999"]) == 2
    assert main(["accounts", "disable", "999"]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err == [
        "crieur: error: --org: no organisation 'nowhere'",
        "crieur: error: no account 999",
        "crieur: error: no account 999",
    ]


def test_a_bare_key_is_read_from_standard_input(monkeypatch, capsys):
    org = create_organisation()
    monkeypatch.setattr("sys.stdin", io.StringIO("typed-secret-token\n"))
    assert main(["accounts", "add", "--org", org.slug, "--kind", "x", "access_token"]) == 0
    account = ProviderAccount.objects.get()
    assert unseal(account.secrets) == {"access_token": "typed-secret-token"}
    assert "typed-secret-token" not in capsys.readouterr().out


def test_disable_enable_remove(capsys):
    org = create_organisation()
    main(["accounts", "add", "--org", org.slug, "--kind", "x", "access_token=secret-token-1"])
    pk = capsys.readouterr().out.strip()
    assert main(["accounts", "disable", pk]) == 0
    assert not ProviderAccount.objects.get(pk=pk).enabled
    assert main(["accounts", "enable", pk]) == 0
    assert ProviderAccount.objects.get(pk=pk).enabled
    assert main(["accounts", "remove", pk]) == 0
    assert main(["accounts", "remove", pk]) == 2
    assert capsys.readouterr().err.splitlines() == [
        f"account {pk} disabled",
        f"account {pk} enabled",
        f"account {pk} removed",
        f"crieur: error: no account {pk}",
    ]
    assert [e.action for e in AuditEvent.objects.filter(object_type="provideraccount")] == [
        "account.added",
        "account.edited",
        "account.edited",
        "account.removed",
    ]


def test_keys_rotate_the_old_key_first_kept_then_dropped(settings, capsys):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.SECRETS_KEYS = (old,)
    org = create_organisation()
    main(["accounts", "add", "--org", org.slug, "--kind", "x", "access_token=secret-token-1"])
    pk = capsys.readouterr().out.strip()
    settings.SECRETS_KEYS = (new, old)  # the new key first, the old one still readable
    assert main(["accounts", "rotate-keys"]) == 0
    assert capsys.readouterr().out.startswith("1 account(s) encrypted with the first key")
    settings.SECRETS_KEYS = (new,)  # the old key dropped: still readable
    assert unseal(ProviderAccount.objects.get(pk=pk).secrets) == {"access_token": "secret-token-1"}
    settings.SECRETS_KEYS = (Fernet.generate_key().decode(),)  # a key that never sealed it
    assert main(["accounts", "rotate-keys"]) == 1
    assert f"cannot decrypt account(s) {pk}" in capsys.readouterr().err
    settings.SECRETS_KEYS = ("not-a-key",)
    assert main(["accounts", "rotate-keys"]) == 2
    assert "key 1 is not a Fernet key" in capsys.readouterr().err


def test_production_without_a_key_refuses_to_store_secrets(settings, capsys):
    settings.SECRETS_KEYS = ()
    settings.SECRETS_KEY_FILE = None
    org = create_organisation()
    assert main(["accounts", "add", "--org", org.slug, "--kind", "x", "access_token=t"]) == 2
    assert "CRIEUR_SECRETS_KEY is not set" in capsys.readouterr().err
    assert main(["accounts", "new-key"]) == 0
    Fernet(capsys.readouterr().out.strip().encode())  # a valid key
