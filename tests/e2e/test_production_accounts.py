"""Production end to end: a real web server and a real `crieur worker` (PostgreSQL + Redis in CI,
the newcomer default elsewhere), one organisation configured through the public interfaces with
an account of every kind aimed at local fakes that check the wire format, an urgent
announcement published through the API, and what each fake received, exactly.
"""

from __future__ import annotations

import json
import time
import urllib.request
from contextlib import ExitStack
from decimal import Decimal

import pytest
import requests
from lxml import etree
from pypdf import PdfReader
from twilio.request_validator import RequestValidator

from gateway.celery import app
from gateway.models import Delivery
from tests.e2e.servers import WebServer, crieur, free_port, production_env, worker
from tests.factories import create_citizen, create_organisation
from tests.fakes.social import FakeBluesky, FakeFacebook, FakeMastodon, FakeX
from tests.fakes.twilio import FakeTwilio

pytestmark = [
    pytest.mark.production,
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True),
]

SENDER_A, SENDER_B = "+33700000101", "+33700000202"
SMS_PRICE, CALL_PRICE = Decimal("0.0725"), Decimal("0.0130")

ANNOUNCEMENT = {
    "locale": "fr",
    "urgency": "urgent",
    "title": "Alerte crue de la Loire",
    "summary": "Crue de la Loire : évacuez les quais bas avant 18 h. Consignes sur le site.",
    "body": "La Loire monte. Quittez les quais bas avant 18 h.\n\nUn gymnase est ouvert.",
    "topics": ["eau"],
    "translations": {
        "en": {
            "title": "Loire flood alert",
            "summary": "Loire flood: leave the low quays before 6 pm. Instructions online.",
            "body": "The Loire is rising. Leave the low quays before 6 pm.\n\nA gym is open.",
        }
    },
}


class Api:
    def __init__(self, url: str, key: str) -> None:
        self.url, self.headers = url, {"Authorization": f"Bearer {key}"}

    def __call__(self, method: str, path: str, body=None, expect: int = 200):
        response = requests.request(
            method, self.url + path, json=body, headers=self.headers, timeout=30
        )
        assert response.status_code == expect, (method, path, response.text)
        return response.json()


def api_key(env, org, user: str, role: str) -> str:
    done = crieur(env, "apikey", "create", "--org", org.slug, "--user", user, "--role", role)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


@pytest.fixture
def fakes():
    twilio = {"prices": {"sms": str(SMS_PRICE), "call": str(CALL_PRICE)}, "price_unit": "EUR"}
    with ExitStack() as stack:
        yield {
            "twilio_a": stack.enter_context(
                FakeTwilio(
                    account_sid="AC" + "a" * 32,
                    auth_token="twilio-token-a",
                    numbers={SENDER_A},
                    auto_callbacks=True,
                    **twilio,
                )
            ),
            "twilio_b": stack.enter_context(
                FakeTwilio(
                    account_sid="AC" + "b" * 32,
                    auth_token="twilio-token-b",
                    numbers={SENDER_B},
                    auto_callbacks=True,
                    **twilio,
                )
            ),
            "mastodon_a": stack.enter_context(FakeMastodon(token="mastodon-token-a")),
            "mastodon_b": stack.enter_context(FakeMastodon(token="mastodon-token-b")),
            "bluesky_a": stack.enter_context(FakeBluesky("mairie-a.example", "bsky-pass-a")),
            "x_a": stack.enter_context(FakeX(token="x-token-a")),
            "facebook_a": stack.enter_context(FakeFacebook("1234567890", "fb-token-a")),
        }


@pytest.fixture
def deployment(tmp_path, fakes):
    app.control.purge()
    port = free_port()
    env = production_env(tmp_path / "outbox", f"http://127.0.0.1:{port}")
    web = WebServer(env, port).start()
    process = worker(env, tmp_path / "outbox").start()
    yield env, web
    out = process.stop()
    served = web.stop()
    assert "Traceback" not in out, out
    assert "Traceback" not in served, served


def account_settings(fakes) -> list[dict]:
    return [
        {
            "kind": "twilio",
            "label": "Standard de la mairie",
            "settings": {
                "account_sid": fakes["twilio_a"].account_sid,
                "auth_token": fakes["twilio_a"].auth_token,
                "from_number": SENDER_A,
                "base_url": fakes["twilio_a"].base_url,
            },
        },
        {
            "kind": "mastodon",
            "settings": {
                "base_url": fakes["mastodon_a"].base_url,
                "access_token": "mastodon-token-a",
            },
        },
        {
            "kind": "bluesky",
            "locale": "en",
            "settings": {
                "handle": "mairie-a.example",
                "app_password": "bsky-pass-a",
                "base_url": fakes["bluesky_a"].base_url,
            },
        },
        {"kind": "x", "settings": {"access_token": "x-token-a", "base_url": fakes["x_a"].base_url}},
        {
            "kind": "facebook",
            "settings": {
                "page_id": "1234567890",
                "page_token": "fb-token-a",
                "base_url": fakes["facebook_a"].base_url,
            },
        },
    ]


def wait_for(api, announcement_id: int, priced: int, timeout: float = 180.0) -> dict:
    deadline = time.monotonic() + timeout
    report = {}
    while time.monotonic() < deadline:
        report = api("GET", f"/api/announcements/{announcement_id}/report")
        if report["status"] == "sent" and report["costs"]["priced"] >= priced:
            return report
        time.sleep(0.5)
    raise AssertionError(f"not done after {timeout} s: {json.dumps(report)[:2000]}")


def test_one_organisation_with_every_kind_of_account(deployment, fakes, tmp_path):
    env, web = deployment
    ours = create_organisation(name="Mairie de Saint-Crieur", currency="EUR")
    theirs = create_organisation(name="Mairie voisine")
    # Ours: texts (two citizens share a phone), calls (one in English), letters.
    texted = [create_citizen(ours, channels=("sms",)) for _ in range(3)]
    create_citizen(ours, channels=("sms",), phone=texted[0].phone)
    called = [
        create_citizen(ours, channels=("voice",), is_mobile=False, phone="+33140000101"),
        create_citizen(
            ours, channels=("voice",), is_mobile=False, phone="+33140000102", language="en"
        ),
    ]
    posted = [create_citizen(ours, channels=("post",)) for _ in range(2)]
    create_citizen(theirs, channels=("sms",), phone="+33699000001")

    # Configured through the public interfaces: the API for ours, the CLI for theirs.
    admin = Api(web.url, api_key(env, ours, "alice", "admin"))
    approver = Api(web.url, api_key(env, ours, "maire", "approver"))
    accounts = {}
    for body in account_settings(fakes):
        created = admin("POST", "/api/accounts", body, expect=201)
        assert all(body["settings"][k] not in json.dumps(created) for k in created["secrets"])
        tested = admin("POST", f"/api/accounts/{created['id']}/test", {})
        assert tested["ok"] is True, tested
        accounts[body["kind"]] = created["id"]
    for kind, values in (
        (
            "twilio",
            [
                f"account_sid={fakes['twilio_b'].account_sid}",
                f"auth_token={fakes['twilio_b'].auth_token}",
                f"from_number={SENDER_B}",
                f"base_url={fakes['twilio_b'].base_url}",
            ],
        ),
        (
            "mastodon",
            [f"base_url={fakes['mastodon_b'].base_url}", "access_token=mastodon-token-b"],
        ),
    ):
        done = crieur(env, "accounts", "add", "--org", theirs.slug, "--kind", kind, *values)
        assert done.returncode == 0, done.stderr
        tested = crieur(env, "accounts", "test", done.stdout.strip())
        assert tested.returncode == 0, tested.stderr
    for fake in fakes.values():  # what the tests did is not what publishing must do
        fake.reset() if hasattr(fake, "reset") else fake.requests.clear()

    # An urgent announcement, written, approved and published through the API.
    created = admin("POST", "/api/announcements", ANNOUNCEMENT, expect=201)
    ann = created["id"]
    preview = admin("GET", f"/api/announcements/{ann}/preview")
    assert sorted(card["account"] for card in preview["accounts"]) == sorted(
        accounts[k] for k in ("mastodon", "bluesky", "x", "facebook")
    )
    admin("POST", f"/api/announcements/{ann}/submit")
    approver("POST", f"/api/announcements/{ann}/approve")
    admin("POST", f"/api/announcements/{ann}/publish", expect=202)
    report = wait_for(admin, ann, priced=len(texted) + len(called))

    # Twilio: one SMS per phone, one call per voice citizen, from our own number.
    twilio = fakes["twilio_a"]
    assert twilio.count_by_to() == {c.phone: 1 for c in texted}
    assert {m["from"] for m in twilio.messages} == {SENDER_A}
    assert all("Crue de la Loire" in m["body"] for m in twilio.messages)
    assert sorted(c["to"] for c in twilio.calls) == sorted(c.phone for c in called)
    assert {c["from"] for c in twilio.calls} == {SENDER_A}
    call = twilio.calls[0]
    assert call["_url"].startswith(f"{web.url}/hooks/twilio/voice/")
    params = {"CallSid": call["sid"], "AnsweredBy": "human"}
    signature = RequestValidator(twilio.auth_token).compute_signature(call["_url"], params)
    twiml = requests.post(call["_url"], data=params, headers={"X-Twilio-Signature": signature})
    assert twiml.status_code == 200 and etree.fromstring(twiml.content).find("Gather") is not None

    # One post per social account, in the account's language.
    assert [p["language"] for p in fakes["mastodon_a"].posts] == ["fr"]
    assert fakes["mastodon_a"].posts[0]["text"].startswith("ALERTE : Crue de la Loire")
    assert len(fakes["bluesky_a"].posts) == 1
    assert fakes["bluesky_a"].posts[0]["text"].startswith("ALERT: Loire flood")
    assert fakes["bluesky_a"].posts[0]["langs"] == ["en"]
    assert [p["text"][:26] for p in fakes["x_a"].posts] == [
        "ALERTE : Crue de la Loire\u00a0"
    ]  # " :" kept together
    assert len(fakes["facebook_a"].posts) == 1
    assert "Un gymnase est ouvert." in fakes["facebook_a"].posts[0]["message"]
    posts = Delivery.objects.filter(announcement_id=ann, citizen__isnull=True)
    assert sorted(posts.values_list("account_id", "status")) == sorted(
        (accounts[k], "sent") for k in ("mastodon", "bluesky", "x", "facebook")
    )

    # Letters printed for the postal citizens (urgent: at once).
    printed = "".join(p.read_text() for p in (tmp_path / "outbox").rglob("letters*.csv"))
    assert sorted(c.reference for c in posted if c.reference in printed) == sorted(
        c.reference for c in posted
    )
    (letters,) = (tmp_path / "outbox" / "print").rglob("letters.pdf")
    assert len(PdfReader(letters).pages) >= len(posted)

    # The other organisation's accounts received nothing.
    assert fakes["twilio_b"].messages == [] and fakes["twilio_b"].calls == []
    assert fakes["mastodon_b"].posts == []

    # The report shows what the fake Twilio charged.
    charged = SMS_PRICE * len(texted) + CALL_PRICE * len(called)
    assert Decimal(report["costs"]["actual"]) == charged
    assert Decimal(report["cost"]) == charged
    by_channel = {line["key"]: line for line in report["costs"]["by"]["channel"]}
    assert Decimal(by_channel["sms"]["actual"]) == SMS_PRICE * len(texted)
    assert Decimal(by_channel["voice"]["actual"]) == CALL_PRICE * len(called)
    assert by_channel["mastodon"]["actual"] == "0"
    with urllib.request.urlopen(f"{web.url}/v/{created['verification_code']}") as page:
        assert page.status == 200  # the public page the posts link to
