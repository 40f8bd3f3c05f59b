"""Topics, areas, replies, organisation settings, API keys; 413 and clear 422s."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from gateway.models import ApiKey, AuditEvent, InboundMessage
from tests.factories import create_announcement, create_citizen, create_organisation, create_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def org():
    return create_organisation()


@pytest.fixture
def admin(org):
    return Client(HTTP_AUTHORIZATION=f"Bearer {ApiKey.issue(org, create_user(org), 'a')[1]}")


def send(client, method, path, data):
    return getattr(client, method)(path, json.dumps(data), content_type="application/json")


def test_topics_and_areas_are_listed_created_and_renamed_by_admins(admin):
    assert [t["slug"] for t in admin.get("/api/topics").json()] == ["eau", "travaux"]
    created = send(admin, "post", "/api/topics", {"slug": "ecole", "name": "École"})
    assert created.status_code == 201, created.content
    again = send(admin, "post", "/api/topics", {"slug": "ecole", "name": "École"})
    assert again.status_code == 409 and again.json()["detail"].startswith("slug")
    bad = send(admin, "post", "/api/topics", {"slug": "Pas Un Slug", "name": "x"})
    assert bad.status_code == 422 and bad.json()["detail"].startswith("slug")
    renamed = send(
        admin, "patch", f"/api/topics/{created.json()['id']}", {"keywords": ["ECOLE", "SCHOOL"]}
    )
    assert renamed.json()["keywords"] == ["ECOLE", "SCHOOL"]
    event = AuditEvent.objects.get(action="topic.edited")
    assert event.data == {"before": {"keywords": []}, "after": {"keywords": ["ECOLE", "SCHOOL"]}}
    area = send(admin, "post", "/api/areas", {"slug": "sud", "name": "Sud"}).json()
    assert (
        send(admin, "patch", f"/api/areas/{area['id']}", {"name": "Quartier sud"}).json()["name"]
        == "Quartier sud"
    )


def test_organisation_settings_are_read_and_changed_with_an_audit(admin, org):
    assert admin.get("/api/organisation").json()["slug"] == org.slug
    changed = send(
        admin, "patch", "/api/organisation", {"sms_signature": "Mairie", "sms_max_parts": 2}
    )
    assert changed.status_code == 200 and changed.json()["sms_max_parts"] == 2
    event = AuditEvent.objects.get(action="organisation.edited")
    assert event.data["before"]["sms_max_parts"] == 3 and event.data["after"]["sms_max_parts"] == 2
    for change, field in [
        ({"timezone": "Europe/Atlantis"}, "timezone"),
        ({"sms_prices": {"FR": "cher"}}, "sms_prices"),
        ({"sms_policy": "maximum"}, "sms_policy"),
        ({"sms_max_parts": 0}, "sms_max_parts"),
    ]:
        refused = send(admin, "patch", "/api/organisation", change)
        assert refused.status_code == 422 and refused.json()["detail"].startswith(field), change


def test_replies_are_listed_by_citizen_reference_never_by_number(admin, org):
    citizen = create_citizen(org, phone="+33612345678")
    announcement = create_announcement(org)
    InboundMessage.objects.create(
        organisation=org, citizen=citizen, announcement=announcement, body="OUI", keyword="OUI"
    )
    InboundMessage.objects.create(organisation=org, body="STOP", keyword="STOP")
    other = create_organisation()
    InboundMessage.objects.create(organisation=other, body="AUTRE")
    listing = admin.get("/api/replies?limit=10").json()
    assert listing["count"] == 2
    assert "+336" not in json.dumps(listing)
    only = admin.get(f"/api/replies?announcement={announcement.pk}").json()["items"]
    assert [(r["citizen"], r["keyword"]) for r in only] == [(citizen.reference, "OUI")]
    assert admin.get("/api/replies?keyword=stop").json()["count"] == 1


def test_api_keys_are_shown_once_stored_hashed_and_revocable(admin, org):
    created = send(admin, "post", "/api/keys", {"name": "script", "scopes": ["read"]})
    assert created.status_code == 201
    key = created.json()["key"]
    stored = ApiKey.objects.get(pk=created.json()["id"])
    assert stored.digest == ApiKey.hash(key) and key not in json.dumps(
        list(ApiKey.objects.values()), default=str
    )
    assert "key" not in admin.get("/api/keys").json()[0]
    script = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert script.get("/api/topics").status_code == 200
    assert admin.delete(f"/api/keys/{stored.pk}").json()["revoked_at"]
    assert script.get("/api/topics").status_code == 401
    assert send(admin, "post", "/api/keys", {"name": "x", "scopes": ["root"]}).status_code == 422


def test_a_body_over_the_limit_is_a_json_413_before_anything_reads_it(admin, settings):
    big = "x" * (settings.API_MAX_BODY_BYTES + 1)
    response = admin.post("/api/announcements", big, content_type="application/json")
    assert response.status_code == 413
    assert response.json()["detail"].startswith("body:")
    assert Client().post("/api/topics", big, content_type="application/json").status_code == 413


def test_a_nul_character_is_a_422_not_a_database_error(admin):
    body = admin.post(
        "/api/topics", '{"slug": "a", "name": "x\\u0000y"}', content_type="application/json"
    )
    assert body.status_code == 422 and body.json()["detail"].startswith("body")
    query = admin.get("/api/announcements?status=sent%00")
    assert query.status_code == 422 and query.json()["detail"].startswith("query")


def test_replies_since_takes_any_iso_offset_and_refuses_an_impossible_date(admin, org):
    InboundMessage.objects.create(organisation=org, body="OUI", keyword="OUI")
    # +16:18 is valid ISO 8601 that PostgreSQL refuses: it must be read in UTC first
    far = admin.get("/api/replies", {"since": "5126-03-27T15:03:04+16:18"})
    assert far.status_code == 200 and far.json()["count"] == 0
    past = admin.get("/api/replies", {"since": "2000-01-01T00:00:00+16:18"})
    assert past.json()["count"] == 1
    overflow = admin.get("/api/replies", {"since": "0001-01-01T00:00:00+01:00"})
    assert overflow.status_code == 422 and "since" in overflow.json()["detail"]
