"""Six locales end to end in the gateway: languages, missing translations, the report."""

from __future__ import annotations

import json

import pytest
from django.conf import settings
from django.test import Client

from gateway.cli import main
from gateway.renditions import archive
from renderers.i18n import shipped_locales
from tests.factories import (
    create_announcement,
    create_api_key,
    create_citizen,
    create_organisation,
)

pytestmark = pytest.mark.django_db


def test_settings_languages_are_the_shipped_catalogs():
    assert [code for code, _ in settings.LANGUAGES] == ["fr", "en", "es", "pt", "ar", "br"]
    assert set(dict(settings.LANGUAGES)) == set(shipped_locales())


def _client(org) -> Client:
    return Client(headers={"Authorization": f"Bearer {create_api_key(org)}"})


def test_preview_in_a_language_without_translation_uses_the_default_and_warns():
    org = create_organisation()
    announcement = create_announcement(org)  # fr + en
    create_citizen(org, channels=("sms",), language="ar")
    create_citizen(org, channels=("sms",), language="ar")
    response = _client(org).get(f"/api/announcements/{announcement.pk}/preview?locale=ar")
    assert response.status_code == 200, response.content
    body = response.json()
    assert {r["locale"] for r in body["renditions"]} == {"fr"}
    assert "no translation in 'ar': this preview is in 'fr'" in body["warnings"]
    assert "no translation in 'ar': 2 citizen(s) who read it will get 'fr'" in body["warnings"]


def test_an_unknown_locale_is_named_in_a_422():
    org = create_organisation()
    announcement = create_announcement(org)
    response = _client(org).get(f"/api/announcements/{announcement.pk}/preview?locale=xx")
    assert response.status_code == 422
    assert response.json()["detail"].startswith("locale: unknown locale 'xx'")


def test_a_breton_text_is_called_in_the_organisation_language_and_the_preview_says_so():
    org = create_organisation()
    translations = {"br": {"title": "Troc’h dour", "summary": "Troc’h dour.", "body": "Dour."}}
    announcement = create_announcement(org, translations=translations)
    body = _client(org).get(f"/api/announcements/{announcement.pk}/preview?locale=br").json()
    forms = {r["form"]: r["locale"] for r in body["renditions"]}
    assert forms == {"sms": "br", "mastodon": "br", "voice": "fr", "notice": "br"}
    assert "voice: not available in 'br'; sent in 'fr'" in body["warnings"]
    assert archive(announcement, [("voice", "br")]) == 1


def test_locales_report_lists_each_locale_coverage(capsys):
    assert main(["locales", "report", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert set(rows) == set(shipped_locales())
    for row in rows.values():
        assert row["translated"] == row["total"] > 0 and row["percent"] == 100.0
    assert main(["locales", "report", "--fail-under", "100"]) == 0
    assert main(["locales", "report", "--fail-under", "101"]) == 2
