"""Print from the console: the notice (normal, large print, per language), the specimen
letter, the announcement's letters and the week's letters as zips with their manifests."""

from __future__ import annotations

import io
import zipfile
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from gateway.models import Delivery, Role, Status
from tests.factories import create_announcement, create_citizen, create_organisation, create_user

pytestmark = pytest.mark.django_db(transaction=True)


def pdf_text(body: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)


@pytest.fixture
def org():
    return create_organisation(sms_policy="off")


@pytest.fixture
def agent(client, org):
    user = create_user(org, Role.AUTHOR)
    client.force_login(user)
    return user


def published(org, **fields):
    announcement = create_announcement(org, **fields)
    announcement.status = Status.SENT
    announcement.published_at = timezone.now() - timedelta(minutes=5)
    announcement.save()
    return announcement


def test_the_notice_in_each_language_and_in_large_print(client, org, agent):
    announcement = create_announcement(
        org,
        translations={"en": {"title": "Water cut", "summary": "No water.", "body": "No water."}},
    )
    url = reverse("console:notice-pdf", args=[announcement.pk])
    normal = client.get(url, {"locale": "fr"})
    assert normal["Content-Type"] == "application/pdf"
    assert announcement.text("fr").title.split()[0] in pdf_text(normal.content)
    english = client.get(url, {"locale": "en"})
    assert "Water cut" in pdf_text(english.content)
    large = client.get(url, {"locale": "fr", "large": "1"})
    assert len(PdfReader(io.BytesIO(large.content)).pages) >= len(
        PdfReader(io.BytesIO(normal.content)).pages
    )
    assert large.content != normal.content
    thumb = client.get(reverse("console:notice-png", args=[announcement.pk]))
    assert thumb["Content-Type"] == "image/png" and thumb.content[:4] == b"\x89PNG"
    letter = client.get(reverse("console:letter-pdf", args=[announcement.pk]), {"locale": "fr"})
    assert letter["Content-Type"] == "application/pdf"
    page = client.get(reverse("console:announcement", args=[announcement.pk])).content.decode()
    assert f"{url}?locale=en&amp;large=1" in page


def test_the_announcements_letters_as_one_zip_with_the_manifest(client, org, agent):
    announcement = published(org)
    citizens = [create_citizen(org, channels=("post",)) for _ in range(2)]
    for citizen in citizens:
        Delivery.objects.create(
            announcement=announcement, citizen=citizen, channel="post", locale="fr"
        )
    response = client.get(reverse("console:letters-zip", args=[announcement.pk]))
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert {"letters.pdf", "letters.csv", "rejects.csv"} <= set(archive.namelist())
    manifest = archive.read("letters.csv").decode()
    assert all(c.reference in manifest for c in citizens)
    assert len(PdfReader(io.BytesIO(archive.read("letters.pdf"))).pages) >= 2


def test_no_letters_to_print_says_so(client, org, agent):
    announcement = published(org)
    response = client.get(reverse("console:letters-zip", args=[announcement.pk]), follow=True)
    assert "Aucun courrier à imprimer pour cette annonce." in response.content.decode()


def test_the_print_page_and_the_weekly_letters(client, org, agent):
    announcement = published(org)
    create_citizen(org, channels=("post",))
    year, week, _ = timezone.localdate().isocalendar()
    page = client.get(reverse("console:print")).content.decode()
    assert reverse("console:notice-png", args=[announcement.pk]) in page
    assert announcement.text().title in page
    response = client.get(reverse("console:weekly-letters-zip"), {"week": f"{year}-W{week:02d}"})
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert {"letters.pdf", "letters.csv"} <= set(archive.namelist())
    bad = client.get(reverse("console:print"), {"week": "nope"}).content.decode()
    assert "Semaine invalide" in bad


def test_another_organisation_prints_nothing_of_ours(client, agent):
    other = create_announcement(create_organisation())
    for name in ("notice-pdf", "notice-png", "letter-pdf", "letters-zip"):
        assert client.get(reverse(f"console:{name}", args=[other.pk])).status_code == 404
