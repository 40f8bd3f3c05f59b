"""The agent API: auth, organisation scoping, clear 4xx errors, publish and deliveries."""

from __future__ import annotations

import pytest
from django.test import Client

from gateway.models import Role
from tests.factories import ANNOUNCEMENT, create_api_key, create_citizen, create_organisation

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def org():
    return create_organisation()


@pytest.fixture
def client(org):
    return Client(HTTP_AUTHORIZATION=f"Bearer {create_api_key(org)}")


def post(client, path, data=None):
    return client.post(path, data or {}, content_type="application/json")


@pytest.fixture
def approved(client, org):
    """Submit with the client's key, approve with another member's (nobody approves their own)."""
    approver = Client(HTTP_AUTHORIZATION=f"Bearer {create_api_key(org, Role.APPROVER)}")

    def approve(announcement_id: int) -> int:
        assert post(client, f"/api/announcements/{announcement_id}/submit").status_code == 200
        response = post(approver, f"/api/announcements/{announcement_id}/approve")
        assert response.status_code == 200, response.content
        return announcement_id

    return approve


def test_openapi_is_served():
    schema = Client().get("/api/openapi.json").json()
    assert "/api/announcements" in schema["paths"]
    responses = schema["paths"]["/api/announcements/{announcement_id}/publish"]["post"]
    assert {"202", "404", "409", "422"} <= set(responses["responses"])


@pytest.mark.parametrize("header", [None, "Bearer nope", "Bearer crieur_revoked"])
def test_missing_or_bad_key_is_401(header):
    client = Client(HTTP_AUTHORIZATION=header) if header else Client()
    response = client.get("/api/announcements/1")
    assert response.status_code == 401
    assert response.json() == {"detail": "missing or invalid API key"}


def test_create_preview_publish_and_list_deliveries(client, org, approved):
    create_citizen(org, channels=("sms",))
    create_citizen(org, channels=("voice",), is_mobile=False, language="en")
    created = post(client, "/api/announcements", ANNOUNCEMENT)
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["status"] == "draft" and {t["locale"] for t in body["texts"]} == {"fr", "en"}
    assert body["public_url"].endswith("/v/" + body["verification_code"])

    preview = client.get(f"/api/announcements/{body['id']}/preview?locale=en").json()
    forms = {r["form"]: r for r in preview["renditions"]}
    assert set(forms) == {"sms", "mastodon", "voice", "notice"}
    assert forms["sms"]["meta"]["encoding"] == "GSM-7"
    assert forms["notice"]["text"] is None and forms["notice"]["media_type"] == "application/pdf"

    published = post(client, f"/api/announcements/{approved(body['id'])}/publish")
    assert published.status_code == 202, published.content

    listing = client.get(f"/api/announcements/{body['id']}/deliveries?limit=1").json()
    assert listing["count"] == 3 and len(listing["items"]) == 1
    by_channel = {(c["channel"], c["locale"]): c["status"] for c in listing["counts"]}
    assert by_channel == {
        ("sms", "fr"): "delivered",
        ("voice", "en"): "delivered",
        ("mastodon", "fr"): "delivered",
    }
    item = listing["items"][0]
    assert item["citizen"] is None or item["citizen"].startswith("C")
    assert "+33" not in str(listing)

    again = post(client, f"/api/announcements/{body['id']}/publish")
    assert again.status_code == 409


def test_another_organisations_announcement_is_404(client):
    other = create_organisation()
    other_client = Client(HTTP_AUTHORIZATION=f"Bearer {create_api_key(other)}")
    theirs = post(other_client, "/api/announcements", ANNOUNCEMENT).json()["id"]
    for response in (
        client.get(f"/api/announcements/{theirs}"),
        client.get(f"/api/announcements/{theirs}/preview"),
        post(client, f"/api/announcements/{theirs}/publish"),
        client.get(f"/api/announcements/{theirs}/deliveries"),
    ):
        assert response.status_code == 404


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"title": ""}, "title"),
        ({"urgency": "panic"}, "urgency"),
        ({"links": ["javascript:alert(1)"]}, "links"),
        ({"topics": ["unknown-topic"]}, "topics"),
    ],
)
def test_bad_input_is_422_naming_the_field(client, change, field):
    response = post(client, "/api/announcements", {**ANNOUNCEMENT, **change})
    assert response.status_code == 422, response.content
    assert response.json()["detail"].startswith(field)


def test_malformed_json_is_a_4xx_not_a_500(client):
    response = client.post("/api/announcements", "{not json", content_type="application/json")
    assert 400 <= response.status_code < 500


def test_a_text_too_long_for_sms_is_refused_at_publish_with_the_form(client, org, approved):
    org.sms_max_parts = 1  # even the short form (title and link) cannot fit one SMS
    org.save()
    long = {
        **ANNOUNCEMENT,
        "title": "Travaux " * 20,
        "summary": "Travaux " * 100,
        "translations": {},
    }
    created = post(client, "/api/announcements", long).json()
    response = post(client, f"/api/announcements/{approved(created['id'])}/publish")
    assert response.status_code == 422
    assert response.json()["form"] == "sms"
    assert "SMS" in response.json()["detail"] or "sms" in response.json()["detail"]
    assert client.get(f"/api/announcements/{created['id']}").json()["status"] == "approved"


def test_audio_preview_speaks_the_call_or_says_why_not(client, monkeypatch):
    import shutil

    created = post(client, "/api/announcements", ANNOUNCEMENT).json()
    url = f"/api/announcements/{created['id']}/preview/audio?locale=en"
    if shutil.which("espeak-ng"):
        response = client.get(url)
        assert response.status_code == 200 and response["Content-Type"] == "audio/wav"
        assert response.content[:4] == b"RIFF" and len(response.content) > 10_000
    monkeypatch.setattr("renderers.voice.audio.shutil.which", lambda name: None)
    response = client.get(url)
    assert response.status_code == 503
    assert "espeak-ng" in response.json()["detail"]
