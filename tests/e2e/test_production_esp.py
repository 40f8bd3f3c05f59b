"""Production end to end for email through an ESP: a real web server and a real `crieur
worker`, the email account configured and tested through the API against the local Mailgun
fake (its send API), an announcement published through the API; Mailgun's signed bounce and
complaint webhooks, posted to the web server at the account's URL with its basic auth,
suspend and withdraw once, and the report counts them."""

from __future__ import annotations

import time

import pytest
import requests

from gateway.celery import app
from gateway.models import Consent, Delivery
from tests.e2e.servers import WebServer, free_port, production_env, worker
from tests.e2e.test_production_accounts import ANNOUNCEMENT, Api, api_key
from tests.factories import create_citizen, create_organisation
from tests.fakes.mailgun import FakeMailgun
from tests.gateway.messaging import FROM

pytestmark = [
    pytest.mark.production,
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True),
]


def address(message) -> str:
    return message["to"][0].rpartition("<")[2].rstrip(">")


def test_email_through_an_esp_and_its_signed_webhooks_through_the_public_interface(tmp_path):
    app.control.purge()
    port = free_port()
    env = production_env(tmp_path / "outbox", f"http://127.0.0.1:{port}")
    with FakeMailgun() as mailgun:
        web = WebServer(env, port).start()
        process = worker(env, tmp_path / "outbox").start()
        try:
            org = create_organisation(name="Mairie de Saint-Crieur")
            admin = Api(web.url, api_key(env, org, "alice", "admin"))
            approver = Api(web.url, api_key(env, org, "maire", "approver"))
            settings = {"from_address": FROM, **mailgun.settings()}
            account = admin(
                "POST", "/api/accounts", {"kind": "email", "settings": settings}, expect=201
            )
            tested = admin("POST", f"/api/accounts/{account['id']}/test", {"to": "agent@b.fr"})
            assert tested["ok"] and "mailgun accepted a test message" in tested["result"]
            mailgun.messages.clear()
            mailed = [
                create_citizen(org, channels=("email",), email=f"habitant{i}@example.fr")
                for i in range(4)
            ]
            created = admin("POST", "/api/announcements", ANNOUNCEMENT, expect=201)
            ann = created["id"]
            admin("POST", f"/api/announcements/{ann}/submit")
            approver("POST", f"/api/announcements/{ann}/approve")
            admin("POST", f"/api/announcements/{ann}/publish", expect=202)
            mine = Delivery.objects.filter(announcement_id=ann, channel="email")
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                if mine.count() == 4 and set(mine.values_list("status", flat=True)) == {"sent"}:
                    break
                time.sleep(0.5)
            assert set(mine.values_list("status", flat=True)) == {"sent"}
            assert sorted(map(address, mailgun.messages)) == sorted(c.email for c in mailed)

            by_to = {address(m): m for m in mailgun.messages}
            hook = f"{web.url}/hooks/email/{account['id']}/mailgun/tracking/"
            user, _, password = mailgun.webhook_secret.partition(":")
            bounce = mailgun.event(by_to["habitant0@example.fr"], "failed")
            complaint = mailgun.event(by_to["habitant1@example.fr"], "complained")
            assert requests.post(hook, json=bounce, timeout=10).status_code == 403
            forged = mailgun.event(by_to["habitant2@example.fr"], "failed", key="guessed")
            refused = requests.post(hook, json=forged, auth=(user, password), timeout=10)
            assert refused.status_code == 403
            for payload in (bounce, complaint, bounce, complaint):  # Mailgun retries
                answer = requests.post(hook, json=payload, auth=(user, password), timeout=10)
                assert answer.status_code == 200
            # (the suppression list is keyed by the server's secret: checked by sending again)
            assert not Consent.objects.get(citizen=mailed[1], channel="email").granted
            assert Consent.objects.get(citizen=mailed[0], channel="email").granted
            report = admin("GET", f"/api/announcements/{ann}/report")
            assert report["email"] == {"bounced": 1, "complained": 1, "unsubscribed": 0}

            mailgun.messages.clear()
            again = admin("POST", "/api/announcements", ANNOUNCEMENT, expect=201)["id"]
            admin("POST", f"/api/announcements/{again}/submit")
            approver("POST", f"/api/announcements/{again}/approve")
            admin("POST", f"/api/announcements/{again}/publish", expect=202)
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline and len(mailgun.messages) < 2:
                time.sleep(0.5)
            time.sleep(1)
            assert sorted(map(address, mailgun.messages)) == [
                "habitant2@example.fr",
                "habitant3@example.fr",
            ]
        finally:
            out = process.stop()
            served = web.stop()
        assert "Traceback" not in out, out
        assert "Traceback" not in served, served
        for secret in (mailgun.api_key, password, mailgun.signing_key, "habitant0@"):
            assert secret not in out + served
