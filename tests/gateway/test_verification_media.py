"""The card, the video, its captions and transcript under /v/<code>: archived bytes, immutable
caching by SHA-256, HTTP ranges, and the page showing them accessibly."""

from __future__ import annotations

import hashlib
import io

import pytest
from django.db import transaction
from django.test import Client
from PIL import Image

from gateway.models import Rendition
from gateway.publishing import publish
from gateway.ratelimit import backend
from tests.factories import create_account, create_announcement, create_organisation
from tests.fakes.visual import FakeFacebookMedia, FakeMastodonMedia

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _fresh_buckets():
    backend.cache_clear()
    yield
    backend.cache_clear()


@pytest.fixture
def announcement(settings, tmp_path):
    """Published by an organisation whose Facebook page posts the video and whose Mastodon
    account posts the card."""
    settings.MEDIA_DIR = tmp_path / "media"
    org = create_organisation(name="Mairie de Saint-Crieur")
    with FakeFacebookMedia("1234", "fb-token") as page, FakeMastodonMedia(token="t") as toots:
        facebook = {"page_id": "1234", "page_token": "fb-token", "attach_video": "yes"}
        create_account(org, "facebook", {**facebook, "base_url": page.base_url})
        mastodon = {"base_url": toots.base_url, "access_token": "t", "attach_image": "yes"}
        create_account(org, "mastodon", mastodon)
        announcement = create_announcement(org)
        with transaction.atomic():
            publish(announcement)
        assert [p.get("video") for p in page.posts] == [True] and len(toots.posts) == 1
    announcement.refresh_from_db()
    return announcement


def archived(announcement, form, locale="fr") -> Rendition:
    return Rendition.objects.get(announcement=announcement, form=form, locale=locale)


def test_the_files_are_the_archived_bytes_cached_for_ever_by_their_hash(announcement):
    client, code = Client(), announcement.verification_code
    for name, form, size in (
        ("card.jpg", "card", (1080, 1350)),
        ("card-square.jpg", "card-square", (1080, 1080)),
    ):
        row = archived(announcement, form)
        response = client.get(f"/v/{code}/{name}")
        data = b"".join(response.streaming_content)
        assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
        assert data == bytes(row.data) and hashlib.sha256(data).hexdigest() == row.sha256
        assert response["ETag"] == f'"{row.sha256}"'
        assert "immutable" in response["Cache-Control"]
        assert Image.open(io.BytesIO(data)).size == size
        again = client.get(f"/v/{code}/{name}", HTTP_IF_NONE_MATCH=f'"{row.sha256}"')
        assert again.status_code == 304 and again.content == b""
    # The same code written loosely, and an explicit language.
    assert client.get(f"/v/{code.lower().replace('-', '')}/card.jpg?lang=fr").status_code == 200
    assert client.get(f"/v/{code}/card.jpg?lang=en").status_code == 404  # no English post
    assert client.get(f"/v/{code}/poster.jpg").status_code == 404
    assert client.get("/v/ZZZZ-ZZZZ/card.jpg").status_code == 404


def test_the_video_is_served_by_ranges(announcement):
    client, code = Client(), announcement.verification_code
    row = archived(announcement, "video")
    data = bytes(row.data)
    whole = client.get(f"/v/{code}/video.mp4")
    assert whole.status_code == 200 and whole["Accept-Ranges"] == "bytes"
    assert whole["Content-Type"] == "video/mp4"
    assert b"".join(whole.streaming_content) == data
    first = client.get(f"/v/{code}/video.mp4", HTTP_RANGE="bytes=0-99")
    assert first.status_code == 206 and first.content == data[:100]
    assert first["Content-Range"] == f"bytes 0-99/{len(data)}"
    tail = client.get(f"/v/{code}/video.mp4", HTTP_RANGE="bytes=-10")
    assert tail.status_code == 206 and tail.content == data[-10:]
    middle = client.get(f"/v/{code}/video.mp4", HTTP_RANGE=f"bytes={len(data) - 5}-")
    assert middle.content == data[-5:]
    beyond = client.get(f"/v/{code}/video.mp4", HTTP_RANGE=f"bytes={len(data)}-")
    assert beyond.status_code == 416 and beyond["Content-Range"] == f"bytes */{len(data)}"
    # A range of another version of the file (If-Range does not match): the whole file.
    stale = client.get(f"/v/{code}/video.mp4", HTTP_RANGE="bytes=0-9", HTTP_IF_RANGE='"old"')
    assert stale.status_code == 200


def test_captions_and_transcript(announcement):
    client, code = Client(), announcement.verification_code
    row = archived(announcement, "video")
    vtt = client.get(f"/v/{code}/captions.fr.vtt")
    assert vtt.status_code == 200 and vtt["Content-Type"] == "text/vtt; charset=utf-8"
    assert vtt.content.decode() == row.meta["vtt"] and vtt.content.startswith(b"WEBVTT")
    assert "immutable" in vtt["Cache-Control"]
    text = client.get(f"/v/{code}/transcript.fr.txt")
    assert text["Content-Type"] == "text/plain; charset=utf-8"
    assert text.content.decode() == row.meta["transcript"]
    assert client.get(f"/v/{code}/captions.en.vtt").status_code == 404


def test_the_page_shows_the_card_with_its_alt_text_the_video_its_captions_and_transcript(
    announcement,
):
    code = announcement.verification_code
    page = Client().get(f"/v/{code}").content.decode()
    card, video = archived(announcement, "card"), archived(announcement, "video")
    assert f'src="/v/{code}/card.jpg?lang=fr"' in page
    assert f'alt="{card.meta["alt"]}"' in page
    assert f'<source src="/v/{code}/video.mp4?lang=fr" type="video/mp4">' in page
    assert f'<track kind="captions" src="/v/{code}/captions.fr.vtt" srclang="fr"' in page
    first_line = video.meta["transcript"].splitlines()[0]
    assert f"<p>{first_line}</p>" in page.replace("&#x27;", "'")
    assert card.sha256 in page and video.sha256 in page
