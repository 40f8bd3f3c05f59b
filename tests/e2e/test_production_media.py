"""Production end to end, pictures and video: a real web server and a real `crieur worker`
(its `media` queue makes the video), one organisation with Telegram, Instagram, LinkedIn and
TikTok accounts and a Mastodon account that attaches the card, configured and tested through
the API, an announcement published through the API; each fake receives exactly one post with
the right media, Instagram fetching the card over HTTP from the web server, even when the
first attempt of each failed."""

from __future__ import annotations

import json
import time
from contextlib import ExitStack

import pytest
import requests

from gateway.models import Delivery, Rendition
from tests.e2e.test_production_accounts import ANNOUNCEMENT, Api, api_key
from tests.e2e.test_production_accounts import deployment as deployment  # the same processes
from tests.factories import create_organisation
from tests.fakes.jsonapi import Answer
from tests.fakes.telegram import TOKEN, FakeTelegram
from tests.fakes.visual import FakeInstagram, FakeLinkedIn, FakeMastodonMedia, FakeTikTok
from tests.renderers.visual.mp4 import read_mp4

pytestmark = [
    pytest.mark.production,
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def fakes():
    with ExitStack() as stack:
        telegram = stack.enter_context(FakeTelegram())
        telegram.add_chat("@mairie_infos", type="channel")
        yield {
            "telegram": telegram,
            "instagram": stack.enter_context(FakeInstagram(token="ig-token")),
            "linkedin": stack.enter_context(FakeLinkedIn(token="li-token")),
            "tiktok": stack.enter_context(FakeTikTok(token="tt-token")),
            "mastodon": stack.enter_context(FakeMastodonMedia(token="mastodon-token")),
        }


def accounts(fakes) -> list[dict]:
    return [
        {
            "kind": "telegram",
            "settings": {
                "chat_id": "@mairie_infos",
                "bot_token": TOKEN,
                "base_url": fakes["telegram"].base_url,
            },
        },
        {
            "kind": "instagram",
            "settings": {
                "ig_user_id": fakes["instagram"].ig_user_id,
                "access_token": "ig-token",
                "base_url": fakes["instagram"].base_url,
            },
        },
        {
            "kind": "linkedin",
            "locale": "en",
            "settings": {
                "organization_id": fakes["linkedin"].organization,
                "access_token": "li-token",
                "base_url": fakes["linkedin"].base_url,
            },
        },
        {
            "kind": "tiktok",
            "settings": {"access_token": "tt-token", "base_url": fakes["tiktok"].base_url},
        },
        {
            "kind": "mastodon",
            "settings": {
                "base_url": fakes["mastodon"].base_url,
                "access_token": "mastodon-token",
                "attach_image": True,
            },
        },
    ]


def wait_until_sent(api, announcement_id: int, timeout: float = 300.0) -> dict:
    deadline = time.monotonic() + timeout
    report = {}
    while time.monotonic() < deadline:
        report = api("GET", f"/api/announcements/{announcement_id}/report")
        if report["status"] == "sent":
            return report
        time.sleep(0.5)
    raise AssertionError(f"not sent after {timeout} s: {json.dumps(report)[:2000]}")


def test_pictures_video_and_telegram_reach_each_network_once(deployment, fakes):
    env, web = deployment
    ours = create_organisation(name="Mairie de Saint-Crieur", currency="EUR")
    admin = Api(web.url, api_key(env, ours, "alice", "admin"))
    approver = Api(web.url, api_key(env, ours, "maire", "approver"))
    ids = {}
    for body in accounts(fakes):
        created = admin("POST", "/api/accounts", body, expect=201)
        tested = admin("POST", f"/api/accounts/{created['id']}/test", {})
        assert tested["ok"] is True, tested
        ids[body["kind"]] = created["id"]
    for fake in fakes.values():  # what the tests asked is not what publishing must do
        fake.requests.clear() if hasattr(fake, "requests") else fake.calls.clear()

    # The first attempt of every post fails on the provider's side; each is retried once.
    fakes["telegram"].fail_next(
        Answer(500, {"ok": False, "error_code": 500, "description": "Internal Server Error"})
    )
    for name in ("instagram", "linkedin", "mastodon"):
        fakes[name].fail_next(500)
    fakes["tiktok"].answer_next("internal_error", status=500)

    created = admin("POST", "/api/announcements", ANNOUNCEMENT, expect=201)
    ann, code = created["id"], created["verification_code"]
    preview = admin("GET", f"/api/announcements/{ann}/preview")
    cards = {card["kind"]: card for card in preview["accounts"]}
    assert set(cards) == set(ids)
    assert cards["instagram"]["media"]["card"]["alt"]
    assert cards["telegram"]["rendition"]["form"] == "telegram"
    admin("POST", f"/api/announcements/{ann}/submit")
    approver("POST", f"/api/announcements/{ann}/approve")
    admin("POST", f"/api/announcements/{ann}/publish", expect=202)
    wait_until_sent(admin, ann)

    posts = Delivery.objects.filter(announcement_id=ann, citizen__isnull=True)
    assert sorted(posts.values_list("account_id", "status", "attempts")) == sorted(
        (pk, "sent", 2) for pk in ids.values()
    )
    card_fr = Rendition.objects.get(announcement_id=ann, form="card", locale="fr")
    card_en = Rendition.objects.get(announcement_id=ann, form="card", locale="en")
    video = Rendition.objects.get(announcement_id=ann, form="video", locale="fr")

    (message,) = fakes["telegram"].messages("@mairie_infos")
    assert message["text"].startswith("ALERTE : Alerte crue de la Loire")
    assert code in message["text"]
    # Instagram fetched the French card from the web server's verification page.
    (picture,) = fakes["instagram"].posts
    assert picture["url"] == f"{web.url}/v/{code}/card.jpg?lang=fr"
    assert picture["bytes"] == len(bytes(card_fr.data))
    assert picture["alt_text"] == card_fr.meta["alt"]
    # LinkedIn posts in English with the English card.
    (shared,) = fakes["linkedin"].posts
    assert shared["shown"].startswith("ALERT: Loire flood")
    assert fakes["linkedin"].images[shared["image"]]["data"] == bytes(card_en.data)
    # TikTok: the video made by the media queue, as a draft.
    (clip,) = fakes["tiktok"].posts
    assert clip["bytes"] == len(bytes(video.data)) and not clip["direct"]
    assert 15 <= read_mp4(bytes(video.data)).duration <= 60
    # Mastodon: the card attached with its description.
    (toot,) = fakes["mastodon"].posts
    (attachment,) = toot["media_attachments"]
    assert attachment["description"] == card_fr.meta["alt"]

    # The public files, as a visitor's browser gets them.
    got = requests.get(f"{web.url}/v/{code}/video.mp4?lang=fr", headers={"Range": "bytes=0-1023"})
    assert got.status_code == 206 and got.content == bytes(video.data)[:1024]
    vtt = requests.get(f"{web.url}/v/{code}/captions.fr.vtt")
    assert vtt.headers["Content-Type"] == "text/vtt; charset=utf-8"
    page = requests.get(f"{web.url}/v/{code}").text
    assert '<track kind="captions"' in page and card_fr.meta["alt"][:40] in page
