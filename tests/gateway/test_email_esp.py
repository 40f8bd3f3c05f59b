"""Email through an ESP (Mailgun, by django-anymail) against the local Mailgun fake: the
publication goes through its send API, each delivery keeps Mailgun's message id, and the
signed tracking webhook at `/hooks/email/<account>/mailgun/tracking/` suspends bounced
addresses and withdraws the consent of complainers, once, counted in the report. Unsigned or
wrongly signed calls are refused and change nothing."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from gateway.accounts.services import add_account
from gateway.audience import suppression
from gateway.models import AuditEvent, Consent, Delivery
from tests.factories import create_announcement, create_api_key, create_citizen, create_organisation
from tests.fakes.mailgun import FakeMailgun
from tests.gateway.messaging import FROM, publish

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def mailgun():
    with FakeMailgun() as fake:
        yield fake


def esp_account(org, fake: FakeMailgun, **changes):
    return add_account(org, "email", {"from_address": FROM, **fake.settings(), **changes})


def post_event(client, account, payload, *, auth: str | None, esp: str = "mailgun"):
    headers = {"HTTP_AUTHORIZATION": auth} if auth else {}
    return client.post(
        f"/hooks/email/{account.pk}/{esp}/tracking/",
        json.dumps(payload),
        content_type="application/json",
        **headers,
    )


def town(fake):
    org = create_organisation(name="Mairie de Saint-Crieur")
    account = esp_account(org, fake)
    anne = create_citizen(org, channels=("email",), email="anne@example.fr")
    karim = create_citizen(org, channels=("email",), email="karim@example.fr", language="ar")
    return org, account, anne, karim


def test_a_publication_goes_through_the_esp_with_its_unsubscribe_headers(mailgun):
    org, _, anne, karim = town(mailgun)
    announcement = publish(create_announcement(org))
    assert sorted(m["to"][0].rpartition("<")[2].rstrip(">") for m in mailgun.messages) == [
        "anne@example.fr",
        "karim@example.fr",
    ]
    message = mailgun.messages[0]
    assert message["from"] == FROM and message["domain"] == "saint-crieur.example"
    assert message["headers"]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "/u/" in message["headers"]["List-Unsubscribe"]
    assert message["text"] and "<html" in message["html"]
    deliveries = Delivery.objects.filter(announcement=announcement, channel="email")
    assert {d.status for d in deliveries} == {"sent"}
    assert sorted(deliveries.values_list("provider_ref", flat=True)) == sorted(
        m["id"] for m in mailgun.messages
    )


def test_signed_bounces_and_complaints_suspend_and_withdraw_once_and_the_report_counts_them(
    mailgun,
):
    org, account, anne, karim = town(mailgun)
    announcement = publish(create_announcement(org))
    sent = {m["to"][0].rpartition("<")[2].rstrip(">"): m for m in mailgun.messages}
    client = Client()
    bounce = mailgun.event(sent["anne@example.fr"], "failed")
    complaint = mailgun.event(sent["karim@example.fr"], "complained")

    # Unsigned, wrongly signed, without or with the wrong basic auth: 403, nothing changes.
    assert post_event(client, account, bounce, auth=None).status_code == 403
    forged = mailgun.event(sent["anne@example.fr"], "failed", key="not-the-signing-key")
    assert post_event(client, account, forged, auth=mailgun.auth_header()).status_code == 403
    wrong_auth = mailgun.auth_header("mailgun:guessed-password")
    assert post_event(client, account, bounce, auth=wrong_auth).status_code == 403
    other_org = create_organisation(name="Autre mairie")
    other = esp_account(other_org, FakeMailgun())  # its own secrets: they sign nothing here
    assert post_event(client, other, bounce, auth=mailgun.auth_header()).status_code == 403
    assert (
        post_event(client, account, bounce, auth=mailgun.auth_header(), esp="brevo").status_code
        == 403
    )
    assert not suppression.is_suppressed(org, "anne@example.fr", "email")
    assert not AuditEvent.objects.filter(action__startswith="email.").exists()

    for _ in range(2):  # Mailgun retries: the replay changes nothing
        assert post_event(client, account, bounce, auth=mailgun.auth_header()).status_code == 200
        assert post_event(client, account, complaint, auth=mailgun.auth_header()).status_code == 200
    assert suppression.is_suppressed(org, "anne@example.fr", "email")
    assert Consent.objects.get(citizen=anne, channel="email").granted  # suspended, not opted out
    consent = Consent.objects.get(citizen=karim, channel="email")
    assert not consent.granted and "complaint" in consent.evidence
    assert suppression.is_suppressed(org, "karim@example.fr", "email")
    # A soft bounce (temporary) and a delivery report change nothing.
    for event in ("delivered",):
        payload = mailgun.event(sent["karim@example.fr"], event)
        assert post_event(client, account, payload, auth=mailgun.auth_header()).status_code == 200
    soft = mailgun.event(sent["karim@example.fr"], "failed", severity="temporary")
    assert post_event(client, account, soft, auth=mailgun.auth_header()).status_code == 200

    key = create_api_key(org)
    report = (
        Client()
        .get(f"/api/announcements/{announcement.pk}/report", HTTP_AUTHORIZATION=f"Bearer {key}")
        .json()
    )
    assert report["email"] == {"bounced": 1, "complained": 1, "unsubscribed": 0}

    mailgun.messages.clear()
    publish(create_announcement(org))
    assert mailgun.messages == []  # neither address is written to again


def test_an_esp_account_needs_its_keys_and_its_webhook_secret(mailgun):
    from gateway.accounts.services import AccountError

    org = create_organisation()
    for change, words in [
        ({"esp": "laposte"}, "esp must be one of"),
        ({"api_key": ""}, "api_key is empty"),
        ({"webhook_secret": "no-colon"}, "webhook_secret must be user:password"),
        ({"webhook_signing_key": ""}, "webhook_signing_key is empty"),
    ]:
        with pytest.raises(AccountError) as raised:
            esp_account(org, mailgun, **change)
        assert words in str(raised.value)


def test_an_esp_refusal_fails_the_delivery_with_its_code_and_a_bad_key_names_the_account(mailgun):
    org, account, anne, _ = town(mailgun)
    mailgun.api_key = "key-rotated"  # the account's key no longer works
    announcement = publish(create_announcement(org))
    failed = Delivery.objects.filter(announcement=announcement, channel="email")
    assert {d.status for d in failed} == {"failed"}
    assert all("mailgun refused the API key (code 401)" in d.last_error for d in failed)
    assert "anne@example.fr" not in " ".join(d.last_error for d in failed)


def test_accounts_test_sends_a_real_message_through_the_esp(mailgun):
    from gateway.accounts.services import check_account

    org = create_organisation()
    account = esp_account(org, mailgun)
    result = check_account(account, to="agent@saint-crieur.example")
    assert result.ok and "mailgun accepted a test message" in result.result
    assert mailgun.messages[0]["to"] == ["agent@saint-crieur.example"]
    mailgun.api_key = "key-rotated"
    refused = check_account(account, to="agent@saint-crieur.example")
    assert not refused.ok and refused.result == "email: mailgun refused the API key (code 401)"


def test_an_esp_that_only_uses_basic_auth_postmark_soft_bounces_change_nothing():
    org = create_organisation()
    account = add_account(
        org,
        "email",
        {
            "from_address": FROM,
            "esp": "postmark",
            "api_key": "server-token",
            "webhook_secret": "postmark:a-long-random-password",
        },
    )
    anne = create_citizen(org, channels=("email",), email="anne@example.fr")
    karim = create_citizen(org, channels=("email",), email="karim@example.fr")
    announcement = create_announcement(org)
    for citizen, ref in ((anne, "pm-anne"), (karim, "pm-karim")):
        Delivery.objects.create(
            announcement=announcement,
            citizen=citizen,
            channel="email",
            locale="fr",
            status="sent",
            provider_ref=ref,
        )
    auth = FakeMailgun().auth_header("postmark:a-long-random-password")
    client = Client()

    def bounce(ref, kind):
        return {"RecordType": "Bounce", "Type": kind, "MessageID": ref, "ID": 42, "Email": "x"}

    soft = bounce("pm-karim", "SoftBounce")
    assert post_event(client, account, soft, auth=auth, esp="postmark").status_code == 200
    assert not suppression.is_suppressed(org, "karim@example.fr", "email")
    hard = bounce("pm-anne", "HardBounce")
    assert post_event(client, account, hard, auth=None, esp="postmark").status_code == 403
    assert not suppression.is_suppressed(org, "anne@example.fr", "email")
    assert post_event(client, account, hard, auth=auth, esp="postmark").status_code == 200
    assert suppression.is_suppressed(org, "anne@example.fr", "email")
    junk = client.post(
        f"/hooks/email/{account.pk}/postmark/tracking/",
        b"not json",
        content_type="application/json",
        HTTP_AUTHORIZATION=auth,
    )
    assert junk.status_code == 400
    assert AuditEvent.objects.filter(action="email.bounced").count() == 1
