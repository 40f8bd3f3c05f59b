"""Channels per organisation (tasks inline, real HTTP to the fakes): each organisation sends
through its own accounts and senders, posts once per broadcast account in the account's
language, and a bad account fails only its own deliveries."""

from __future__ import annotations

import logging
from contextlib import ExitStack

import pytest
from cryptography.fernet import Fernet
from django.db import transaction
from django.utils import timezone

from gateway import registry
from gateway.accounts.models import ProviderAccount
from gateway.accounts.services import check_account, edit_account, status_of
from gateway.models import Delivery, Status
from gateway.publishing import publish
from gateway.tasks.delivery import rate_of
from gateway.tasks.publish import publish_announcement
from tests.factories import (
    create_account,
    create_announcement,
    create_citizen,
    create_organisation,
)
from tests.fakes.social import FakeBluesky, FakeFacebook, FakeMastodon, FakeX
from tests.fakes.twilio import FakeTwilio

pytestmark = pytest.mark.django_db(transaction=True)


def twilio_account(org, fake, sender, **fields):
    settings = {
        "account_sid": fake.account_sid,
        "auth_token": fake.auth_token,
        "from_number": sender,
        "base_url": fake.base_url,
    }
    return create_account(org, "twilio", settings, **fields)


def published(announcement):
    with transaction.atomic():
        publish(announcement)
    announcement.refresh_from_db()
    return announcement


def outcome(announcement):
    return sorted(
        Delivery.objects.filter(announcement=announcement).values_list(
            "channel", "account_id", "locale", "status", "last_error"
        ),
        key=str,
    )


def test_each_organisation_sends_through_its_own_account_and_sender(settings):
    with ExitStack() as stack:
        fake_a = stack.enter_context(
            FakeTwilio(account_sid="AC" + "a" * 32, numbers={"+33700000011"})
        )
        fake_b = stack.enter_context(
            FakeTwilio(account_sid="AC" + "b" * 32, numbers={"+33700000022", "+33700000099"})
        )
        instance = stack.enter_context(FakeTwilio(account_sid="AC" + "c" * 32))
        settings.TWILIO_ACCOUNT_SID = instance.account_sid
        settings.TWILIO_AUTH_TOKEN = instance.auth_token
        settings.TWILIO_FROM_NUMBER = "+33700000099"
        settings.TWILIO_BASE_URL = instance.base_url
        registry.cache_clear()
        a, b = create_organisation(), create_organisation()
        c = create_organisation(sms_sender="MAIRIE C", voice_sender="+33700000033")
        twilio_account(a, fake_a, "+33700000011")
        twilio_account(b, fake_b, "+33700000099")
        b.sms_sender = "+33700000022"  # the organisation's sender wins over the account's
        b.save()
        phones = {}
        for org in (a, b, c):
            phones[org.pk] = create_citizen(org, channels=("sms",)).phone
            create_citizen(org, channels=("voice",), is_mobile=False, phone=f"+3314{org.pk:07d}")
            assert published(create_announcement(org)).status == Status.SENT
    assert [(m["to"], m["from"]) for m in fake_a.messages] == [(phones[a.pk], "+33700000011")]
    assert [(m["to"], m["from"]) for m in fake_b.messages] == [(phones[b.pk], "+33700000022")]
    assert [(m["to"], m["from"]) for m in instance.messages] == [(phones[c.pk], "MAIRIE C")]
    assert [c_["from"] for c_ in fake_a.calls] == ["+33700000011"]
    assert [c_["from"] for c_ in fake_b.calls] == ["+33700000099"]  # no voice_sender: the account's
    assert [c_["from"] for c_ in instance.calls] == ["+33700000033"]
    registry.cache_clear()


def test_the_mastodon_environment_default_posts(settings):
    """Issue 15: MASTODON_API_BASE_URL used to crash the registry (api_base_url=)."""
    with FakeMastodon(token="env-token") as fake:
        settings.MASTODON_API_BASE_URL = fake.base_url
        settings.MASTODON_ACCESS_TOKEN = "env-token"
        registry.cache_clear()
        org = create_organisation()
        create_citizen(org, channels=("sms",))
        announcement = published(create_announcement(org))
        assert announcement.status == Status.SENT
        assert [p["text"] for p in fake.posts][0].startswith("Coupure d’eau mardi")
    settings.MASTODON_API_BASE_URL = ""
    registry.cache_clear()


def social_accounts(org, fakes):
    return {
        "mastodon": create_account(
            org, "mastodon", {"base_url": fakes["mastodon"].base_url, "access_token": "m-token"}
        ),
        "bluesky": create_account(
            org,
            "bluesky",
            {
                "handle": "mairie.bsky.social",
                "app_password": "app-pass",
                "base_url": fakes["bluesky"].base_url,
            },
            locale="en",
        ),
        "x": create_account(
            org, "x", {"access_token": "x-token", "base_url": fakes["x"].base_url}, locale="pt"
        ),
        "facebook": create_account(
            org,
            "facebook",
            {
                "page_id": "1234567890",
                "page_token": "page-token",
                "base_url": fakes["facebook"].base_url,
            },
        ),
    }


@pytest.fixture
def social():
    with ExitStack() as stack:
        yield {
            "mastodon": stack.enter_context(FakeMastodon(token="m-token")),
            "bluesky": stack.enter_context(FakeBluesky()),
            "x": stack.enter_context(FakeX(token="x-token")),
            "facebook": stack.enter_context(FakeFacebook(token="page-token")),
        }


def test_one_post_per_enabled_account_in_its_language_and_never_twice(social):
    org = create_organisation()
    accounts = social_accounts(org, social)
    create_account(
        org,
        "mastodon",
        {"base_url": social["mastodon"].base_url, "access_token": "m-token"},
        label="off",
        enabled=False,
    )
    other = create_organisation()  # no account: the instance's default post (outbox)
    announcement = published(create_announcement(org))
    assert announcement.status == Status.SENT
    assert outcome(announcement) == sorted(
        [
            ("bluesky", accounts["bluesky"].pk, "en", "sent", ""),
            ("facebook", accounts["facebook"].pk, "fr", "sent", ""),
            ("mastodon", accounts["mastodon"].pk, "fr", "sent", ""),
            ("x", accounts["x"].pk, "fr", "sent", ""),  # no Portuguese text: French
        ],
        key=str,
    )
    assert len(social["mastodon"].posts) == 1 and social["mastodon"].posts[0]["language"] == "fr"
    assert social["bluesky"].posts[0]["text"].startswith("Water cut")
    assert social["bluesky"].posts[0]["langs"] == ["en"]
    assert social["x"].posts[0]["text"].startswith("Coupure d’eau")
    assert social["facebook"].posts[0]["message"].startswith("Coupure d’eau rue des Lilas")
    publish_announcement(announcement.pk)  # a replayed task: nothing planned, nothing posted
    assert Delivery.objects.filter(announcement=announcement).count() == 4
    assert [len(f.posts) for f in social.values()] == [1, 1, 1, 1]
    theirs = published(create_announcement(other))
    assert outcome(theirs) == [("mastodon", None, "fr", "delivered", "")]
    assert [len(f.posts) for f in social.values()] == [1, 1, 1, 1]


def test_a_bad_account_fails_its_own_posts_and_nothing_else(social, settings):
    org = create_organisation()
    accounts = social_accounts(org, social)
    sms = create_citizen(org, channels=("sms",))
    # The key that sealed Bluesky's password is gone; X's token is refused by X.
    ProviderAccount.objects.filter(pk=accounts["bluesky"].pk).update(
        secrets=Fernet(Fernet.generate_key()).encrypt(b"{}").decode(), updated_at=timezone.now()
    )
    edit_account(accounts["x"], values={"access_token": "revoked-token"})
    announcement = published(create_announcement(org))
    rows = {row[0]: row for row in outcome(announcement)}
    assert rows["bluesky"][3] == "failed"
    assert rows["bluesky"][4].startswith(f"account {accounts['bluesky'].pk} (bluesky 'bluesky'): ")
    assert "cannot be decrypted" in rows["bluesky"][4]
    assert rows["x"][3] == "failed" and rows["x"][4] == "x: Unauthorized"
    assert rows["mastodon"][3] == rows["facebook"][3] == "sent"
    assert Delivery.objects.get(citizen=sms).status == "delivered"
    assert status_of(ProviderAccount.objects.get(pk=accounts["x"].pk)) == "failing"
    assert social["bluesky"].posts == [] and social["x"].posts == []
    assert announcement.status == Status.SENT


def test_a_broken_twilio_account_fails_its_messages_instead_of_using_the_default():
    org = create_organisation()
    create_account(
        org,
        "twilio",
        {"account_sid": "AC" + "d" * 32, "auth_token": "t", "from_number": "+33700000044"},
    )
    org.voice_sender = "MAIRIE"  # not a caller ID
    org.save()
    sms = create_citizen(org, channels=("sms",))
    voice = create_citizen(org, channels=("voice",), is_mobile=False, phone="+33140000001")
    ProviderAccount.objects.filter(organisation=org).update(
        secrets="garbage", updated_at=timezone.now()
    )
    published(create_announcement(org))
    failed = dict(
        Delivery.objects.filter(citizen__in=[sms, voice]).values_list("channel", "last_error")
    )
    assert "cannot be decrypted" in failed["sms"] and "cannot be decrypted" in failed["voice"]


def test_a_disabled_voice_sender_that_is_not_a_number_says_so():
    org = create_organisation(voice_sender="MAIRIE")
    with FakeTwilio() as fake:
        twilio_account(org, fake, "+33700000055")
        voice = create_citizen(org, channels=("voice",), is_mobile=False, phone="+33140000002")
        published(create_announcement(org))
        assert fake.calls == []
    delivery = Delivery.objects.get(citizen=voice)
    assert delivery.status == "failed"
    assert "voice_sender 'MAIRIE' is not a number in E.164 form" in delivery.last_error


def test_a_post_planned_for_an_account_disabled_since_fails_saying_so(social):
    org = create_organisation()
    account = social_accounts(org, social)["mastodon"]
    announcement = create_announcement(org)
    from gateway.routing.planning import plan_posts

    announcement.status = Status.SENDING
    announcement.save()
    plan_posts(announcement, registry.for_organisation(org.pk).posts)
    edit_account(account, enabled=False)
    from gateway.tasks.delivery import deliver_batch

    deliver_batch(list(Delivery.objects.filter(account=account).values_list("pk", flat=True)))
    delivery = Delivery.objects.get(account=account)
    assert delivery.status == "failed"
    assert delivery.last_error == f"account {account.pk} (mastodon 'mastodon') is disabled"
    assert social["mastodon"].posts == []


def test_registries_are_cached_until_an_account_or_sender_changes():
    org = create_organisation()
    account = create_account(org)
    first = registry.for_organisation(org.pk)
    assert registry.for_organisation(org.pk) is first
    edit_account(account, label="renamed")
    second = registry.for_organisation(org.pk)
    assert second is not first
    # Another process changed it (only the row tells): seen at the next lookup.
    ProviderAccount.objects.filter(pk=account.pk).update(enabled=False, updated_at=timezone.now())
    third = registry.for_organisation(org.pk)
    assert third is not second and account.pk in third.unavailable
    org.sms_sender = "+33700000066"
    org.save()
    assert registry.for_organisation(org.pk) is not third
    registry.channels.cache_clear()  # the environment's defaults changed (tests)
    assert registry.for_organisation(org.pk) is not third


def test_an_accounts_rate_limit_paces_its_sends():
    org = create_organisation()
    slow = create_account(org, limits={"rate": 0.25})
    free = create_account(org, limits={"rate": 0})
    plain = create_account(org)
    reg = registry.for_organisation(org.pk)
    assert rate_of(reg.target("mastodon", slow.pk)) == 0.25
    assert rate_of(reg.target("mastodon", free.pk)) is None
    assert rate_of(reg.target("mastodon", plain.pk)) == 1.0  # Mastodon's own
    buckets = {reg.target("mastodon", a.pk).bucket for a in (slow, free, plain)}
    assert len(buckets) == 3  # one bucket per account


def test_another_organisations_account_cannot_be_named():
    theirs = create_account(create_organisation())
    ours = create_organisation()
    target = registry.for_organisation(ours.pk).target("mastodon", theirs.pk)
    assert isinstance(target.channel, registry.UnavailableChannel)
    assert "not an account of this organisation" in target.channel.reason


def test_no_secret_reaches_the_logs(social, caplog):
    caplog.set_level(logging.DEBUG)
    org = create_organisation()
    social_accounts(org, social)
    with FakeTwilio(auth_token="twilio-secret-token") as fake:
        twilio_account(org, fake, "+33700000077")
        create_citizen(org, channels=("sms",))
        published(create_announcement(org))
        assert len(fake.messages) == 1
        for account in ProviderAccount.objects.filter(organisation=org):
            assert check_account(account, to="+33612345678").ok, account.kind
    assert sum(len(f.posts) for f in social.values()) == 4
    for secret in ("m-token", "app-pass", "x-token", "page-token", "twilio-secret-token"):
        assert secret not in caplog.text, secret


def test_an_organisation_with_posts_through_its_accounts_can_still_be_deleted(social):
    org = create_organisation()
    social_accounts(org, social)
    published(create_announcement(org))
    assert Delivery.objects.filter(account__isnull=False).count() == 4
    org.delete()  # deliveries go with their announcements, accounts with their organisation
    assert not ProviderAccount.objects.exists() and not Delivery.objects.exists()
