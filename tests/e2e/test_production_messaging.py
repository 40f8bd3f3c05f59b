"""Production end to end for WhatsApp and email: a real web server and a real `crieur worker`,
the accounts configured and tested through the API against the local fakes, an announcement
published through the API; Meta's signed status webhooks reach the web server, every number
gets one WhatsApp message and every address one email, whose one-click link unsubscribes."""

from __future__ import annotations

import re
import time
from datetime import timedelta

import pytest
import requests
from django.utils import timezone

from gateway.celery import app
from gateway.models import Consent, Delivery
from tests.e2e.servers import WebServer, free_port, production_env, worker
from tests.e2e.test_production_accounts import ANNOUNCEMENT, Api, api_key
from tests.factories import create_citizen, create_organisation
from tests.fakes.smtp import FakeSMTP
from tests.fakes.whatsapp import FakeWhatsApp
from tests.gateway.messaging import FROM, TEMPLATES

pytestmark = [
    pytest.mark.production,
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True),
]


def test_whatsapp_and_email_accounts_through_the_public_interface(tmp_path):
    app.control.purge()
    port = free_port()
    env = production_env(tmp_path / "outbox", f"http://127.0.0.1:{port}")
    with (
        FakeWhatsApp(
            templates=list(TEMPLATES),
            webhook_url=f"http://127.0.0.1:{port}/hooks/whatsapp",
            auto_statuses=True,
            pair_interval=0,
        ) as meta,
        FakeSMTP(security="starttls", users={"crieur": "mot-de-passe"}) as smtp,
    ):
        web = WebServer(env, port).start()
        process = worker(env, tmp_path / "outbox").start()
        try:
            org = create_organisation(name="Mairie de Saint-Crieur")
            admin = Api(web.url, api_key(env, org, "alice", "admin"))
            approver = Api(web.url, api_key(env, org, "maire", "approver"))
            whatsapp = admin(
                "POST",
                "/api/accounts",
                {"kind": "whatsapp", "label": "WhatsApp de la mairie", "settings": meta.settings()},
                expect=201,
            )
            tested = admin("POST", f"/api/accounts/{whatsapp['id']}/test", {})
            assert tested["ok"] and "crieur_annonce (fr) APPROVED UTILITY" in tested["result"]
            email = admin(
                "POST",
                "/api/accounts",
                {
                    "kind": "email",
                    "settings": {
                        "host": smtp.host,
                        "port": smtp.port,
                        "from_address": FROM,
                        "username": "crieur",
                        "password": "mot-de-passe",
                        "ca_file": smtp.ca_file,
                    },
                },
                expect=201,
            )
            assert admin("POST", f"/api/accounts/{email['id']}/test", {"to": "a@b.fr"})["ok"]
            handshake = requests.get(
                f"{web.url}/hooks/whatsapp",
                params={
                    "hub.mode": "subscribe",
                    "hub.challenge": "42",
                    "hub.verify_token": meta.verify_token,
                },
                timeout=10,
            )
            assert handshake.text == "42"
            forged = requests.post(f"{web.url}/hooks/whatsapp", json={"object": "x"}, timeout=10)
            assert forged.status_code == 403
            meta.reset()
            smtp.reset()

            chatting = create_citizen(
                org,
                channels=("whatsapp",),
                phone="+33612349001",
                whatsapp_window_until=timezone.now() + timedelta(hours=5),
            )
            meta.open_window(chatting.phone)  # it wrote to the number: Meta knows too
            others = [
                create_citizen(org, channels=("whatsapp",), phone=f"+3361234910{i}")
                for i in range(3)
            ]
            mailed = [
                create_citizen(org, channels=("email",), email=f"habitant{i}@example.fr")
                for i in range(3)
            ]
            created = admin("POST", "/api/announcements", ANNOUNCEMENT, expect=201)
            ann = created["id"]
            admin("POST", f"/api/announcements/{ann}/submit")
            approver("POST", f"/api/announcements/{ann}/approve")
            admin("POST", f"/api/announcements/{ann}/publish", expect=202)
            deadline = time.monotonic() + 120
            mine = Delivery.objects.filter(announcement_id=ann, citizen__isnull=False)
            while time.monotonic() < deadline:
                statuses = set(mine.values_list("channel", "status"))
                if statuses == {("whatsapp", "delivered"), ("email", "sent")}:
                    break
                time.sleep(0.5)
            assert statuses == {("whatsapp", "delivered"), ("email", "sent")}

            assert sorted(m["to"] for m in meta.messages) == sorted(
                c.phone for c in [chatting, *others]
            )
            kinds = {m["to"]: m["type"] for m in meta.messages}
            assert kinds[chatting.phone] == "text" and kinds[others[0].phone] == "template"
            assert set(meta.webhook_results) == {200}
            assert sorted(r.rcpt_tos[0] for r in smtp.received) == sorted(c.email for c in mailed)
            message = smtp.received[0].message
            url = re.search(r"<(http[^>]+/u/[^>]+)>", str(message["List-Unsubscribe"])).group(1)
            done = requests.post(url, data={"List-Unsubscribe": "One-Click"}, timeout=10)
            assert done.status_code == 200 and not done.cookies
            who = smtp.received[0].rcpt_tos[0]
            consent = Consent.objects.get(citizen__email=who, channel="email")
            assert not consent.granted and "one-click" in consent.evidence
        finally:
            out = process.stop()
            served = web.stop()
        assert "Traceback" not in out, out
        assert "Traceback" not in served, served
