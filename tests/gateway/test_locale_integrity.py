"""Issue 14 item 9: only locales Babel knows and Crieur ships (or falls back from) are
accepted, as a 422 naming the field, never a 500 later; a Breton preview warns about the
call instead of refusing the whole preview."""

from __future__ import annotations

import pytest

from tests.factories import ANNOUNCEMENT, create_api_key, create_organisation
from tests.gateway.audience import api_client, post_json

pytestmark = pytest.mark.django_db
TEXT = {k: ANNOUNCEMENT[k] for k in ("title", "summary", "body")}


@pytest.fixture
def agent():
    return api_client(create_api_key(create_organisation()))


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"locale": "qq"}, "locale"),
        ({"locale": "zz_ZZ"}, "locale"),
        ({"locale": "de"}, "locale"),  # Babel knows it, Crieur ships no catalog nor fallback
        ({"translations": {"qq": TEXT}}, "translations"),
    ],
)
def test_item9_an_unknown_locale_is_a_422_naming_the_field(agent, body, field):
    response = post_json(agent, "/api/announcements", {**ANNOUNCEMENT, **body})
    assert response.status_code == 422, response.json()
    assert response.json()["detail"].startswith(field), response.json()


def test_item9_an_unknown_default_locale_of_the_organisation_is_a_422(agent):
    response = agent.patch(
        "/api/organisation", {"default_locale": "qq"}, content_type="application/json"
    )
    assert response.status_code == 422 and response.json()["detail"].startswith("default_locale")


@pytest.mark.parametrize("locale", ["fr", "br", "fr_CA", "pt_BR", "ar"])
def test_item9_shipped_locales_and_their_regional_variants_preview(agent, locale):
    created = post_json(
        agent, "/api/announcements", {**ANNOUNCEMENT, "locale": locale, "translations": {}}
    )
    assert created.status_code == 201, created.json()
    preview = agent.get(f"/api/announcements/{created.json()['id']}/preview")
    assert preview.status_code == 200, preview.json()


def test_item9_a_breton_preview_warns_about_the_call(agent):
    created = post_json(
        agent, "/api/announcements", {**ANNOUNCEMENT, "locale": "br", "translations": {}}
    )
    preview = agent.get(f"/api/announcements/{created.json()['id']}/preview")
    assert preview.status_code == 200, preview.json()
    assert any(w.startswith("voice: not available in 'br'") for w in preview.json()["warnings"])
    forms = {r["form"] for r in preview.json()["renditions"]}
    assert {"sms", "notice", "mastodon"} <= forms
