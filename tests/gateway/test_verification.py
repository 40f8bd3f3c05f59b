"""The public page /v/<code>: official text from the archive, language, approval, hashes,
404 for unknown codes, rate limit; and the code on print, SMS links and social posts."""

from __future__ import annotations

import hashlib
import io
import secrets

import pytest
from django.test import Client
from pypdf import PdfReader

from gateway.models import Delivery, Membership, Rendition, Role
from gateway.publishing import approve, publish, submit
from gateway.ratelimit import backend
from tests.factories import create_announcement, create_citizen, create_organisation, create_user

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _fresh_buckets(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    backend.cache_clear()
    yield
    backend.cache_clear()


@pytest.fixture
def published():
    org = create_organisation(name="Mairie de Saint-Crieur")
    create_citizen(org, channels=("sms",))
    author = create_user(org, Role.AUTHOR)
    announcement = create_announcement(org, approved=False, author=author)
    submit(announcement, actor=author)
    approve(announcement, actor=create_user(org, Role.APPROVER))
    publish(announcement, actor=author)
    announcement.refresh_from_db()
    return announcement


def page(code, **headers):
    return Client(**headers).get(f"/v/{code}")


def test_the_page_shows_the_official_text_date_organisation_approval_and_hashes(published):
    response = page(published.verification_code)
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="fr" dir="ltr">' in html
    assert "Coupure d’eau rue des Lilas" in html and "Mairie de Saint-Crieur" in html
    assert "Validée avant publication par une personne chargée de la validation" in html
    assert "user" not in html  # the role, never the person's name
    for rendition in Rendition.objects.filter(announcement=published, locale="fr"):
        assert rendition.sha256 in html
    assert published.verification_code in html


def test_the_visitors_language_is_used_when_a_text_exists(published):
    english = page(published.verification_code, HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.8,fr;q=0.5")
    html = english.content.decode()
    assert '<html lang="en"' in html and "Water cut on Rue des Lilas" in html
    assert "Approved before publication" in html
    assert "Coupure d’eau" not in html
    asked = Client().get(f"/v/{published.verification_code}?lang=fr", HTTP_ACCEPT_LANGUAGE="en")
    assert '<html lang="fr"' in asked.content.decode()
    missing = page(published.verification_code, HTTP_ACCEPT_LANGUAGE="de")
    assert '<html lang="fr"' in missing.content.decode()  # no German text: the source


def test_the_archived_notice_matches_the_hash_on_the_page(published):
    row = Rendition.objects.get(announcement=published, form="notice", locale="fr")
    pdf = Client().get(f"/v/{published.verification_code}/notice-fr.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert hashlib.sha256(pdf.content).hexdigest() == row.sha256
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert published.verification_code in text  # the code is printed on the notice


def test_the_code_ends_the_sms_link_and_the_social_post(published):
    url = f"/v/{published.verification_code}"
    post = Rendition.objects.get(announcement=published, form="mastodon", locale="fr").text
    assert url in post
    # A summary too long for one SMS is sent as its short form: the title and the link.
    org = published.organisation
    org.sms_max_parts = 1
    org.save()
    author = create_user(org, Role.AUTHOR)
    Membership.objects.filter(user=author).update(can_alert=True)
    long = create_announcement(
        org, approved=False, author=author, urgency="urgent", summary="Travaux. " * 40
    )
    publish(long, actor=author)
    sms = Rendition.objects.get(announcement=long, form="sms", locale="fr").text
    link = next(word for word in sms.split() if "/v/" in word)
    assert link.endswith(f"/v/{long.verification_code}")
    assert Delivery.objects.filter(announcement=long, channel="sms").exists()


def test_codes_are_read_loosely_and_unknown_or_unpublished_codes_are_404(published):
    loose = published.verification_code.replace("-", "").lower()
    assert page(loose).status_code == 200
    unknown = page("ZZZZ-ZZZZ")
    assert unknown.status_code == 404 and "Code inconnu" in unknown.content.decode()
    draft = create_announcement(published.organisation, approved=False)
    assert page(draft.verification_code).status_code == 404


def test_an_urgent_alert_says_it_was_published_without_approval():
    org = create_organisation()
    alerter = create_user(org, Role.AUTHOR)
    Membership.objects.filter(user=alerter).update(can_alert=True)
    urgent = create_announcement(org, approved=False, author=alerter, urgency="urgent")
    publish(urgent, actor=alerter)
    html = page(urgent.verification_code).content.decode()
    assert "sans validation préalable" in html


def test_the_page_is_rate_limited_per_address(published, settings):
    from gateway import verification

    code = published.verification_code
    burst = int(verification.PUBLIC.burst)
    # Fresh addresses: with Redis, buckets outlive a test run.
    visitor, other = (f"2001:db8::{secrets.token_hex(2)}:{secrets.token_hex(2)}" for _ in "ab")
    # The bucket refills at CRIEUR_PUBLIC_RATE (1/s) while the loop runs: on a loaded machine a
    # few more pages than the burst may pass before the first refusal, never fewer.
    statuses = [page(code, REMOTE_ADDR=visitor).status_code for _ in range(burst + 10)]
    assert statuses[:burst] == [200] * burst and 429 in statuses[burst:]
    refused = page(code, REMOTE_ADDR=visitor)
    assert int(refused["Retry-After"]) >= 1
    assert page(code, REMOTE_ADDR=other).status_code == 200  # another visitor
