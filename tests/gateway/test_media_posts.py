"""Broadcast posts with pictures, video and Telegram threads, through the gateway (tasks
inline, real HTTP to the fakes and to a live server for the files Meta fetches)."""

from __future__ import annotations

from contextlib import ExitStack

import pytest

from gateway import registry
from gateway.accounts.models import ProviderAccount
from gateway.models import AuditEvent, Delivery, MediaJob, Rendition
from tests.factories import create_account, create_announcement, create_organisation
from tests.fakes.telegram import TOKEN, FakeTelegram
from tests.fakes.visual import FakeInstagram, FakeLinkedIn, FakeMastodonMedia, FakeTikTok
from tests.gateway.test_registry import published

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def fakes():
    with ExitStack() as stack:
        telegram = stack.enter_context(FakeTelegram())
        channel = telegram.add_chat("@mairie_infos", type="channel")
        staff = telegram.add_chat(type="supergroup", title="Staff")
        yield {
            "telegram": telegram,
            "channel": channel,
            "staff": staff,
            "instagram": stack.enter_context(FakeInstagram(token="ig-token")),
            "linkedin": stack.enter_context(FakeLinkedIn(token="li-token")),
            "tiktok": stack.enter_context(FakeTikTok(token="tt-token")),
            "mastodon": stack.enter_context(FakeMastodonMedia(token="mastodon-token")),
        }


@pytest.fixture
def public(live_server, settings):
    """The web server Meta fetches the card from: CRIEUR_PUBLIC_URL points at it."""
    settings.PUBLIC_URL = live_server.url
    registry.cache_clear()
    return live_server.url


@pytest.fixture
def retries(monkeypatch):
    """The countdowns of the retries the engine queues (recorded, not run)."""
    from gateway.tasks import delivery as engine

    queued, send = [], engine.deliver_batch.apply_async

    def retry_later(args, **options):
        if "countdown" not in options:
            return send(args, **options)
        queued.append(options["countdown"])

    monkeypatch.setattr(engine.deliver_batch, "apply_async", retry_later)
    return queued


def telegram_account(org, fakes, **fields):
    settings = {
        "chat_id": "@mairie_infos",
        "bot_token": TOKEN,
        "check_chat_id": str(fakes["staff"].id),
        "base_url": fakes["telegram"].base_url,
    }
    return create_account(org, "telegram", settings, **fields)


def visual_accounts(org, fakes) -> dict[str, ProviderAccount]:
    return {
        "telegram": telegram_account(org, fakes),
        "instagram": create_account(
            org,
            "instagram",
            {
                "ig_user_id": fakes["instagram"].ig_user_id,
                "access_token": "ig-token",
                "base_url": fakes["instagram"].base_url,
            },
        ),
        "linkedin": create_account(
            org,
            "linkedin",
            {
                "organization_id": fakes["linkedin"].organization,
                "access_token": "li-token",
                "base_url": fakes["linkedin"].base_url,
            },
        ),
        "tiktok": create_account(
            org, "tiktok", {"access_token": "tt-token", "base_url": fakes["tiktok"].base_url}
        ),
        "mastodon": create_account(
            org,
            "mastodon",
            {
                "base_url": fakes["mastodon"].base_url,
                "access_token": "mastodon-token",
                "attach_image": "yes",
            },
        ),
    }


def posts_of(announcement):
    return dict(
        Delivery.objects.filter(announcement=announcement, citizen__isnull=True).values_list(
            "channel", "status"
        )
    )


def test_each_new_kind_posts_once_with_its_media(fakes, public):
    org = create_organisation(name="Mairie de Saint-Crieur")
    visual_accounts(org, fakes)
    announcement = published(create_announcement(org))
    code = announcement.verification_code

    assert posts_of(announcement) == dict.fromkeys(
        ("telegram", "instagram", "linkedin", "tiktok", "mastodon"), "sent"
    )
    card = Rendition.objects.get(announcement=announcement, form="card", locale="fr")
    video = Rendition.objects.get(announcement=announcement, form="video", locale="fr")
    assert Rendition.objects.filter(announcement=announcement, form="card-square").count() == 1
    # Telegram: one message in the channel, its id kept on the delivery and the account.
    (message,) = fakes["telegram"].messages(fakes["channel"])
    assert message["text"].startswith(announcement.text().title)
    telegram = Delivery.objects.get(announcement=announcement, channel="telegram")
    assert telegram.provider_state["message_ids"] == [str(message["message_id"])]
    assert telegram.account.state == {"last_message_id": str(message["message_id"])}
    # Instagram fetched the card over HTTP from the verification page, with its alt text.
    (post,) = fakes["instagram"].posts
    assert post["url"] == f"{public}/v/{code}/card.jpg?lang=fr"
    assert post["bytes"] == len(bytes(card.data)) and post["alt_text"] == card.meta["alt"]
    assert code in post["caption"]
    # LinkedIn uploaded the card; TikTok the video, in the creator's inbox.
    (shared,) = fakes["linkedin"].posts
    assert shared["image"] and shared["alt"] == card.meta["alt"]
    assert fakes["linkedin"].images[shared["image"]]["data"] == bytes(card.data)
    (clip,) = fakes["tiktok"].posts
    assert clip["bytes"] == len(bytes(video.data)) and clip["direct"] is False
    # Mastodon with attach_image: the card and its description.
    (toot,) = fakes["mastodon"].posts
    (attachment,) = fakes["mastodon"].media.values()
    assert attachment["bytes"] == bytes(card.data)
    assert attachment["json"]["description"] == card.meta["alt"]
    assert [m["id"] for m in toot["media_attachments"]] == [attachment["json"]["id"]]
    assert MediaJob.objects.get(announcement=announcement).status == "done"


def test_no_picture_nor_video_is_made_for_text_only_accounts(fakes):
    org = create_organisation()
    telegram_account(org, fakes)
    announcement = published(create_announcement(org))
    assert posts_of(announcement) == {"telegram": "sent"}
    forms = set(Rendition.objects.filter(announcement=announcement).values_list("form", flat=True))
    assert forms.isdisjoint({"card", "card-square", "video"})
    assert not MediaJob.objects.exists()


def test_a_telegram_reply_lost_is_checked_before_anything_is_posted_again(fakes, settings):
    settings.PROVIDER_TIMEOUTS = {"telegram": 0.5}
    registry.cache_clear()
    org = create_organisation()
    telegram_account(org, fakes)
    first = published(create_announcement(org))
    assert posts_of(first) == {"telegram": "sent"}
    # The next post reaches the channel but its reply never comes back.
    fakes["telegram"].fail_next("timeout_after_accept", delay=1.5)
    second = published(create_announcement(org, title="Deuxième annonce"))
    delivery = Delivery.objects.get(announcement=second)
    shown = fakes["telegram"].messages(fakes["channel"])
    assert [m["text"].split("\n")[0] for m in shown] == [
        first.text().title,
        "Deuxième annonce",
    ]
    assert delivery.status == "sent" and delivery.attempts == 2
    assert delivery.provider_state["message_ids"] == [str(shown[1]["message_id"])]
    assert delivery.provider_state["after_id"] == str(shown[0]["message_id"])
    assert fakes["telegram"].messages(fakes["staff"]) == []  # the check's copy was deleted


def test_a_telegram_post_without_a_known_last_message_is_left_to_a_person(fakes, settings):
    settings.PROVIDER_TIMEOUTS = {"telegram": 0.5}
    registry.cache_clear()
    org = create_organisation()
    account = telegram_account(org, fakes)
    fakes["telegram"].fail_next("timeout_after_accept", delay=1.5)
    announcement = published(create_announcement(org))
    delivery = Delivery.objects.get(announcement=announcement)
    assert delivery.status == "failed"
    assert "look at the channel" in delivery.last_error
    assert len(fakes["telegram"].messages(fakes["channel"])) == 1  # never twice
    account.refresh_from_db()
    assert account.last_error


def test_a_migrated_telegram_group_updates_its_account(fakes):
    org = create_organisation()
    group = fakes["telegram"].add_chat("@mairie_groupe", type="group")
    settings = {
        "chat_id": "@mairie_groupe",
        "bot_token": TOKEN,
        "base_url": fakes["telegram"].base_url,
    }
    account = create_account(org, "telegram", settings)
    supergroup = fakes["telegram"].migrate(group)
    announcement = published(create_announcement(org))
    assert posts_of(announcement) == {"telegram": "sent"}
    assert len(fakes["telegram"].messages(supergroup)) == 1
    account.refresh_from_db()
    assert account.settings["chat_id"] == str(supergroup.id)
    edited = AuditEvent.objects.filter(action="account.edited", object_id=str(account.pk)).get()
    assert edited.data["after"]["settings"]["chat_id"] == str(supergroup.id)


@pytest.mark.parametrize("network", ["linkedin", "tiktok"])
def test_a_lost_reply_on_linkedin_or_tiktok_goes_to_a_person(fakes, settings, network, public):
    settings.PROVIDER_TIMEOUTS = {network: 0.5}
    registry.cache_clear()
    org = create_organisation()
    accounts = visual_accounts(org, fakes)
    for kind, account in accounts.items():
        if kind != network:
            account.delete()
    fakes[network].fail_next(201 if network == "linkedin" else 200, delay=1.5)
    announcement = published(create_announcement(org))
    delivery = Delivery.objects.get(announcement=announcement)
    assert delivery.status == "failed" and delivery.attempts == 1
    assert f"look at the {network} page" in delivery.last_error
    assert len(fakes[network].requests) and "never posted again" in delivery.last_error


def test_the_engine_waits_as_long_as_the_provider_asks(fakes, retries):
    fakes["telegram"].per_minute = 1  # a second message in the minute: 429, retry_after ≈ 60 s
    org = create_organisation()
    telegram_account(org, fakes)
    published(create_announcement(org))
    announcement = published(create_announcement(org, title="Deuxième annonce"))
    delivery = Delivery.objects.get(announcement=announcement)
    assert delivery.status == "planned" and "Too Many Requests" in delivery.last_error
    assert retries and retries[0] >= 60


def test_a_post_paced_far_out_goes_back_to_planned_instead_of_holding_a_worker(
    fakes, retries, fresh_buckets
):
    from gateway.registry import for_organisation
    from gateway.tasks import delivery as engine

    org = create_organisation()
    account = telegram_account(org, fakes, limits={"rate": 0.01})  # one post per 100 s
    target = for_organisation(org.pk).target("telegram", account.pk)
    engine.TokenBucket("provider", 0.01, engine.PACE_CHUNK).reserve(target.bucket, 10)
    announcement = published(create_announcement(org))
    delivery = Delivery.objects.get(announcement=announcement)
    assert delivery.status == "planned" and "rate limit of the account" in delivery.last_error
    assert retries and retries[0] > 60
    assert fakes["telegram"].messages(fakes["channel"]) == []
