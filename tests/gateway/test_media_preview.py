"""The card and the video in the previews: the API's per-account card with its image and alt
text (TOO_LONG as a warning), the video made on demand with its progress, and the console's
compose preview showing the same."""

from __future__ import annotations

import io
import re

import pytest
from django.test import Client
from django.urls import reverse
from PIL import Image

from gateway.media.models import MediaJob
from gateway.media.preview import preview_card
from gateway.models import Role
from renderers.errors import RenderErrorCode
from renderers.message import Message
from tests.factories import (
    create_account,
    create_announcement,
    create_api_key,
    create_organisation,
    create_user,
)

pytestmark = pytest.mark.django_db(transaction=True)
DOWN = "http://127.0.0.1:1"  # previews never call the networks


@pytest.fixture(autouse=True)
def _media_dir(settings, tmp_path):
    settings.MEDIA_DIR = tmp_path / "media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def org():
    org = create_organisation(name="Mairie de Saint-Crieur")
    create_account(org, "instagram", {"ig_user_id": "1784", "access_token": "t", "base_url": DOWN})
    create_account(org, "tiktok", {"access_token": "t", "base_url": DOWN}, locale="en")
    create_account(org, "telegram", {"chat_id": "@mairie_infos", "bot_token": "1234:" + "A" * 30})
    return org


def test_the_api_preview_shows_each_accounts_card_and_offers_the_video(org):
    api = Client(HTTP_AUTHORIZATION=f"Bearer {create_api_key(org)}")
    announcement = create_announcement(org)
    preview = api.get(f"/api/announcements/{announcement.pk}/preview").json()
    cards = {card["kind"]: card for card in preview["accounts"]}
    assert set(cards) == {"instagram", "tiktok", "telegram"}
    assert cards["telegram"]["media"] is None
    assert cards["telegram"]["rendition"]["meta"]["parse_mode"] == "HTML"
    assert cards["instagram"]["rendition"]["meta"]["count"] <= 2200
    card = cards["instagram"]["media"]["card"]
    assert card["error"] is None and card["alt"].startswith("Mairie de Saint-Crieur")
    assert any("Instagram cannot fetch the card" in w for w in cards["instagram"]["warnings"])
    image = api.get(card["url"])
    assert image.status_code == 200 and image["Content-Type"] == "image/jpeg"
    assert Image.open(io.BytesIO(image.content)).size == (card["width"], card["height"])
    assert cards["tiktok"]["media"] == {
        "card": None,
        "video": f"/api/announcements/{announcement.pk}/preview/video?locale=en",
    }
    # Another organisation cannot see it.
    other = Client(HTTP_AUTHORIZATION=f"Bearer {create_api_key(create_organisation())}")
    assert other.get(card["url"]).status_code == 404


def test_a_card_that_cannot_fit_is_a_warning_of_the_preview():
    message = Message(
        organisation="Mairie",
        locale="fr",
        title="Travaux " * 12,
        summary=" ".join(["Rue"] * 900),
        body="",
    )
    card = preview_card(message)
    assert card.error is not None and card.error.code is RenderErrorCode.TOO_LONG


def test_the_video_preview_is_made_once_per_text_with_its_captions(org):
    api = Client(HTTP_AUTHORIZATION=f"Bearer {create_api_key(org)}")
    announcement = create_announcement(org)
    start = f"/api/announcements/{announcement.pk}/preview/video?locale=en"
    asked = api.post(start)
    assert asked.status_code == 202
    job = asked.json()
    status = api.get(f"/api/announcements/{announcement.pk}/preview/video/{job['id']}").json()
    assert status["status"] == "done" and status["progress"] == 1.0
    assert status["vtt"].startswith("WEBVTT") and status["transcript"]
    video = api.get(status["url"])
    assert video["Content-Type"] == "video/mp4" and video.content[4:8] == b"ftyp"
    assert api.get(status["captions_url"]).content.decode() == status["vtt"]
    assert api.post(start).json()["id"] == job["id"]  # the same text: the same video
    assert MediaJob.objects.count() == 1
    other = Client(HTTP_AUTHORIZATION=f"Bearer {create_api_key(create_organisation())}")
    assert other.get(status["url"]).status_code == 404


def test_the_console_compose_preview_shows_the_card_and_makes_the_video(client, org):
    client.force_login(create_user(org, Role.AUTHOR))
    compose = {
        "locale": "fr",
        "title": "Coupure d'eau",
        "summary": "Coupure d'eau mardi de 8 h à 12 h rue des Lilas.",
        "body": "L'eau sera coupée mardi matin.",
        "urgency": "info",
        "preview_locale": "fr",
    }
    html = client.post(reverse("console:preview"), compose).content.decode()
    assert 'data-testid="card-image"' in html and 'loading="lazy"' in html
    src = re.search(r'<img src="([^"]*preview/card\.jpg[^"]*)"', html).group(1)
    image = client.get(src.replace("&amp;", "&"))
    assert image.status_code == 200 and image["Content-Type"] == "image/jpeg"
    assert 'data-testid="make-video"' in html
    made = client.post(reverse("console:preview-video"), {**compose, "card_locale": "fr"})
    asked = made.content.decode()  # its progress, polling until done
    assert "<progress" in asked and 'hx-trigger="every 1s"' in asked
    job = MediaJob.objects.get()
    shown = client.get(re.search(r'hx-get="([^"]+)"', asked).group(1)).content.decode()
    assert 'data-status="done"' in shown and '<track kind="captions"' in shown
    assert (
        client.get(reverse("console:preview-video-file", args=[job.pk, "mp4"])).status_code == 200
    )
