"""The console through Django's test client: compose preview, workflow buttons, dashboard,
subscribers and the weekly notice. The browser test (tests/browser) drives the same pages."""

from __future__ import annotations

import re
import shutil

import pytest
from django.urls import reverse

from gateway.models import Announcement, Citizen, Delivery, DeliveryStatus, Role, Status
from tests.factories import (
    create_announcement,
    create_citizen,
    create_organisation,
    create_user,
)

pytestmark = pytest.mark.django_db(transaction=True)

COMPOSE = {
    "locale": "fr",
    "title": "Coupure d'eau",
    "summary": "Coupure d'eau mardi de 8 h a 12 h rue des Lilas.",
    "body": "L'eau sera coupee mardi matin.",
    "urgency": "info",
    "topics": ["travaux"],
    "contact": "01 23 45 67 89",
    "links": "",
    "preview_locale": "fr",
}


@pytest.fixture
def org():
    return create_organisation(sms_policy="off")


@pytest.fixture
def author(org):
    return create_user(org, Role.AUTHOR)


@pytest.fixture
def approver(org):
    return create_user(org, Role.APPROVER)


def logged_in(client, user):
    client.force_login(user)
    return client


def segments(html: str) -> int:
    return int(re.search(r'data-testid="sms-segments">(\d+)<', html).group(1))


def test_two_towns_previewing_the_same_text_each_get_their_page(client):
    """A preview page is kept by content hash: two organisations in towns of the same name,
    typing the same text, once shared a hash, and the second one's notice image was a 404."""
    for _ in range(2):
        organisation = create_organisation(name="Mairie de Saint-Crieur", city="Saint-Crieur")
        client.force_login(create_user(organisation, Role.AUTHOR))
        html = client.post(reverse("console:preview"), COMPOSE).content.decode()
        url = re.search(r'src="(/console/preview/page/notice/[0-9a-f]{64}\.png)"', html).group(1)
        image = client.get(url)
        assert image.status_code == 200 and image["Content-Type"] == "image/png"


def test_console_needs_a_login(client):
    response = client.get(reverse("console:home"))
    assert response.status_code == 302 and "/console/login/" in response["Location"]


def test_preview_shows_every_form_and_counts_the_curly_apostrophe(client, author):
    logged_in(client, author)
    plain = client.post(reverse("console:preview"), COMPOSE)
    assert plain.status_code == 200
    html = plain.content.decode()
    assert 'data-testid="sms-encoding">GSM-7<' in html
    for card in ("sms", "social-mastodon", "voice", "notice", "letter"):
        assert f'data-testid="{card}"' in html
    assert "data:image/png;base64," not in html  # no inline images on every keystroke
    pages = re.findall(r'src="(/console/preview/page/(?:notice|letter)/[0-9a-f]{64}\.png)"', html)
    assert len(pages) == 2  # the notice and the letter's first page, loaded by URL
    assert all(len(url) < 120 for url in pages)  # the text is not in the URL
    for url in pages:
        image = client.get(url)
        assert image["Content-Type"] == "image/png" and image.content[:4] == b"\x89PNG"
        again = client.get(url)  # kept by content hash
        assert again.content == image.content and again["ETag"] == image["ETag"]
    curly = client.post(
        reverse("console:preview"), {**COMPOSE, "summary": COMPOSE["summary"] + " ’" * 40}
    ).content.decode()
    assert 'data-testid="sms-encoding">UCS-2<' in curly
    assert segments(curly) > segments(html)
    pdfs = re.findall(r'href="(/console/preview/page/(?:notice|letter)/[0-9a-f]{64}\.pdf)"', html)
    assert len(pdfs) == 2  # each thumbnail opens the whole PDF
    assert client.get(pdfs[0])["Content-Type"] == "application/pdf"
    other = create_user(create_organisation(), Role.AUTHOR)
    logged_in(client, other)
    assert client.get(pages[0]).status_code == 404  # another organisation's text: not found
    assert client.get(pdfs[0]).status_code == 404
    assert client.get(pages[0].replace(pages[0][-68:-4], "0" * 64)).status_code == 404


def test_preview_warns_about_missing_translation_length_and_readability(client, org, author):
    for _ in range(2):
        create_citizen(org, language="en")
    logged_in(client, author)
    long_sentence = " ".join(["mot"] * 30) + "."
    html = client.post(
        reverse("console:preview"),
        {**COMPOSE, "body": f"{long_sentence} Anticonstitutionnellement.", "summary": "x" * 2000},
    ).content.decode()
    assert "Pas de traduction en anglais : 2 abonnés la recevront en français." in html
    assert "ne peut pas être produit" in html  # the SMS cannot fit 3 segments
    assert "Phrase de 30 mots" in html and "Anticonstitutionnellement" in html


def test_preview_in_english_uses_the_translation(client, author):
    logged_in(client, author)
    html = client.post(
        reverse("console:preview"),
        {
            **COMPOSE,
            "title_en": "Water cut",
            "summary_en": "Water cut on Tuesday.",
            "body_en": "No water on Tuesday.",
            "preview_locale": "en",
        },
    ).content.decode()
    assert "Water cut on Tuesday." in html and "Pas de traduction" not in html


def test_preview_of_nonsense_data_still_answers(client, author):
    logged_in(client, author)
    html = client.post(
        reverse("console:preview"),
        {"locale": "xx", "urgency": "panic", "preview_locale": "zz", "topics": ["nope"]},
    )
    assert html.status_code == 200 and "the summary is empty" in html.content.decode()


def test_compose_creates_and_submits_then_an_approver_approves(client, author, approver):
    logged_in(client, author)
    response = client.post(reverse("console:compose"), {**COMPOSE, "then": "submit"})
    announcement = Announcement.objects.get()
    assert response.status_code == 302
    assert announcement.status == Status.PENDING_APPROVAL and announcement.author == author
    # The author cannot approve: no button, and the step itself is refused.
    assert "/approve/" not in client.get(response["Location"]).content.decode()
    client.post(reverse("console:act", args=[announcement.pk, "approve"]))
    announcement.refresh_from_db()
    assert announcement.status == Status.PENDING_APPROVAL
    logged_in(client, approver)
    assert "Coupure d" in client.get(reverse("console:approvals")).content.decode()
    client.post(reverse("console:act", args=[announcement.pk, "approve"]))
    announcement.refresh_from_db()
    assert announcement.status == Status.APPROVED and announcement.approver == approver


def test_compose_names_the_missing_field(client, author):
    logged_in(client, author)
    response = client.post(reverse("console:compose"), {**COMPOSE, "title": ""})
    assert response.status_code == 200 and not Announcement.objects.exists()
    assert 'class="field invalid"' in response.content.decode()


def test_authors_have_no_approval_queue(client, author):
    assert logged_in(client, author).get(reverse("console:approvals")).status_code == 403


def test_publish_then_dashboard_counts_deliveries(client, org, author):
    for _ in range(3):
        create_citizen(org)
    announcement = create_announcement(org, author=author)
    logged_in(client, author)
    response = client.post(reverse("console:act", args=[announcement.pk, "publish"]))
    assert response["Location"] == reverse("console:dashboard", args=[announcement.pk])
    sms = Delivery.objects.filter(announcement=announcement, channel="sms", status="delivered")
    assert sms.count() == 3  # the outbox delivers at once; plus the Mastodon post
    html = client.get(response["Location"]).content.decode()
    assert 'data-testid="deliveries"' in html and "<polyline" in html
    assert "4 envois prévus" in html


def test_dashboard_lists_failures_with_their_reason(client, org, author):
    citizen = create_citizen(org)
    announcement = create_announcement(org, author=author)
    Delivery.objects.create(
        announcement=announcement,
        citizen=citizen,
        channel="sms",
        locale="fr",
        status=DeliveryStatus.FAILED,
        last_error="21211 invalid number",
    )
    html = (
        logged_in(client, author)
        .get(reverse("console:dashboard-live", args=[announcement.pk]))
        .content.decode()
    )
    assert "21211 invalid number" in html and citizen.reference in html


def test_schedule_then_only_an_approver_cancels(client, org, author, approver):
    announcement = create_announcement(org, author=author)
    logged_in(client, author)
    client.post(
        reverse("console:act", args=[announcement.pk, "schedule"]), {"when": "2099-01-01T09:00"}
    )
    announcement.refresh_from_db()
    assert announcement.status == Status.SCHEDULED
    page = client.get(reverse("console:announcement", args=[announcement.pk])).content.decode()
    assert 'value="cancel"' not in page and "/cancel/" not in page
    client.post(reverse("console:act", args=[announcement.pk, "cancel"]))
    announcement.refresh_from_db()
    assert announcement.status == Status.SCHEDULED  # refused: authors do not cancel
    logged_in(client, approver)
    asked = client.post(reverse("console:act", args=[announcement.pk, "cancel"]))
    assert asked.url == reverse("console:cancel-confirm", args=[announcement.pk])
    announcement.refresh_from_db()
    assert announcement.status == Status.SCHEDULED  # irreversible: not without confirming
    page = client.get(asked.url).content.decode()
    assert "définitive" in page
    client.post(reverse("console:act", args=[announcement.pk, "cancel"]), {"confirmed": "yes"})
    announcement.refresh_from_db()
    assert announcement.status == Status.CANCELLED


def test_another_organisations_announcement_is_not_found(client, author):
    other = create_announcement(create_organisation())
    assert (
        logged_in(client, author).get(reverse("console:announcement", args=[other.pk])).status_code
        == 404
    )


def test_subscribers_search_masks_phone_numbers(client, org, author):
    citizen, other = create_citizen(org), create_citizen(org)
    Citizen.objects.filter(pk=citizen.pk).update(name="Jeanne Martin")
    Citizen.objects.filter(pk=other.pk).update(name="Paul Durand")
    html = logged_in(client, author).get(reverse("console:subscribers"), {"q": "jeanne"})
    text = html.content.decode()
    assert citizen.reference in text and "Paul Durand" not in text
    assert citizen.phone not in text and citizen.phone[-2:] in text


def test_weekly_notice_is_a_pdf_and_a_bad_week_is_named(client, author):
    logged_in(client, author)
    pdf = client.get(reverse("console:weekly-notice"), {"week": "2026-W47", "locale": "fr"})
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    bad = client.get(reverse("console:weekly-notice"), {"week": "soon"})
    assert bad.status_code == 400 and b"week" in bad.content


def test_pages_are_in_english_when_asked(client, author):
    logged_in(client, author)
    html = client.get(reverse("console:home"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="en" dir="ltr">' in html


@pytest.mark.parametrize("saved", [False, True])
def test_audio_preview_is_a_wav_or_says_why(client, org, author, saved):
    logged_in(client, author)
    if saved:
        announcement = create_announcement(org, author=author)
        url = reverse("console:announcement-audio", args=[announcement.pk]) + "?locale=en"
        response = client.get(url)
    else:
        response = client.get(reverse("console:preview-audio"), COMPOSE)
    if shutil.which("espeak-ng"):
        assert response.status_code == 200 and response["Content-Type"] == "audio/wav"
        assert response.content[:4] == b"RIFF"
    else:
        assert response.status_code == 503 and b"espeak-ng" in response.content


def test_preview_files_older_than_a_day_are_pruned(settings, tmp_path):
    import os
    import time

    from gateway.console.preview import prune_previews
    from gateway.tasks.periodic import prune_previews as task

    settings.MEDIA_DIR = tmp_path
    folder = tmp_path / "preview"
    folder.mkdir()
    old, new = folder / ("a" * 64 + ".png"), folder / ("b" * 64 + ".json")
    old.write_bytes(b"x")
    new.write_bytes(b"{}")
    day_ago = time.time() - 25 * 3600
    os.utime(old, (day_ago, day_ago))
    assert prune_previews() == 1
    assert not old.exists() and new.exists()
    assert task.apply().get() == 0
