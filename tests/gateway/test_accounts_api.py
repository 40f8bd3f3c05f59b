"""`/api/accounts`: admins connect, edit, test and remove accounts; secrets go in, never out."""

from __future__ import annotations

import json
import logging

import pytest
from django.test import Client

from gateway.accounts.models import ProviderAccount
from gateway.models import ApiKey, AuditEvent, Role
from tests.factories import create_account, create_organisation, create_user
from tests.fakes.social import FakeFacebook, FakeMastodon

pytestmark = pytest.mark.django_db

TOKEN = "mastodon-secret-token-1234"


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def org():
    return create_organisation()


@pytest.fixture
def client(org):
    _, key = ApiKey.issue(org, create_user(org, Role.ADMIN), "test")
    return Client(HTTP_AUTHORIZATION=f"Bearer {key}")


@pytest.fixture
def mastodon():
    with FakeMastodon(token=TOKEN) as fake:
        yield fake


def send(client, method, path, body=None):
    if body is None:
        return getattr(client, method)(path)
    return getattr(client, method)(path, json.dumps(body), content_type="application/json")


def add_mastodon(client, fake, **fields):
    body = {
        "kind": "mastodon",
        "label": "Mairie",
        "settings": {"base_url": fake.base_url, "access_token": TOKEN},
        **fields,
    }
    return send(client, "post", "/api/accounts", body)


def test_an_account_is_created_with_its_secret_sealed_and_masked(client, mastodon, caplog):
    caplog.set_level(logging.DEBUG)
    response = add_mastodon(client, mastodon, locale="en", limits={"rate": 0.5})
    assert response.status_code == 201, response.content
    out = response.json()
    assert out["settings"] == {"base_url": mastodon.base_url}
    assert out["secrets"] == {"access_token": "…1234"}
    assert (out["locale"], out["own_locale"], out["status"]) == ("en", True, "untested")
    assert out["broadcast"] is True and out["limits"] == {"rate": 0.5}
    row = ProviderAccount.objects.get(pk=out["id"])
    assert TOKEN not in json.dumps(row.settings) and TOKEN not in row.secrets
    assert row.secrets.startswith("gAAAA")  # a Fernet token
    listed = send(client, "get", "/api/accounts")
    events = AuditEvent.objects.filter(object_type="provideraccount")
    for text in (listed.content.decode(), caplog.text, json.dumps(list(events.values("data")))):
        assert TOKEN not in text
    assert events.get().data["secrets"] == ["access_token"]


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        ({"kind": "myspace"}, "kind: unknown kind 'myspace' (known: twilio, mastodon"),
        ({"kind": "mastodon", "settings": {"base_url": "https://s.example"}}, "settings: missing"),
        (
            {"kind": "facebook", "settings": {"page_id": "my-page", "page_token": "t"}},
            "settings: page_id must be the page's numeric id",
        ),
        (
            {"kind": "x", "settings": {"access_token": "t", "token": "x"}},
            "settings: unknown setting 'token' (known: access_token, base_url, attach_image)",
        ),
        ({"kind": "x", "settings": {"access_token": "t"}, "locale": "xx"}, "locale: unknown"),
        ({"kind": "x", "settings": {"access_token": "t"}, "limits": {"burst": 3}}, "limits:"),
    ],
)
def test_a_bad_or_missing_field_is_a_422_naming_it(client, body, detail):
    response = send(client, "post", "/api/accounts", body)
    assert response.status_code == 422
    assert response.json()["detail"].startswith(detail), response.json()
    assert not ProviderAccount.objects.exists()


def test_one_enabled_twilio_account_at_a_time(client):
    settings = {"account_sid": "AC" + "1" * 32, "auth_token": "tok", "from_number": "+33700000001"}
    first = send(client, "post", "/api/accounts", {"kind": "twilio", "settings": settings})
    assert first.status_code == 201
    second = send(client, "post", "/api/accounts", {"kind": "twilio", "settings": settings})
    assert second.status_code == 409 and "disable it first" in second.json()["detail"]
    disabled = {"kind": "twilio", "settings": settings, "enabled": False}
    assert send(client, "post", "/api/accounts", disabled).status_code == 201


def test_patch_merges_settings_and_keeps_the_secret_not_given(client, mastodon):
    account_id = add_mastodon(client, mastodon).json()["id"]
    patched = send(
        client,
        "patch",
        f"/api/accounts/{account_id}",
        {"settings": {"visibility": "unlisted"}, "label": "Mairie (Mastodon)"},
    )
    assert patched.status_code == 200, patched.content
    assert patched.json()["settings"]["visibility"] == "unlisted"
    assert patched.json()["secrets"] == {"access_token": "…1234"}
    tested = send(client, "post", f"/api/accounts/{account_id}/test", {})
    assert tested.json()["ok"] is True  # the kept token still works
    renewed = send(
        client,
        "patch",
        f"/api/accounts/{account_id}",
        {"settings": {"access_token": "renewed-token-9876"}},
    )
    assert renewed.json()["secrets"] == {"access_token": "…9876"}
    edited = AuditEvent.objects.filter(action="account.edited").order_by("pk")
    assert edited.last().data["after"] == {"secrets": ["access_token"]}
    assert "renewed-token-9876" not in json.dumps(list(edited.values("data")))
    bad = send(client, "patch", f"/api/accounts/{account_id}", {"settings": {"visibility": "x"}})
    assert bad.status_code == 422 and bad.json()["detail"].startswith("settings: visibility")
    assert send(client, "get", "/api/accounts").json()[0]["settings"]["visibility"] == "unlisted"


def test_test_calls_the_provider_and_records_what_it_answered(client, mastodon):
    account_id = add_mastodon(client, mastodon).json()["id"]
    response = send(client, "post", f"/api/accounts/{account_id}/test", {})
    assert response.status_code == 200
    out = response.json()
    assert out["ok"] is True
    assert out["result"] == f"mastodon: posts as @mairie (Mairie) on {mastodon.base_url}"
    assert out["account"]["status"] == "ok" and out["account"]["last_test"]["ok"] is True
    assert [r.path for r in mastodon.requests] == ["/api/v1/accounts/verify_credentials"]
    assert AuditEvent.objects.filter(action="account.tested").get().data["ok"] is True


def test_a_refused_test_names_the_cause_and_marks_the_account_failing(client):
    with FakeFacebook(page_id="1234567890", token="page-token") as fake:
        body = {
            "kind": "facebook",
            "settings": {"page_id": "999", "page_token": "page-token", "base_url": fake.base_url},
        }
        account_id = send(client, "post", "/api/accounts", body).json()["id"]
        response = send(client, "post", f"/api/accounts/{account_id}/test", {})
    out = response.json()
    assert response.status_code == 200 and out["ok"] is False
    assert "Object with ID '999' does not exist" in out["result"]
    assert out["account"]["status"] == "failing"
    assert out["account"]["problem"] == out["result"]


def test_test_to_a_bad_number_is_a_422(client, mastodon):
    account_id = add_mastodon(client, mastodon).json()["id"]
    response = send(client, "post", f"/api/accounts/{account_id}/test", {"to": "12"})
    assert response.status_code == 422 and response.json()["detail"].startswith("to: ")


def test_remove_erases_the_secrets_and_the_account_is_gone(client, mastodon, org):
    account_id = add_mastodon(client, mastodon).json()["id"]
    assert send(client, "delete", f"/api/accounts/{account_id}").status_code == 200
    row = ProviderAccount.objects.get(pk=account_id)
    assert row.removed_at and row.secrets == "" and not row.enabled
    assert send(client, "get", "/api/accounts").json() == []
    assert send(client, "delete", f"/api/accounts/{account_id}").status_code == 404
    assert send(client, "post", f"/api/accounts/{account_id}/test", {}).status_code == 404


def test_another_organisations_account_is_404_and_never_listed(client):
    theirs = create_account(create_organisation(), label="Leur compte")
    assert send(client, "get", f"/api/accounts/{theirs.pk}").status_code in (404, 405)
    assert send(client, "patch", f"/api/accounts/{theirs.pk}", {"label": "x"}).status_code == 404
    assert send(client, "get", "/api/accounts").json() == []


def test_only_admins(org):
    create_account(org)
    for role in (Role.AUTHOR, Role.APPROVER):
        _, key = ApiKey.issue(org, create_user(org, role), "test")
        response = Client(HTTP_AUTHORIZATION=f"Bearer {key}").get("/api/accounts")
        assert response.status_code == 403


def test_a_setting_set_to_null_goes_back_to_its_default(client, mastodon):
    account_id = add_mastodon(client, mastodon).json()["id"]
    send(client, "patch", f"/api/accounts/{account_id}", {"settings": {"visibility": "unlisted"}})
    reset = send(client, "patch", f"/api/accounts/{account_id}", {"settings": {"visibility": None}})
    assert reset.status_code == 200 and "visibility" not in reset.json()["settings"]
    assert reset.json()["secrets"] == {"access_token": "…1234"}


def test_the_preview_has_a_card_per_account_in_its_language_and_checks_its_form(client, org):
    from tests.factories import create_announcement

    create_account(org, "bluesky", {"handle": "m.example", "app_password": "p"}, locale="en")
    create_account(org, "x", {"access_token": "t"}, locale="pt", label="X")
    off = create_account(org, label="off", enabled=False)
    announcement = create_announcement(org, approved=False)
    out = send(client, "get", f"/api/announcements/{announcement.pk}/preview").json()
    assert {"bluesky", "x", "mastodon"} <= {r["form"] for r in out["renditions"]}
    cards = {card["kind"] + str(card["account"] == off.pk): card for card in out["accounts"]}
    assert cards["blueskyFalse"]["rendition"]["locale"] == "en"
    assert cards["blueskyFalse"]["rendition"]["text"].startswith("Water cut")
    assert cards["xFalse"]["rendition"]["locale"] == "fr"
    assert cards["xFalse"]["warnings"] == [
        f"account {cards['xFalse']['account']} (X): no translation in 'pt'; it posts in 'fr'"
    ]
    assert cards["mastodonTrue"]["status"] == "disabled"
    assert cards["mastodonTrue"]["warnings"] == [
        f"account {off.pk} (off): disabled, it will not post"
    ]
    assert set(out["warnings"]) >= {
        *cards["xFalse"]["warnings"],
        *cards["mastodonTrue"]["warnings"],
    }
