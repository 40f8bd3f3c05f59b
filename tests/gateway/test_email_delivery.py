"""Email through the gateway: a publication reaches a local SMTP server (aiosmtpd) once per
address, in each citizen's language, with a working one-click unsubscribe link; hard bounces
and unsubscriptions keep the address out of later publications."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from gateway.audience import suppression
from gateway.models import AuditEvent, Citizen, Consent, Delivery, UnsubscribeLink
from tests.factories import create_announcement, create_api_key, create_citizen, create_organisation
from tests.fakes.smtp import FakeSMTP
from tests.gateway.messaging import FROM, email_account, publish

pytestmark = pytest.mark.django_db(transaction=True)

ARABIC = {
    "title": "انقطاع المياه في شارع الليلك",
    "summary": "انقطاع المياه يوم الثلاثاء من الساعة 8 إلى 12.",
    "body": "ستنقطع المياه يوم الثلاثاء من الساعة 8 إلى 12.\n\nخزنوا الماء.",
}


@pytest.fixture
def smtp():
    with FakeSMTP(security="starttls", users={"crieur": "mot-de-passe"}) as fake:
        yield fake


def announcement_for(org, **fields):
    translations = {
        "ar": ARABIC,
        "en": {
            "title": "Water cut on Rue des Lilas",
            "summary": "Water cut on Tuesday from 8 am to noon on Rue des Lilas.",
            "body": "Water will be cut on Tuesday from 8 am to noon.\n\nPlease store water.",
        },
    }
    return create_announcement(org, translations=translations, **fields)


def unsubscribe_url(message) -> str:
    header = str(message["List-Unsubscribe"])
    return re.search(r"<(https?://[^>]+)>", header).group(1)


def test_one_message_per_address_in_the_citizens_language_with_one_click_unsubscribe(smtp):
    org = create_organisation(name="Mairie de Saint-Crieur")
    email_account(org, smtp)
    anne = create_citizen(org, channels=("email",), email="anne@example.fr")
    create_citizen(org, channels=("email",), email="Anne@Example.fr")  # same mailbox
    create_citizen(org, channels=("email",), email="karim@example.fr", language="ar")
    publish(announcement_for(org))

    assert sorted(r.rcpt_tos[0].lower() for r in smtp.received) == [
        "anne@example.fr",
        "karim@example.fr",
    ]
    assert {r.login for r in smtp.received} == {"crieur"}
    by_to = {r.rcpt_tos[0]: r.message for r in smtp.received}
    french = by_to["anne@example.fr"]
    assert french["From"] == FROM
    assert french["Subject"] == "Coupure d’eau rue des Lilas"
    assert french["Content-Language"] == "fr"
    assert french["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    text = french.get_body(("plain",)).get_content()
    page = french.get_body(("html",)).get_content()
    url = unsubscribe_url(french)
    assert url.startswith("http://127.0.0.1:8000/u/") and url in text and url in page
    assert "Vérifier l’authenticité" in text and '<html lang="fr" dir="ltr">' in page
    assert "{{crieur_unsubscribe_url}}" not in text + page
    arabic = by_to["karim@example.fr"]
    assert arabic["Content-Language"] == "ar"
    assert arabic["Subject"] == ARABIC["title"]
    assert '<html lang="ar" dir="rtl">' in arabic.get_body(("html",)).get_content()
    assert unsubscribe_url(arabic) != url  # each email its own link
    # Nothing personal in a link: a random token, stored hashed.
    token = url.rsplit("/", 1)[1]
    assert anne.reference not in url and not UnsubscribeLink.objects.filter(digest=token)

    client = Client()
    path = url.removeprefix("http://127.0.0.1:8000")
    page = client.get(path)  # a mail scanner fetching the link changes nothing
    assert page.status_code == 200 and "Me désabonner" in page.content.decode()
    assert Consent.objects.get(citizen=anne, channel="email").granted
    done = client.post(
        path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert done.status_code == 200 and "Désabonnement confirmé" in done.content.decode()
    assert not done.cookies
    consent = Consent.objects.get(citizen=anne, channel="email")
    assert not consent.granted and consent.source == "email"
    assert "one-click" in consent.evidence
    assert suppression.is_suppressed(org, "ANNE@example.fr", "email")
    again = client.post(
        path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert again.status_code == 200
    assert (
        AuditEvent.objects.filter(action="consent.withdrawn", data__citizen=anne.reference).count()
        == 1
    )

    smtp.reset()
    publish(announcement_for(org))
    assert [r.rcpt_tos[0] for r in smtp.received] == ["karim@example.fr"]


def test_the_unsubscribe_page_speaks_the_citizens_language_and_refuses_unknown_links(smtp):
    org = create_organisation()
    email_account(org, smtp)
    create_citizen(org, channels=("email",), email="nour@example.fr", language="ar")
    publish(announcement_for(org))
    path = unsubscribe_url(smtp.received[0].message).removeprefix("http://127.0.0.1:8000")
    page = Client().get(path).content.decode()
    assert 'lang="ar" dir="rtl"' in page
    unknown = Client().get("/u/not-a-token", HTTP_ACCEPT_LANGUAGE="en")
    assert unknown.status_code == 404
    assert "not valid" in unknown.content.decode()


def test_a_refused_mailbox_is_a_hard_bounce_suspends_the_address_and_falls_back(smtp, settings):
    org = create_organisation()
    smtp.unknown = {"parti@example.fr"}
    email_account(org, smtp)
    gone = create_citizen(
        org, channels=("email", "sms"), email="parti@example.fr", phone="+33612345001"
    )
    announcement = publish(announcement_for(org))
    email = Delivery.objects.get(announcement=announcement, channel="email")
    assert email.status == "failed" and "5.1.1" in email.last_error
    assert suppression.is_suppressed(org, gone.email, "email")
    assert Delivery.objects.get(announcement=announcement, citizen=gone, channel="sms").status in (
        "sent",
        "delivered",
    )
    key = create_api_key(org)
    report = (
        Client()
        .get(f"/api/announcements/{announcement.pk}/report", HTTP_AUTHORIZATION=f"Bearer {key}")
        .json()
    )
    assert report["email"] == {"bounced": 1, "complained": 0, "unsubscribed": 0}
    # The next publication does not write to that address again.
    smtp.reset()
    publish(announcement_for(org))
    assert smtp.received == []


def test_an_address_that_left_is_not_given_back_its_consent_by_an_agent(smtp):
    org = create_organisation()
    email_account(org, smtp)
    citizen = create_citizen(org, channels=("email",), email="lea@example.fr")
    publish(announcement_for(org))
    path = unsubscribe_url(smtp.received[0].message).removeprefix("http://127.0.0.1:8000")
    Client().post(path, {"confirm": "1"})
    key = create_api_key(org)
    # An agent enters the same address for a new citizen: the opt-out is kept.
    created = Client().post(
        "/api/citizens",
        {"name": "Léa", "email": "LEA@example.fr", "channels": ["email"]},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {key}",
    )
    assert created.status_code == 201, created.content
    assert created.json()["consents"] == {"email": False}
    assert Consent.objects.get(citizen=citizen, channel="email").granted is False


def test_email_needs_a_valid_address(smtp):
    org = create_organisation()
    key = create_api_key(org)
    refused = Client().post(
        "/api/citizens",
        {"name": "Paul", "email": "pas-une-adresse", "channels": ["email"]},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {key}",
    )
    assert refused.status_code == 422
    assert refused.json()["detail"] == "email: not a valid email address"
    missing = Client().post(
        "/api/citizens",
        {"name": "Paul", "channels": ["email"]},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {key}",
    )
    assert missing.json()["detail"] == "email: required for the email channel"


@pytest.mark.usefixtures("fresh_buckets")
def test_online_the_email_consent_waits_for_the_link_sent_to_the_address(smtp, settings):
    org = create_organisation(name="Mairie de Saint-Crieur")
    email_account(org, smtp)
    client = Client()
    form = {
        "name": "Anne Dupont",
        "phone": "06 12 34 56 78",
        "email": "anne@example.fr",
        "channels": ["email", "whatsapp"],
        "language": "fr",
        "consent": "yes",
    }
    assert client.post("/inscription/", form).status_code == 302
    (code_file,) = (settings.OUTBOX_DIR / "sms").glob("*.txt")
    code = re.search(r"\d{6}", code_file.read_text())[0]
    done = client.post("/inscription/code/", {"code": code})
    assert "Un lien de confirmation a été envoyé à anne@example.fr" in done.content.decode()
    citizen = Citizen.objects.get(email="anne@example.fr")
    assert Consent.objects.get(citizen=citizen, channel="whatsapp").granted
    assert not Consent.objects.filter(citizen=citizen, channel="email").exists()
    (mail,) = smtp.received
    text = mail.message.get_body(("plain",)).get_content()
    link = re.search(r"http://127\.0\.0\.1:8000(/inscription/courriel/\S+/)", text).group(1)
    assert "Confirmer mon adresse" in Client().get(link).content.decode()  # a scanner: nothing
    assert not Consent.objects.filter(citizen=citizen, channel="email").exists()
    confirmed = Client().post(link)
    assert "Adresse confirmée" in confirmed.content.decode()
    consent = Consent.objects.get(citizen=citizen, channel="email")
    assert (
        consent.granted and consent.source == "web" and "confirmed by its link" in consent.evidence
    )
    citizen.refresh_from_db()
    assert citizen.email_confirmed_at is not None and citizen.channels == ["email", "whatsapp"]
    assert Client().post(link).status_code == 410  # used once


def test_the_csv_import_takes_email_and_whatsapp(smtp):
    from gateway.audience.importer import import_citizens

    org = create_organisation()
    report = import_citizens(
        org,
        "reference,name,phone,email,channels\n"
        "C-1,Anne,06 12 34 56 78,anne@example.fr,email whatsapp\n"
        "C-2,Paul,,,whatsapp\n",
        source_name="t.csv",
    )
    assert report.problems == [(3, "phone", "required for the whatsapp channel")]
    report = import_citizens(
        org,
        "reference,name,phone,email,channels\n"
        "C-1,Anne,06 12 34 56 78,anne@example.fr,email whatsapp\n",
        source_name="t.csv",
    )
    assert report.created == 1
    assert report.lines[0].changes["email"] == {"before": "", "after": "a•••@example.fr"}
    citizen = Citizen.objects.get(reference="C-1")
    assert dict(citizen.consents.values_list("channel", "granted")) == {
        "email": True,
        "whatsapp": True,
    }
